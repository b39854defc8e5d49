/**
 * A verified delivery, from normalized trigger events to committed ledger lines. The inbox row,
 * the ledger lines and the outbox events of one delivery commit in one transaction, so an
 * acknowledged delivery is durable and a failed one leaves nothing half-written.
 *
 *   normalize (may call the platform's API; outside the transaction)
 *     ├─ InboundPayloadError → inbox `rejected`, `webhook.rejected` event, 400
 *     ├─ other error         → inbox `failed`, 503: the platform retries and we process again
 *     ├─ ignored             → inbox `ignored`, 200 {status: ignored}
 *     └─ events              → one transaction: claim the inbox row, apply each trigger,
 *                              record outcomes → 200 {status: accepted | duplicate}
 */
import { InboundPayloadError, type InboundHandler, type InboundRequest } from '../connectors/definition.js';
import type { Commit } from '../commit/commit.js';
import type { Logger } from '../observability/logger.js';
import { maskText } from '../observability/redact.js';
import { applyTrigger, TriggerError, type ApplyOutcome } from '../program/apply-trigger.js';
import type { Program } from '../program/compiled-program.js';
import { MoneyError } from '../triggers/money.js';
import { identifyTrigger } from '../triggers/order-identity.js';
import { jsonPointer } from '../json-pointer.js';
import { findUnsafeText, storableText } from '../triggers/unsafe-text.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import { traceOf, type EvaluationTrace } from './evaluation-trace.js';
import { claimDelivery, finishDelivery, keptHeaders, type InboxRow } from './inbox.js';

export interface DeliveryDeps {
  commit: Commit;
  program: Program;
  logger: Logger;
}

export type DeliveryResult =
  | { status: 'accepted' | 'duplicate'; inboxId: string; eventId: string; outcomes: OutcomeSummary[] }
  | { status: 'ignored'; inboxId: string; reason: string }
  | { status: 'rejected'; inboxId: string; detail: string; errors: { pointer: string; detail: string }[] }
  | { status: 'failed'; inboxId?: string; detail: string };

export interface OutcomeSummary {
  eventId: string;
  type: string;
  status: ApplyOutcome['status'];
  memberId: string | null;
  points: number;
  detail?: string;
}

/** What the inbox row keeps of an event: its summary and the engine's trace (./evaluation-trace.ts). */
export interface StoredOutcome extends OutcomeSummary {
  trace?: EvaluationTrace;
}

function summarize(o: ApplyOutcome, trigger: TriggerEvent): StoredOutcome {
  return {
    eventId: o.triggerId,
    type: trigger.type,
    status: o.status,
    memberId: o.memberId ?? null,
    points: o.points,
    ...(o.detail ? { detail: o.detail } : {}),
    ...(o.evaluation ? { trace: traceOf(o.evaluation) } : {}),
  };
}

/** A delivery seen before: what it became the first time. */
export function duplicateResult(row: InboxRow): DeliveryResult {
  if (row.status === 'ignored') return { status: 'ignored', inboxId: row.id, reason: 'already received; not about loyalty' };
  const events = row.events ? (JSON.parse(row.events) as TriggerEvent[]) : [];
  return { status: 'duplicate', inboxId: row.id, eventId: events[0]?.id ?? row.deliveryId, outcomes: [] };
}

