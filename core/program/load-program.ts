/**
 * Loads `config/program.yaml` (or `LOYALTY_CONFIG`) and refuses to start on a mistake, with a
 * message naming the file, the line, the rule and the field:
 *   config/program.yaml:31 rule "weekend-double" award.multiplier: "x2" is not a positive decimal
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { compileCondition } from '../mappings/condition.js';
import { assertTimeZone } from './calendar.js';
import { compileProgram, type Program } from './compiled-program.js';
import { ProgramSchema, type ProgramConfig } from './program-schema.js';

export const DEFAULT_PROGRAM_PATH = fileURLToPath(new URL('../../config/program.yaml', import.meta.url));

export interface ProgramProblem {
  line?: number;
  /** `rules[2].award.multiplier` */
  path: string;
  rule?: string;
  message: string;
}

export class ProgramConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ProgramProblem[],
  ) {
    super(
      `${file}: the loyalty program is invalid\n` +
        problems
          .map((p) => `  ${file}${p.line ? `:${p.line}` : ''}${p.rule ? ` rule "${p.rule}"` : ''} ${p.path || '(top level)'}: ${p.message}`)
          .join('\n'),
    );
    this.name = 'ProgramConfigError';
  }
}

export function loadProgramFile(file = DEFAULT_PROGRAM_PATH): Program {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ProgramConfigError(file, [{ path: '', message: `cannot read the file (${(error as Error).message})` }]);
  }
  return parseProgram(text, file);
}

export function parseProgram(text: string, file = 'program.yaml'): Program {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    throw new ProgramConfigError(
      file,
      // `linePos` is only filled in with prettyErrors; the offset always is.
      doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line, path: '', message: e.message.split('\n')[0]! })),
    );
  }
  const raw = doc.toJS() as unknown;
  const lineOf = (path: (string | number)[]): number | undefined => {
    let node: unknown = doc.contents;
    let last: Node | undefined;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        last = (pair.key as Node | null) ?? last;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        last = (node as Node | undefined) ?? last;
      } else break;
    }
    const offset = last?.range?.[0];
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  const ruleIdAt = (path: (string | number)[]): string | undefined => {
    if (path[0] !== 'rules' || typeof path[1] !== 'number') return undefined;
    const rules = (raw as { rules?: { id?: unknown }[] } | null)?.rules;
    const id = rules?.[path[1]]?.id;
    return typeof id === 'string' ? id : `#${path[1] + 1}`;
  };
  const describe = (path: (string | number)[]) => {
    const inRule = path[0] === 'rules' && typeof path[1] === 'number';
    return (inRule ? path.slice(2) : path).map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');
  };

  const parsed = ProgramSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ProgramConfigError(
      file,
      parsed.error.issues.flatMap(unionBranchIssues).map((issue) => {
        const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
        return { line: lineOf(path), path: describe(path), rule: ruleIdAt(path), message: issue.message };
      }),
    );
  }
  const config = parsed.data;
  const problems = semanticProblems(config).map((p) => ({ ...p, line: lineOf(p.at), path: describe(p.at), rule: ruleIdAt(p.at) }));
  if (problems.length) throw new ProgramConfigError(file, problems);
  try {
    return compileProgram(config, file);
  } catch (error) {
    throw new ProgramConfigError(file, [{ path: '', message: (error as Error).message }]);
  }
}

/**
 * zod reports a value that fits none of a union's forms (`award: { multiplier: "x2" }`) as one
 * bare "Invalid input" on the union. When exactly one form accepts the keys written, its own
 * problems are what the author needs (`award.multiplier: "x2" is not a positive decimal`).
 */
function unionBranchIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const fitting = issue.errors.filter((branch) => !branch.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0));
  if (fitting.length !== 1) return [issue];
  return fitting[0]!.flatMap((i) => unionBranchIssues({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
}

/** What the schema alone cannot see: duplicate ids, unknown tiers, Jexl syntax, the time zone. */
function semanticProblems(config: ProgramConfig): { at: (string | number)[]; message: string }[] {
  const problems: { at: (string | number)[]; message: string }[] = [];
  try {
    assertTimeZone(config.timeZone);
  } catch {
    problems.push({ at: ['timeZone'], message: `"${config.timeZone}" is not an IANA time zone (e.g. Europe/Paris)` });
  }
  const seen = new Map<string, number>();
  const tierIds = new Set(config.tiers?.levels.map((t) => t.id) ?? []);
  config.rules.forEach((rule, i) => {
    if (seen.has(rule.id)) problems.push({ at: ['rules', i, 'id'], message: `duplicate rule id (also rule #${seen.get(rule.id)! + 1})` });
    seen.set(rule.id, i);
    if (rule.on === 'order.refunded' || rule.on === 'order.cancelled') {
      problems.push({ at: ['rules', i, 'on'], message: `${rule.on} takes points back by the returnPolicy; rules earn on order.paid, customer.* and activities` });
    }
    const isOrderAward = 'perCurrencyUnit' in rule.award || 'lineItems' in rule.award;
    if (isOrderAward && rule.on !== 'order.paid') {
      problems.push({ at: ['rules', i, 'award'], message: `a per-currency or line-item award needs an order: use it with on: order.paid` });
    }
    for (const [j, tier] of (rule.if?.tier ?? []).entries()) {
      if (!tierIds.has(tier)) problems.push({ at: ['rules', i, 'if', 'tier', j], message: `no tier "${tier}" (tiers: ${[...tierIds].join(', ') || 'none'})` });
    }
    if (rule.when) {
      try {
        compileCondition(rule.when);
      } catch (error) {
        problems.push({ at: ['rules', i, 'when'], message: `not a valid expression: ${(error as Error).message}` });
      }
    }
  });
  config.thresholds.forEach((t, i) => {
    const previous = config.thresholds[i - 1];
    if (previous !== undefined && t <= previous) {
      problems.push({ at: ['thresholds', i], message: t === previous ? `duplicate threshold ${t}` : `thresholds go up: ${t} comes after ${previous}` });
    }
  });
  if (config.tiers) {
    const levels = config.tiers.levels;
    if (!levels.some((t) => t.threshold === 0)) problems.push({ at: ['tiers', 'levels'], message: 'one tier must have threshold 0 (where every member starts)' });
    const ids = new Set<string>();
    levels.forEach((t, i) => {
      if (ids.has(t.id)) problems.push({ at: ['tiers', 'levels', i, 'id'], message: `duplicate tier id "${t.id}"` });
      ids.add(t.id);
    });
    const thresholds = levels.map((t) => t.threshold);
    if (new Set(thresholds).size !== thresholds.length) problems.push({ at: ['tiers', 'levels'], message: 'two tiers share a threshold' });
  }
  return problems;
}
