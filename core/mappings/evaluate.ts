/**
 * Applying loaded mappings to a real event: which mappings listen to it, whose condition holds,
 * and what their actions render to. Synchronous and side-effect free, so the same event always
 * routes to the same messages and routing can run inside a transaction.
 */
import type { LoyaltyEvent } from '../outbox/loyalty-events.js';
import { conditionHolds } from './condition.js';
import { evaluationScope, type Scope } from './scope.js';
import { formatPath } from './source.js';
import { RenderFailure, renderTemplates } from './templates.js';
import type { EvaluationError, Mapping, RenderedAction, ScopeExtras } from './types.js';

export type MappingOutcome =
  | { status: 'other-event' }
  | { status: 'condition-false' }
  /** The condition threw at run time: counted as false. */
  | { status: 'condition-error'; errors: EvaluationError[] }
  /** `actions` are the ones that rendered and passed the adapter's schema; `errors` the others. */
  | { status: 'fires'; actions: RenderedAction[]; errors: EvaluationError[] };

export function evaluateMapping(mapping: Mapping, event: LoyaltyEvent, scope: Scope): MappingOutcome {
  if (mapping.on !== event.type) return { status: 'other-event' };
  if (mapping.when) {
    try {
      if (!conditionHolds(mapping.when, scope)) return { status: 'condition-false' };
    } catch (error) {
      return { status: 'condition-error', errors: [{ mapping: mapping.name, file: mapping.file, stage: 'when', reason: (error as Error).message }] };
    }
  }
  const actions: RenderedAction[] = [];
  const errors: EvaluationError[] = [];
  for (const action of mapping.actions) {
    const fail = (stage: EvaluationError['stage'], reason: string) =>
      errors.push({ mapping: mapping.name, file: mapping.file, index: action.index, adapter: action.adapter.name, stage, reason });
    let rendered: unknown;
    try {
      // Not strict: load-time checks proved the field names against the sample; a real event
      // missing an optional one renders it empty rather than losing the whole message.
      rendered = renderTemplates(action.options, scope, { strict: false });
    } catch (error) {
      fail('render', error instanceof RenderFailure ? `${formatPath(error.path)}: ${error.reason}` : String(error));
      continue;
    }
    // What the adapter will be handed must be what its schema accepts (an SMS to a member
    // without a phone number renders `to: ""`): refused here and reported (the outbox records it as a dead letter).
    const parsed = action.adapter.options.safeParse(rendered);
    if (!parsed.success) {
      fail('options', parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; '));
      continue;
    }
    actions.push({ mapping: mapping.name, index: action.index, adapter: action.adapter.name, options: parsed.data as Record<string, unknown> });
  }
  return { status: 'fires', actions, errors };
}

/**
 * The rendered actions of every mapping that listens to `event` and whose condition holds, in
 * mapping order. Nothing throws: a condition that fails at run time counts as false, an action
 * that cannot render or that its adapter refuses is left out, and each is passed to `onError`.
 */
export function mappingActionsFor(
  mappings: readonly Mapping[],
  event: LoyaltyEvent,
  extras: ScopeExtras = {},
  options: { onError?: (error: EvaluationError) => void } = {},
): RenderedAction[] {
  const scope = evaluationScope(event, extras);
  const out: RenderedAction[] = [];
  for (const mapping of mappings) {
    const outcome = evaluateMapping(mapping, event, scope);
    if (outcome.status === 'fires') out.push(...outcome.actions);
    if ('errors' in outcome) outcome.errors.forEach((e) => options.onError?.(e));
  }
  return out;
}
