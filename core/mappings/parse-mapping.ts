/**
 * One mapping's YAML node → a compiled `Mapping`, or the problems that stop it: the shape
 * (`on`, `send`, known keys), the event type, the adapter names, the condition's syntax and
 * every template's syntax. What the templates produce is checked afterwards, against a sample
 * event (sample-check.ts).
 */
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { LOYALTY_EVENT_TYPES, type LoyaltyEventType } from '../outbox/loyalty-events.js';
import { compileCondition, type Condition } from './condition.js';
import { formatPath, templateLineOffset, type Segment, type SourceFile } from './source.js';
import { compileTemplates } from './templates.js';
import type { AdapterDescriptors, Mapping, MappingAction, MappingProblem } from './types.js';
import { closestName } from '../closest-name.js';

const KEYS = ['name', 'on', 'when', 'send'];
/** Names end up in delivery routes (`mapping:<name>#<index>`) and in logs: keep them plain. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface ParsedMapping {
  mapping: Mapping;
  /** Where each action sits in the file, e.g. `['send', 1]` (for locating its problems). */
  actionPaths: Segment[][];
}

export function parseMapping(
  source: SourceFile,
  root: Node,
  prefix: Segment[],
  defaultName: string,
  adapters: AdapterDescriptors,
): { parsed?: ParsedMapping; problems: MappingProblem[] } {
  const problems: MappingProblem[] = [];
  const problem = (node: Node | null | undefined, path: readonly PropertyKey[], reason: string, lineOffset = 0) =>
    problems.push({ file: source.file, line: source.lineOf(node ?? root) + lineOffset, path: formatPath([...prefix, ...path]), reason });

  const node = resolve(source, root);
  if (!isMap(node)) {
    problem(node, [], 'a mapping is a YAML map with `on:`, `send:` and optionally `name:` and `when:`');
    return { problems };
  }
  const field = (key: string): Pair<unknown, unknown> | undefined => node.items.find((p) => isScalar(p.key) && p.key.value === key);
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string' || !KEYS.includes(key)) {
      problem(pair.key as Node, [String(key)], `unknown key; a mapping has ${KEYS.join(', ')}`);
    }
  }

  const nameNode = field('name')?.value as Node | undefined;
  const name = nameNode ? scalarString(source, nameNode) : defaultName;
  if (name === undefined || !NAME.test(name)) {
    const what = nameNode ? `name "${name ?? ''}"` : `the file name "${defaultName}" (the default name)`;
    problem(nameNode ?? root, ['name'], `${what} must be letters, digits, ".", "_" or "-" (at most 100); set \`name:\``);
  }

  const onNode = field('on')?.value as Node | undefined;
  const on = onNode ? scalarString(source, onNode) : undefined;
  if (!onNode) problem(root, ['on'], `missing \`on:\`, the loyalty event to react to: one of ${LOYALTY_EVENT_TYPES.join(', ')}`);
  else if (on === undefined || !(LOYALTY_EVENT_TYPES as readonly string[]).includes(on)) {
    const meant = on === undefined ? undefined : closestName(on, LOYALTY_EVENT_TYPES);
    problem(onNode, ['on'], `unknown event "${on ?? String(onNode)}"${meant ? ` (did you mean "${meant}"?)` : ''}; expected one of ${LOYALTY_EVENT_TYPES.join(', ')}`);
  }

  let when: Condition | null = null;
  const whenNode = field('when')?.value as Node | undefined;
  if (whenNode) {
    const text = scalarString(source, whenNode);
    if (text === undefined || text.trim() === '') problem(whenNode, ['when'], 'a condition is an expression such as `points >= 5000`');
    else {
      try {
        when = compileCondition(text);
      } catch (error) {
        problem(whenNode, ['when'], `condition syntax: ${(error as Error).message}`);
      }
    }
  }

  const actions: MappingAction[] = [];
  const actionPaths: Segment[][] = [];
  const sendNode = resolve(source, field('send')?.value as Node | undefined);
  const actionNodes: [Node, Segment[]][] = isSeq(sendNode)
    ? sendNode.items.map((item, i) => [item as Node, ['send', i]])
    : isMap(sendNode)
      ? [[sendNode, ['send']]]
      : [];
  if (!sendNode) problem(root, ['send'], 'missing `send:`, one action (`adapter:` and its options) or a list of them');
  else if (actionNodes.length === 0) problem(sendNode, ['send'], '`send:` is one action (`adapter:` and its options) or a non-empty list of them');

  actionNodes.forEach(([raw, path], index) => {
    const actionNode = resolve(source, raw);
    if (!isMap(actionNode)) {
      problem(actionNode, path, 'an action is a map with `adapter:` and the adapter\'s options');
      return;
    }
    const adapterNode = actionNode.items.find((p) => isScalar(p.key) && p.key.value === 'adapter')?.value as Node | undefined;
    const adapterName = adapterNode ? scalarString(source, adapterNode) : undefined;
    const configured = [...adapters.keys()].sort();
    const known = configured.length ? `configured adapters: ${configured.join(', ')}` : 'no adapter is configured';
    if (!adapterNode) return problem(actionNode, [...path, 'adapter'], `missing \`adapter:\`; ${known}`);
    const adapter = adapterName === undefined ? undefined : adapters.get(adapterName);
    if (!adapter) {
      const meant = adapterName === undefined ? undefined : closestName(adapterName, configured);
      return problem(adapterNode, [...path, 'adapter'], `unknown adapter "${adapterName ?? String(adapterNode)}"${meant ? ` (did you mean "${meant}"?)` : ''}; ${known}`);
    }

    const { adapter: _adapter, ...options } = actionNode.toJS(source.doc) as Record<string, unknown>;
    const { tree, errors } = compileTemplates(options, []);
    for (const error of errors) {
      const at = source.nodeAt(actionNode, error.path);
      problem(at, [...path, ...error.path], `template syntax: ${error.reason}`, templateLineOffset(at, error.templateLine));
    }
    if (errors.length === 0) {
      actions.push({ index, line: source.lineOf(actionNode), adapter, options: tree });
      actionPaths.push(path);
    }
  });

  if (problems.length > 0 || !name || !on) return { problems };
  return {
    parsed: { mapping: { name, file: source.file, line: source.lineOf(root), on: on as LoyaltyEventType, when, actions }, actionPaths },
    problems,
  };
}

function resolve(source: SourceFile, node: Node | undefined): Node | undefined {
  return node && isAlias(node) ? (node.resolve(source.doc) as Node | undefined) : node;
}

function scalarString(source: SourceFile, node: Node): string | undefined {
  const resolved = resolve(source, node);
  return isScalar(resolved) && typeof resolved.value === 'string' ? resolved.value : undefined;
}
