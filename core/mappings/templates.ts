/**
 * Liquid templates in action options. Every string in an action's options — however deeply
 * nested, as in a Slack Block Kit layout — is a template; keys, numbers and booleans are kept
 * as written. Templates are parsed once at load and rendered per event.
 */
import { Liquid, type Template } from 'liquidjs';
import type { Scope } from './scope.js';

/** A path inside an action's options: keys and list positions. */
export type OptionPath = (string | number)[];

export type TemplateTree =
  | { kind: 'template'; source: string; template: Template[] }
  | { kind: 'value'; value: unknown }
  | { kind: 'list'; items: TemplateTree[] }
  | { kind: 'object'; entries: [string, TemplateTree][] };

/**
 * A mapping file must not reach anything but the event: `templates: {}` makes the engine look
 * partials up in an empty in-memory set instead of the working directory, and include-like tags
 * are refused at parse time with a reason a marketer can act on. Dates render in UTC and `now`
 * is the only input besides the scope, so a rendering depends on the event alone (apart from
 * `"now" | date`). Limits bound what a runaway loop can cost. Output is not HTML-escaped:
 * the same template feeds SMS and Slack; use `| escape` in HTML bodies.
 */
const liquid = new Liquid({
  templates: {},
  strictFilters: true,
  // Strict rendering (at load) still allows `{% if member.firstName %}` and `| default:` on a
  // field an event may lack: that is how a template handles an optional field on purpose.
  lenientIf: true,
  ownPropertyOnly: true,
  timezoneOffset: 0,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
});
for (const tag of ['include', 'render', 'layout']) {
  liquid.registerTag(tag, {
    parse() {
      throw new Error(`{% ${tag} %} is not available in mapping templates (they cannot read files)`);
    },
    render() {},
  });
}

export interface TemplateError {
  path: OptionPath;
  reason: string;
  /** 1-based line inside the template, when Liquid knows it. */
  templateLine?: number;
}

/** Compiles every string in `value`; collects each syntax error with where it is. */
export function compileTemplates(value: unknown, path: OptionPath = [], errors: TemplateError[] = []): { tree: TemplateTree; errors: TemplateError[] } {
  const compile = (v: unknown, at: OptionPath): TemplateTree => {
    if (typeof v === 'string') {
      try {
        return { kind: 'template', source: v, template: liquid.parse(v) };
      } catch (error) {
        errors.push({ path: at, ...liquidReason(error) });
        return { kind: 'value', value: v };
      }
    }
    if (Array.isArray(v)) return { kind: 'list', items: v.map((item, i) => compile(item, [...at, i])) };
    if (typeof v === 'object' && v !== null) {
      return { kind: 'object', entries: Object.entries(v).map(([k, item]) => [k, compile(item, [...at, k])]) };
    }
    return { kind: 'value', value: v };
  };
  return { tree: compile(value, path), errors };
}

export class RenderFailure extends Error {
  constructor(
    readonly path: OptionPath,
    readonly reason: string,
    readonly templateLine?: number,
    /** The variable a strict rendering did not find, e.g. `member.nick`. */
    readonly missingVariable?: string,
  ) {
    super(reason);
  }
}

/**
 * Renders the tree into plain values. `strict`: a variable the scope lacks is an error (used at
 * load against the sample event, where it means a misspelt field); otherwise it renders empty,
 * as Liquid does, so a real event without an optional field still gets its message.
 */
export function renderTemplates(tree: TemplateTree, scope: Scope, options: { strict: boolean }, path: OptionPath = []): unknown {
  switch (tree.kind) {
    case 'value':
      return tree.value;
    case 'list':
      return tree.items.map((item, i) => renderTemplates(item, scope, options, [...path, i]));
    case 'object':
      return Object.fromEntries(tree.entries.map(([k, item]) => [k, renderTemplates(item, scope, options, [...path, k])]));
    case 'template':
      try {
        return liquid.renderSync(tree.template, scope, { strictVariables: options.strict }) as string;
      } catch (error) {
        const { reason, templateLine } = liquidReason(error);
        const missing = /^undefined variable: (.+)$/.exec(reason)?.[1];
        throw new RenderFailure(path, reason, templateLine, missing);
      }
  }
}

/** The template tree at `path`, if there is one (for showing what a templated value rendered). */
export function treeAt(tree: TemplateTree, path: readonly PropertyKey[]): TemplateTree | undefined {
  let node: TemplateTree | undefined = tree;
  for (const key of path) {
    if (node?.kind === 'list' && typeof key === 'number') node = node.items[key];
    else if (node?.kind === 'object') node = node.entries.find(([k]) => k === key)?.[1];
    else return undefined;
  }
  return node;
}

/** Whether a template string has any Liquid in it, as opposed to being plain text. */
export function isDynamic(tree: TemplateTree | undefined): boolean {
  return tree?.kind === 'template' && /\{\{|\{%/.test(tree.source);
}

/** Liquid's message without its own `, line:1, col:7` (the loader says where, in the file). */
function liquidReason(error: unknown): { reason: string; templateLine?: number } {
  const message = error instanceof Error ? error.message : String(error);
  const position = /, line:(\d+), col:(\d+)$/.exec(message);
  const reason = position ? message.slice(0, position.index) : message;
  return position ? { reason, templateLine: Number(position[1]) } : { reason };
}
