/**
 * Running a stored delivery again (docs/api.md, "Inbox"; docs/operating.md): its raw body is
 * normalized again by its connector as configured now and the trigger events are applied.
 * Signatures are not checked again (the delivery was verified when it arrived). Idempotent: an
 * order, refund or activity already applied is a duplicate and earns nothing twice. One copy,
 * used by `loyalty-hub replay` and `POST /v1/inbox/{id}/replay`.
 */
import type { InboundHandler } from '../connectors/definition.js';
import type { InboxRow } from './inbox.js';
import { processDelivery, type DeliveryDeps, type DeliveryResult, type StoredOutcome } from './process-delivery.js';

/** Why a stored delivery is not run again, in words. */
export type ReplayRefusal =
  | { refused: 'erased'; detail: string }
  | { refused: 'processing'; detail: string }
  | { refused: 'connector-not-configured'; detail: string };

export async function replayDelivery(
  deps: DeliveryDeps,
  row: InboxRow,
  handler: InboundHandler | undefined,
  publicUrl: string | undefined,
): Promise<DeliveryResult | ReplayRefusal> {
  if (row.erasedAt !== null) {
    // Its body is gone with the person it was about (docs/api.md, "Erasure"): nothing to run again.
    return { refused: 'erased', detail: `the person this delivery was about was erased on ${new Date(row.erasedAt).toISOString()}` };
  }
  if (row.status === 'processing') return { refused: 'processing', detail: 'the delivery is being processed now; replay it once it is done' };
  if (!handler) return { refused: 'connector-not-configured', detail: `the ${row.source} connector is not configured here` };
  const rawBody = new TextEncoder().encode(row.rawBody);
  const request = {
    method: 'POST',
    url: `${publicUrl?.replace(/\/+$/, '') ?? ''}/webhooks/${row.source}`,
    headers: new Headers(JSON.parse(row.headers) as Record<string, string>),
    rawBody,
    body: row.rawBody,
  };
  const previous = row.outcome ? (JSON.parse(row.outcome) as unknown) : null;
  return processDelivery(deps, row.source, handler, request, row.deliveryId, {
    replay: true,
    inboxId: row.id,
    previous: Array.isArray(previous) ? (previous as StoredOutcome[]) : undefined,
  });
}

/** Points this run wrote: a duplicate's points are what it earned the first time, not now. */
export function pointsWritten(result: DeliveryResult): number {
  return 'outcomes' in result ? result.outcomes.filter((o) => o.status !== 'duplicate').reduce((n, o) => n + o.points, 0) : 0;
}
