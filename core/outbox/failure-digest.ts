/**
 * `delivery.failed.digest` (docs/mappings.md, "Events"; docs/operating.md, "Alerts"): dead
 * deliveries summed up per adapter, at most one digest per adapter per hour, so a provider that
 * is down for a day opens one ticket an hour instead of one per message (34 in one audit).
 *
 * Per-delivery `delivery.failed` stays (SPEC §4): a signed-webhook consumer or a log sheet wants
 * every dead letter with its id. People want the digest: the shipped Zendesk, Slack and Freshdesk
 * alert mappings are on it.
 *
 * - Counted in the transaction that makes the delivery dead (core/outbox/dispatcher.ts), into
 *   `alert_windows` under `delivery.failed:<adapter>` (core/outbox/alert-window.ts): a restart
 *   mid-hour loses nothing.
 * - Sent by the scheduler's tick (every minute by default): the first failure after a quiet hour
 *   goes out at the next tick — with whatever else failed by then — and later ones wait for the
 *   hour since that digest to pass.
 * - Never about itself: a delivery of `delivery.failed` or of a digest that dies is logged, not
 *   counted (no loop when the alerting adapter is the one failing).
 */
import { eq, inArray } from 'drizzle-orm';
import type { Commit } from '../commit/commit.js';
import type { Writer } from '../commit/writer.js';
import { maskText } from '../observability/redact.js';
import { tablesOf } from '../storage/prepared.js';
import type { Store } from '../storage/store.js';
import { anyAlertDue, claimDueAlerts, countIntoWindow, type WindowedAlert } from './alert-window.js';

/** At most one digest per adapter in this window. */
export const DIGEST_WINDOW_MS = 60 * 60 * 1000;

const PREFIX = 'delivery.failed:';

/** Loyalty events about failed deliveries: their own dead letters are not reported again. */
export const FAILURE_EVENT_TYPES: readonly string[] = ['delivery.failed', 'delivery.failed.digest'];

/** Counts a dead delivery toward its adapter's next digest, in the write that made it dead. */
export function countFailedDelivery(w: Writer, delivery: { id: string; adapter: string }): Promise<void> {
  return countIntoWindow(w, `${PREFIX}${delivery.adapter}`, delivery.id);
}

export interface DigestDeps {
  store: Store;
  commit: Commit;
}

/** Emits every digest due; returns how many. An idle tick is one read. */
export async function emitFailureDigests({ store, commit }: DigestDeps, now: number): Promise<number> {
  if (!(await anyAlertDue(store.db, now, PREFIX, DIGEST_WINDOW_MS))) return 0;
  return commit('scheduler', async (w) => {
    const due = await claimDueAlerts(w.tx, w.now, PREFIX, DIGEST_WINDOW_MS);
    for (const alert of due) await w.emit({ type: 'delivery.failed.digest', memberId: null, data: await digestData(w, alert) });
    return due.length;
  });
}

/** The digest's fields: the count, the window, and the first failures as support looks them up. */
async function digestData(w: Writer, alert: WindowedAlert): Promise<Record<string, unknown>> {
  const { deliveries: d, loyaltyEvents: e } = tablesOf(w.tx);
  const rows = alert.samples.length
    ? await w.tx
        .select({
          id: d.id,
          eventId: d.eventId,
          eventType: e.type,
          memberId: d.memberId,
          route: d.route,
          attempts: d.attempts,
          statusCode: d.lastStatusCode,
          error: d.lastError,
        })
        .from(d)
        .leftJoin(e, eq(e.id, d.eventId))
        .where(inArray(d.id, alert.samples))
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const failures = alert.samples.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [
      {
        deliveryId: r.id,
        eventId: r.eventId,
        eventType: r.eventType,
        memberId: r.memberId,
        route: r.route,
        attempts: r.attempts,
        statusCode: r.statusCode,
        // The provider's words may quote the address it refused: masked, as in logs
        // (docs/security.md, "Logs"); the delivery itself has them in full for support.
        reason: r.error === null ? null : maskText(r.error),
      },
    ];
  });
  return {
    adapter: alert.key.slice(PREFIX.length),
    count: alert.count,
    since: new Date(alert.since).toISOString(),
    until: new Date(w.now).toISOString(),
    failures,
    more: Math.max(0, alert.count - failures.length),
  };
}
