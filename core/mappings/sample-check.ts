/**
 * Runs a compiled mapping against the sample event of its `on` type, the way a real event will
 * run it, to find what syntax alone cannot: a condition or template naming a field the event
 * does not have, a Jexl function that does not exist, and options the adapter would refuse once
 * the templates are rendered (a `to:` that renders to something other than a phone number).
 */
import type { Node } from 'yaml';
import { callsIn, conditionHolds, firstMissing, unknownFields } from './condition.js';
import { sampleEvent, sampleExtras } from './sample-events.js';
import { evaluationScope, type Scope } from './scope.js';
import { formatPath, templateLineOffset, type Segment, type SourceFile } from './source.js';
import { RenderFailure, isDynamic, renderTemplates, treeAt } from './templates.js';
import type { Mapping, MappingProblem } from './types.js';

const EXTRAS = ['member', 'balance', 'tier', 'reward'];

export function checkWithSample(source: SourceFile, mappingNode: Node, prefix: Segment[], mapping: Mapping, actionPaths: Segment[][]): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const scope = evaluationScope(sampleEvent(mapping.on), sampleExtras(mapping.on));
  // Liquid's strict mode reads through a null (`reward.name` with no reward) without complaint;
  // leaving the empty ones out makes a template using, say, the reward on an event that has
  // none a missing field — unless guarded with `{% if reward %}`, which strict mode allows.
  const strictScope = Object.fromEntries(Object.entries(scope).filter(([k, v]) => !(EXTRAS.includes(k) && v === null)));
  const problem = (path: Segment[], reason: string, lineOffset = 0) => {
    const node = source.nodeAt(mappingNode, path);
    problems.push({ file: source.file, line: source.lineOf(node) + lineOffset, path: formatPath([...prefix, ...path]), reason });
    return node;
  };

  if (mapping.when) {
    for (const field of unknownFields(mapping.when, scope)) problem(['when'], missingFieldReason(field, scope, mapping.on));
    // Reported whether or not the sample reaches the call (docs/mappings.md, "Conditions").
    const calls = callsIn(mapping.when);
    for (const call of calls) problem(['when'], `condition: "${call}" is not available: conditions have no transforms or functions`);
    try {
      conditionHolds(mapping.when, scope);
    } catch (error) {
      if (calls.length === 0) problem(['when'], `condition: ${(error as Error).message}`);
    }
  }

  mapping.actions.forEach((action, i) => {
    const at = actionPaths[i]!;
    let rendered: unknown;
    try {
      rendered = renderTemplates(action.options, strictScope, { strict: true });
    } catch (error) {
      if (!(error instanceof RenderFailure)) throw error;
      const path = [...at, ...error.path];
      const offset = templateLineOffset(source.nodeAt(mappingNode, path), error.templateLine);
      const reason = error.missingVariable ? missingFieldReason(error.missingVariable, scope, mapping.on) : `template: ${error.reason}`;
      problem(path, reason, offset);
      return;
    }
    const result = action.adapter.options.safeParse(rendered);
    if (result.success) return;
    for (const issue of result.error.issues) {
      const issuePath = issue.path.filter((k): k is Segment => typeof k === 'string' || typeof k === 'number');
      // One problem per unknown option, on its own line: the likely typo (`chanel:`).
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problem([...at, ...issuePath, key], `${action.adapter.name} has no option "${key}"`);
        continue;
      }
      if (issue.code === 'invalid_type' && valueAt(rendered, issuePath) === undefined) {
        problem([...at, ...issuePath], `${action.adapter.name}: missing option "${formatPath(issuePath)}"`);
        continue;
      }
      const leaf = treeAt(action.options, issuePath);
      const value = leaf && isDynamic(leaf) ? renderTemplates(leaf, scope, { strict: false }) : undefined;
      const shown = value === undefined ? '' : ` (with the sample ${mapping.on} event it renders ${JSON.stringify(value)})`;
      problem([...at, ...issuePath], `${action.adapter.name}: ${issue.message}${shown}`);
    }
  });
  return problems;
}

function valueAt(root: unknown, path: readonly Segment[]): unknown {
  return path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string | number, unknown>)[k] : undefined), root);
}

/** `member.nick` → which fields there are instead, so the fix is obvious. */
function missingFieldReason(path: string, scope: Scope, type: string): string {
  const segments = path.replace(/\[(\d+)\]/g, '.$1').replace(/\["([^"]+)"\]|\['([^']+)'\]/g, '.$1$2').split('.');
  const gap = (firstMissing(scope, segments) ?? path).split('.');
  const parentPath = gap.slice(0, -1);
  const parent = valueAt(scope, parentPath);
  if (scope[segments[0]!] === null) return `missing field "${path}": there is no ${segments[0]} on a ${type} event`;
  if (!parent || typeof parent !== 'object') return `missing field "${path}": ${parentPath.join('.')} is empty on a ${type} event`;
  const owner = parentPath.length ? parentPath.join('.') : 'the event scope';
  return `missing field "${path}": a ${type} event has no such field; ${owner} has ${Object.keys(parent).join(', ')}`;
}
