/**
 * Operations alerts counted per window (table `alert_windows`): a failure is counted, with its id
 * among the first few samples, in the transaction that makes it a failure; the alert for a key is
 * due when something was counted and no alert went out within the window, and is claimed by a
 * conditional update that resets the count. So at most one alert per key per window, whatever
 * the number of failures or of hub processes on one database, and nothing counted is lost when
 * a hub stops mid-window: the count is a row, not memory (docs/operating.md, "Alerts").
 *
 * `webhook.rejected` (core/inbound/rejection-alerts.ts) applies the same policy (`alertDue`,
 * `firstOccurrence`) to its own table, claiming inline at a failure; this table adds what a digest
 * needs on top: samples, and the claim of every due key by the scheduler, so the count of a
 * window's tail is sent even if nothing fails after it.
 */
import { and, asc, eq, gt, isNull, like, lte, or, sql, type Column, type SQL } from 'drizzle-orm';
import type { Writer } from '../commit/writer.js';
import { skipLocked } from '../storage/dialect.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';

/** No alert sent within the window: when the next may be claimed (any table with a last-alert column). */
export function alertDue(lastAlertAt: Column, now: number, windowMs: number): SQL {
  return or(isNull(lastAlertAt), lte(lastAlertAt, now - windowMs))!;
}

/** In an upsert that counts: the window's first occurrence, restarted when the count was reset. */
export function firstOccurrence(count: Column, since: Column): SQL {
  return sql`CASE WHEN ${count} = 0 OR ${since} IS NULL THEN excluded.since ELSE ${since} END`;
}

/** How many of a window's occurrences an alert names (the rest are counted). */
export const ALERT_SAMPLES = 5;

export interface WindowedAlert {
  key: string;
  /** Occurrences since the previous alert. */
  count: number;
  /** The first of them (epoch ms). */
  since: number;
  /** Ids of the first `ALERT_SAMPLES` of them, in order. */
  samples: string[];
}

/** Counts one occurrence under `key`, keeping `sampleId` if fewer than ALERT_SAMPLES are kept. */
export async function countIntoWindow(w: Writer, key: string, sampleId: string): Promise<void> {
  const { tx, now } = w;
  const { alertWindows: a } = tablesOf(tx);
  // The upsert locks the key's row until commit (PostgreSQL), so concurrent failures serialize
  // on it and none is lost; the sample list is read and written under that lock.
  const [row] = await tx
    .insert(a)
    .values({ key, count: 1, since: now, samples: JSON.stringify([sampleId]), updatedAt: now })
    .onConflictDoUpdate({
      target: a.key,
      set: {
        count: sql`${a.count} + 1`,
        since: firstOccurrence(a.count, a.since),
        // The first occurrence since the last alert starts a new sample list.
        samples: sql`CASE WHEN ${a.count} = 0 THEN excluded.samples ELSE ${a.samples} END`,
        updatedAt: sql`excluded.updated_at`,
      },
    })
    .returning({ count: a.count, samples: a.samples });
  // The first of a window stored its id above, whether inserted or reset.
  if (!row || row.count === 1) return;
  const samples = JSON.parse(row.samples) as string[];
  if (samples.length >= ALERT_SAMPLES) return;
  await tx
    .update(a)
    .set({ samples: JSON.stringify([...samples, sampleId]) })
    .where(eq(a.key, key));
}

/**
 * Claims every alert due under `prefix` (something counted, no alert within `windowMs`): resets
 * their counts and returns what each counted, for the caller to emit in this same transaction.
 */
export async function claimDueAlerts(tx: Db, now: number, prefix: string, windowMs: number, limit = 100): Promise<WindowedAlert[]> {
  const { alertWindows: a } = tablesOf(tx);
  const due = alertDue(a.lastAlertAt, now, windowMs);
  // Locked as read (PostgreSQL; SQLite has one writer): no failure is counted into a row between
  // this read and the reset below, so none is lost; a row being counted right now is skipped and
  // claimed at the next tick.
  const rows = await skipLocked(
    tx
      .select()
      .from(a)
      .where(and(like(a.key, `${prefix}%`), gt(a.count, 0), due))
      .orderBy(asc(a.key))
      .limit(limit),
  );
  const claimed: WindowedAlert[] = [];
  for (const row of rows) {
    // Conditional: another process that claimed it first has reset the count or set lastAlertAt.
    const [won] = await tx
      .update(a)
      .set({ count: 0, since: null, samples: '[]', lastAlertAt: now, updatedAt: now })
      .where(and(eq(a.key, row.key), gt(a.count, 0), due))
      .returning({ key: a.key });
    if (!won) continue;
    claimed.push({ key: row.key, count: row.count, since: row.since ?? now, samples: JSON.parse(row.samples) as string[] });
  }
  return claimed;
}

/** Whether any alert under `prefix` is due: one read, so an idle tick writes nothing. */
export async function anyAlertDue(db: Db, now: number, prefix: string, windowMs: number): Promise<boolean> {
  const { alertWindows: a } = tablesOf(db);
  const rows = await db
    .select({ key: a.key })
    .from(a)
    .where(and(like(a.key, `${prefix}%`), gt(a.count, 0), alertDue(a.lastAlertAt, now, windowMs)))
    .limit(1);
  return rows.length > 0;
}
