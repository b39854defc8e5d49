import { z } from 'zod';
import type { InboundRequest } from '../../core/connectors/definition.js';
import { bodyOf, topLevelText } from '../../core/connectors/body.js';
import { parseSquareObject } from './payload.js';

/**
 * Square's notification envelope: `{ merchant_id, type, event_id, created_at, data: { type, id,
 * object } }`, where `data.object` holds the entity under its own name
 * (`{ payment: {…} }`, `{ refund: {…} }`, `{ customer: {…} }`).
 */
const squareEventSchema = z.object({
  event_id: z.string().min(1),
  type: z.string().min(1),
  /** RFC 3339. */
  created_at: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expected an RFC 3339 timestamp'),
  merchant_id: z.string().nullish(),
  data: z.object({
    type: z.string().nullish(),
    id: z.string().nullish(),
    object: z.record(z.string(), z.unknown()).nullish(),
  }),
});

export type SquareEvent = z.output<typeof squareEventSchema>;

/** The envelope, or InboundPayloadError (400) when a verified body is not one. */
export function readSquareEvent(request: InboundRequest): SquareEvent {
  return parseSquareObject(squareEventSchema, bodyOf(request), '', 'event');
}

/** A top-level string field, if the body has one: for the inbox, before anything is validated. */
export function peekSquareField(request: InboundRequest, field: 'event_id' | 'type'): string | undefined {
  return topLevelText(request, field);
}

export function occurredAt(event: SquareEvent): number {
  return Date.parse(event.created_at);
}