export async function processDelivery(
  deps: DeliveryDeps,
  source: string,
  handler: InboundHandler,
  request: InboundRequest,
  deliveryId: string,
  options: { replay?: boolean; inboxId?: string; previous?: StoredOutcome[] } = {},
): Promise<DeliveryResult> {
  const { commit, program, logger } = deps;
  const topic = handler.topic(request);
  // What is stored is a safe form: NUL → U+FFFD, so the row can be written on PostgreSQL too.
  const base = {
    source,
    deliveryId: storableText(deliveryId),
    topic: topic === undefined ? undefined : storableText(topic),
    rawBody: storableText(request.body),
    headers: keptHeaders(request.headers),
  };
  let normalized;
  try {
    normalized = await handler.normalize(request);
  } catch (error) {
    if (error instanceof InboundPayloadError || error instanceof MoneyError) return reject(deps, base, error, options);
    logger.warn('inbound normalize failed; the platform will retry', { source, deliveryId, error: (error as Error).message });
    // Kept as a log line is (docs/security.md, "Logs"): the error may quote a platform's answer or
    // a failed query's values, and any key reads the inbox's outcomes.
    const inboxId = options.replay ? undefined : await recordOnly(commit, source, { ...base, status: 'failed', outcome: { error: maskText((error as Error).message) } });
    return { status: 'failed', inboxId, detail: 'The hub could not process the delivery now; it will be processed when the platform retries.' };
  }
  if (normalized.status === 'ignored') {
    const inboxId = options.replay ? '' : await recordOnly(commit, source, { ...base, status: 'ignored', outcome: { reason: normalized.reason } });
    return { status: 'ignored', inboxId, reason: normalized.reason };
  }
  const events = normalized.events.map(identifyTrigger);
  const unsafe = unsafeTextIn(events);
  if (unsafe) return reject(deps, base, unsafe, options);
  try {
    const result = await commit(source, async (w) => {
      const { tx, now } = w;
      const claim = options.replay ? { id: '' } : await claimDelivery(tx, now, { ...base, status: 'processing', events });
      if (claim.existing) return { duplicate: claim.existing };
      const stored: StoredOutcome[] = [];
      const outcomes: OutcomeSummary[] = [];
      for (const trigger of events) {
        const { trace, ...summary } = summarize(await applyTrigger(w, program, trigger), trigger);
        // The platform's answer carries the summary only; the trace stays in the inbox.
        outcomes.push(summary);
        // Replayed, an event applied before keeps what it did then (and its trace), not "duplicate".
        const before = summary.status === 'duplicate' ? options.previous?.find((p) => p.eventId === summary.eventId && p.status !== 'duplicate') : undefined;
        stored.push(before ?? { ...summary, ...(trace ? { trace } : {}) });
      }
      // A replay updates the stored row: a delivery rejected before may be accepted now.
      const inboxId = options.replay ? options.inboxId : claim.id;
      if (inboxId) await finishDelivery(tx, now, inboxId, 'accepted', options.replay ? { events, outcome: stored } : { outcome: stored });
      return { inboxId: inboxId ?? '', outcomes };
    });
    if ('duplicate' in result) return duplicateResult(result.duplicate!);
    const allDuplicates = result.outcomes.every((o) => o.status === 'duplicate');
    return { status: allDuplicates ? 'duplicate' : 'accepted', inboxId: result.inboxId, eventId: events[0]?.id ?? deliveryId, outcomes: result.outcomes };
  } catch (error) {
    if (error instanceof TriggerError || error instanceof MoneyError) return reject(deps, { ...base, events }, error, options);
    throw error;
  }
}

/**
 * Trigger events carrying text the hub refuses (NUL, control or bidi characters, lone
 * surrogates: core/triggers/unsafe-text.ts) are the payload's problem — rejected with a pointer
 * into the normalized events, the same answer on SQLite and PostgreSQL (docs/security.md).
 */
function unsafeTextIn(events: TriggerEvent[]): InboundPayloadError | undefined {
  const found = findUnsafeText(events);
  if (found.length === 0) return undefined;
  const errors = found.map((f) => ({ pointer: jsonPointer(f.path, '/events'), detail: f.message }));
  return new InboundPayloadError(`the delivery's events carry refused text: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`, errors);
}

async function recordOnly(commit: Commit, source: string, row: Parameters<typeof claimDelivery>[2]): Promise<string> {
  return commit(source, async ({ tx, now }) => {
    const claim = await claimDelivery(tx, now, row);
    if (!claim.existing && row.status !== 'processing') await finishDelivery(tx, now, claim.id, row.status, { outcome: row.outcome });
    return claim.id;
  });
}

async function reject(
  deps: DeliveryDeps,
  base: Omit<Parameters<typeof claimDelivery>[2], 'status'>,
  error: Error,
  options: { replay?: boolean; inboxId?: string },
): Promise<DeliveryResult> {
  const errors = error instanceof InboundPayloadError ? error.errors : [];
  const detail = error.message;
  if (options.replay) return { status: 'rejected', inboxId: '', detail, errors };
  const inboxId = await deps.commit(base.source, async (w) => {
    const { tx, now } = w;
    const claim = await claimDelivery(tx, now, { ...base, status: 'rejected', outcome: { detail, errors } });
    if (!claim.existing) {
      await finishDelivery(tx, now, claim.id, 'rejected', { outcome: { detail, errors } });
      await w.emit({ type: 'webhook.rejected', memberId: null, data: { platform: base.source, kind: 'payload', reason: detail, deliveryId: base.deliveryId, inboxId: claim.id } });
    }
    return claim.id;
  });
  return { status: 'rejected', inboxId, detail, errors };
}
