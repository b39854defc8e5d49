/**
 * Signature failures counted per platform per hour, for connector health's "signature failures
 * in the last day" (docs/api.md, "Connectors"). `webhook_rejections` cannot say it: its count
 * resets with each alert. Counted in the transaction that counts the alert's failure
 * (rejection-alerts.ts), as an upsert, so concurrent hub processes lose no count.
 */
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../storage/store.js';
import { tablesOf } from '../storage/prepared.js';

const HOUR_MS = 3_600_000;
/** Kept this long, so the last day is always whole; older hours go as new failures come. */
const KEEP_MS = 48 * HOUR_MS;

export async function countRejectionHour(tx: Db, platform: string, now: number): Promise<void> {
  const { webhookRejectionHours: h } = tablesOf(tx);
  const hourStart = now - (now % HOUR_MS);
  await tx
    .insert(h)
    .values({ platform, hourStart, count: 1 })
    .onConflictDoUpdate({ target: [h.platform, h.hourStart], set: { count: sql`${h.count} + 1` } });
  await tx.delete(h).where(and(eq(h.platform, platform), lt(h.hourStart, now - KEEP_MS)));
}

/**
 * Failures per platform over the current hour and the 23 before it — one range read on the hour
 * index, at most 24 rows per platform.
 */
export async function rejectionsLastDay(db: Db, now: number): Promise<Map<string, number>> {
  const { webhookRejectionHours: h } = tablesOf(db);
  const from = now - (now % HOUR_MS) - 23 * HOUR_MS;
  const rows = await db
    .select({ platform: h.platform, count: sql<number | string>`sum(${h.count})` })
    .from(h)
    .where(gte(h.hourStart, from))
    .groupBy(h.platform);
  return new Map(rows.map((r) => [r.platform, Number(r.count)]));
}
