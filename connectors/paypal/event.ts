import { z } from 'zod';
import type { InboundRequest } from '../../core/connectors/definition.js';
import { bodyOf, topLevelText } from '../../core/connectors/body.js';
import { parseWithSchema } from '../../core/connectors/payload.js';

/**
 * PayPal's webhook event: `{ id: "WH-…", event_type, resource_type, create_time, resource }`. A
 * retry of a delivery carries the same `id` (with a new transmission id and signature).
 */
const payPalEventSchema = z.looseObject({
  id: z.string().min(1),
  event_type: z.string().min(1),
  resource_type: z.string().nullish(),
  create_time: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expected an RFC 3339 timestamp'),
  resource: z.record(z.string(), z.unknown()),
});

export type PayPalEvent = z.output<typeof payPalEventSchema>;

/** The envelope, or InboundPayloadError (400) when a verified body is not one. */
export function readPayPalEvent(request: InboundRequest): PayPalEvent {
  return parseWithSchema(payPalEventSchema, bodyOf(request), '', 'PayPal event');
}

/** A top-level string field, if the body has one: for the inbox, before anything is validated. */
export function peekPayPalField(request: InboundRequest, field: 'id' | 'event_type'): string | undefined {
  return topLevelText(request, field);
}

export function occurredAt(event: PayPalEvent): number {
  return Date.parse(event.create_time);
}

/** The resource read with `schema`; its problems point into `/resource`. */
export function readResource<S extends z.ZodType>(event: PayPalEvent, schema: S, what: string): z.output<S> {
  return parseWithSchema(schema, event.resource, '/resource', `PayPal ${what}`);
}
