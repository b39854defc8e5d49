/**
 * `when:` conditions, in Jexl (`points >= 5000`, `balance.available - points < 1000`): an
 * expression interpreter with no `eval` and no way to call anything but registered functions,
 * so a mapping file cannot run code. A private instance keeps other modules' Jexl extensions
 * from changing what a mapping means.
 */
import jexl from 'jexl';
import type { Scope } from './scope.js';

const conditions = new jexl.Jexl();

type Expression = ReturnType<typeof conditions.compile>;
type Ast = ReturnType<Expression['_getAst']>;

export interface Condition {
  readonly source: string;
  readonly expression: Expression;
}

/** Parses the expression now, so a syntax error is a load problem rather than a silent false. */
export function compileCondition(source: string): Condition {
  return { source, expression: conditions.compile(source) };
}

/** Truthiness of the expression; throws what Jexl throws (unknown function or transform). */
export function conditionHolds(condition: Condition, scope: Scope): boolean {
  return Boolean(condition.expression.evalSync(scope));
}

/**
 * Field paths the condition reads that `scope` does not have (`pionts`, `balance.availble`).
 * Jexl reads a missing field as undefined, so `pionts >= 5000` would quietly never hold; the
 * loader checks conditions against a sample event with this. A path through a null (a reward on
 * an event without one) is not reported: guarding it (`reward && reward.points > 10`) is fine.
 */
export function unknownFields(condition: Condition, scope: Scope): string[] {
  const missing: string[] = [];
  const visit = (node: Ast | undefined): void => {
    if (!node) return;
    switch (node.type) {
      case 'Identifier': {
        const chain = identifierChain(node);
        if (chain) {
          const gap = firstMissing(scope, chain);
          if (gap && !missing.includes(gap)) missing.push(gap);
        } else visit(node.from);
        return;
      }
      case 'UnaryExpression':
        return visit(node.right);
      case 'BinaryExpression':
        visit(node.left);
        return visit(node.right);
      case 'ConditionalExpression':
        visit(node.test);
        visit(node.consequent);
        return visit(node.alternate);
      case 'FilterExpression':
        // The filter itself reads relative fields of the subject's elements: not checked.
        return visit(node.subject);
      case 'ArrayLiteral':
        return node.value.forEach(visit);
      case 'ObjectLiteral':
        return Object.values(node.value).forEach(visit);
      case 'FunctionCall':
        return node.args.forEach(visit);
      case 'Literal':
        return;
    }
  };
  visit(condition.expression._getAst());
  return missing;
}

/**
 * The transforms (`reason|lower`) and functions (`f(x)`) a condition calls. None is registered on
 * this instance, so each fails at run time; found here by walking the expression, since `&&` and
 * `||` skip the part that calls one when the sample event does not reach it.
 */
export function callsIn(condition: Condition): string[] {
  const calls: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const n = node as { type?: string; name?: string; pool?: string };
    if (n.type === 'FunctionCall') {
      const call = n.pool === 'transforms' ? `|${n.name}` : `${n.name}()`;
      if (!calls.includes(call)) calls.push(call);
    }
    Object.values(node).forEach(visit);
  };
  visit(condition.expression._getAst());
  return calls;
}

/** `balance.available` → ['balance', 'available']; null for relative or computed bases. */
function identifierChain(node: Ast): string[] | null {
  if (node.type !== 'Identifier' || node.relative) return null;
  if (!node.from) return [node.value];
  const base = identifierChain(node.from);
  return base ? [...base, node.value] : null;
}

/** The first prefix of `path` that an object in `root` lacks, e.g. `balance.availble`. */
export function firstMissing(root: unknown, path: readonly string[]): string | null {
  let current = root;
  for (let i = 0; i < path.length; i++) {
    if (typeof current !== 'object' || current === null) return null;
    if (!Object.prototype.hasOwnProperty.call(current, path[i]!)) return path.slice(0, i + 1).join('.');
    current = (current as Record<string, unknown>)[path[i]!];
  }
  return null;
}
