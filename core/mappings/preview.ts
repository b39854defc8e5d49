/**
 * What a mapping file would send for an event, without sending anything (docs/mappings.md,
 * "Preview"): for each mapping in the file, the rendered actions as the dispatcher would hand them
 * to their adapters, or why it would not fire. `loyalty-hub mappings preview` and
 * `POST /v1/mappings/preview` (the console's editor) both print this; the adapters add their
 * credentials only when they send, so nothing here holds a provider's secret.
 */
import type { LoyaltyEvent } from '../outbox/loyalty-events.js';
import { evaluateMapping } from './evaluate.js';
import { sampleEvent, sampleExtras } from './sample-events.js';
import { evaluationScope } from './scope.js';
import type { Mapping, ScopeExtras } from './types.js';

export interface MappingPreview {
  mapping: string;
  on: string;
  event: { id: string; type: string };
  when?: string;
  result: string;
  /** What each action would hand its adapter, rendered (only when the mapping fires). */
  actions?: { index: number; adapter: string; options: Record<string, unknown> }[];
  /** Why an action (or the condition) could not be rendered: counted as not sent. */
  errors?: ({ index?: number; stage: string; reason: string } | string)[];
}

/** `given` is one event for every mapping; without it each mapping gets the sample of its own event. */
export function previewMappings(
  mappings: readonly Mapping[],
  given?: { event: LoyaltyEvent; extras: ScopeExtras },
): { results: MappingPreview[]; failed: boolean } {
  let failed = false;
  const results = mappings.map((mapping): MappingPreview => {
    const event = given?.event ?? sampleEvent(mapping.on);
    const extras = given?.extras ?? sampleExtras(mapping.on);
    const outcome = evaluateMapping(mapping, event, evaluationScope(event, extras));
    const head = { mapping: mapping.name, on: mapping.on, event: { id: event.id, type: event.type }, ...(mapping.when ? { when: mapping.when.source } : {}) };
    switch (outcome.status) {
      case 'other-event':
        return { ...head, result: `not this event (the mapping is on ${mapping.on})` };
      case 'condition-false':
        return { ...head, result: 'condition false' };
      case 'condition-error':
        failed = true;
        return { ...head, result: 'condition error (counts as false)', errors: outcome.errors.map((e) => e.reason) };
      case 'fires':
        if (outcome.errors.length > 0) failed = true;
        return {
          ...head,
          result: 'would send',
          actions: outcome.actions.map((a) => ({ index: a.index, adapter: a.adapter, options: a.options })),
          ...(outcome.errors.length ? { errors: outcome.errors.map((e) => ({ index: e.index, stage: e.stage, reason: e.reason })) } : {}),
        };
    }
  });
  return { results, failed };
}
