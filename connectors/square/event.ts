import { z } from 'zod';
import { InboundPayloadError, type InboundRequest } from '../../core/connectors/definition.js';
import { jsonBody } from '../../core/connectors/payload.js';
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
  const entry = jsonBody(request);
  if ('error' in entry) throw new InboundPayloadError('Square webhook body is not JSON', [{ pointer: '', detail: entry.error }]);
  return parseSquareObject(squareEventSchema, entry.json, '', 'event');
}

/** A top-level string field, if the body has one: for the inbox, before anything is validated. */
export function peekSquareField(request: InboundRequest, field: 'event_id' | 'type'): string | undefined {
  const entry = jsonBody(request);
  if ('error' in entry || !entry.json || typeof entry.json !== 'object') return undefined;
  const value = (entry.json as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function occurredAt(event: SquareEvent): number {
  return Date.parse(event.created_at);
}
