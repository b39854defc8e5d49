import { z } from 'zod';
import { InboundPayloadError, type InboundRequest } from '../../core/connectors/definition.js';
import { parseStripeObject } from './payload.js';

/**
 * The snapshot event envelope Stripe posts: `{ id: "evt_…", type, created, data: { object } }`.
 * The object's shape follows the API version of the webhook endpoint, not of this SDK, so the
 * normalizers read it field by field rather than trusting the SDK's types.
 */
const stripeEventSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  /** Seconds since the epoch. */
  created: z.number().int(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

export type StripeEvent = z.output<typeof stripeEventSchema>;

// deliveryId, topic and normalize all read the same body; parse it once per request.
const parsed = new WeakMap<InboundRequest, { json: unknown } | { error: string }>();

function parseJson(request: InboundRequest): { json: unknown } | { error: string } {
  let entry = parsed.get(request);
  if (!entry) {
    try {
      entry = { json: JSON.parse(request.body) as unknown };
    } catch (err) {
      entry = { error: (err as Error).message };
    }
    parsed.set(request, entry);
  }
  return entry;
}

/** The envelope, or InboundPayloadError (400) when a verified body is not one. */
export function readStripeEvent(request: InboundRequest): StripeEvent {
  const entry = parseJson(request);
  if ('error' in entry) throw new InboundPayloadError('Stripe webhook body is not JSON', [{ pointer: '', detail: entry.error }]);
  return parseStripeObject(stripeEventSchema, entry.json, '', 'event');
}

/** A top-level string field, if the body has one: for the inbox, before anything is validated. */
export function peekStripeField(request: InboundRequest, field: 'id' | 'type'): string | undefined {
  const entry = parseJson(request);
  if ('error' in entry || !entry.json || typeof entry.json !== 'object') return undefined;
  const value = (entry.json as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
