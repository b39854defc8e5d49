import { z } from 'zod';
import type { InboundRequest } from '../../core/connectors/definition.js';
import { bodyOf, topLevelText } from '../../core/connectors/body.js';
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

/** The envelope, or InboundPayloadError (400) when a verified body is not one. */
export function readStripeEvent(request: InboundRequest): StripeEvent {
  return parseStripeObject(stripeEventSchema, bodyOf(request), '', 'event');
}

/** A top-level string field, if the body has one: for the inbox, before anything is validated. */
export function peekStripeField(request: InboundRequest, field: 'id' | 'type'): string | undefined {
  return topLevelText(request, field);
}
