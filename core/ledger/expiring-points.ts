/**
 * The per-day aggregate of expiring points (table `expiring_points`, docs/architecture.md,
 * "Expiring points"). The balance read lists a member's expiring points from it — at most one
 * row per UTC day of expiry — instead of summing every active lot, which cost 736 ms for a
 * member with a million expiring lots (docs/BENCHMARKS.md (b)).
 *
 * Kept in the same transaction as the lot change it follows, under the member's lock:
 * - a lot counts while it is `active` and has an expiry: `remaining + locked` points on the day
 *   of `expires_at` (`counted`); every write to a lot applies the difference (`followLot`);
 * - a row holds the earliest expiry among its day's counted lots; when the lot that held it stops
 *   counting, the next one is read through `lots_spend_order_idx` (one index step);
 * - a row whose points reach zero is deleted.
 * The batch expiry rebuilds the rows of the days it touched from the lots (`rebuildExpiringDays`).
 * `checkLedgerInvariants` (I2) compares the table with the lots after every ledger test.
 */
import { and, asc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import { pgOf, runStatement } from '../storage/dialect.js';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Db, Schema } from '../storage/store.js';
import { eqConstant } from '../storage/constant.js';

export const DAY_MS = 86_400_000;

/** The UTC day an expiry falls on: the aggregate's key. */
export const expiryDay = (expiresAt: number): number => Math.floor(expiresAt / DAY_MS);

/** What a lot contributes to the aggregate: its unspent points while active with an expiry. */
export interface CountedLot {
  memberId: string;
  status: string;
  expiresAt: number | null;
  remaining: number;
  locked: number;
}

function counted(lot: CountedLot | null): number {
  if (!lot || lot.status !== 'active' || lot.expiresAt === null) return 0;
  return Number(lot.remaining) + Number(lot.locked);
}

/** An upsert's conflict clause that adds a new day row's points and keeps the earlier expiry. */
function addToDay(t: Schema) {
  return {
    target: [t.expiringPoints.memberId, t.expiringPoints.day],
    set: {
      points: sql`${t.expiringPoints.points} + excluded.points`,
      // min() is not the same function in both dialects; CASE is.
      expiresAt: sql`case when excluded.expires_at < ${t.expiringPoints.expiresAt} then excluded.expires_at else ${t.expiringPoints.expiresAt} end`,
    },
  };
}

/**
 * Adds many new lots to the aggregate in multi-row upserts (the batched earns: ./earn-batch.ts),
 * one row per member and day, since one upsert cannot touch a row twice.
 */
export async function addExpiringLots(tx: Db, lots: readonly CountedLot[]): Promise<void> {
  const days = new Map<string, { memberId: string; day: number; points: number; expiresAt: number }>();
  for (const lot of lots) {
    const points = counted(lot);
    if (points === 0) continue;
    const expiresAt = Number(lot.expiresAt);
    const day = expiryDay(expiresAt);
    const key = `${lot.memberId}\u0000${day}`;
    const d = days.get(key) ?? { memberId: lot.memberId, day, points: 0, expiresAt };
    d.points += points;
    d.expiresAt = Math.min(d.expiresAt, expiresAt);
    days.set(key, d);
  }
  const rows = [...days.values()];
  const t = tablesOf(tx);
  if (!pgOf(tx)) {
    // SQLite: the rows as ONE JSON parameter, as creditBalances does (./member-balance.ts): an
    // import page's thousands of rows cost Drizzle more to bind one by one than the upsert.
    for (let i = 0; i < rows.length; i += 5000) {
      const json = JSON.stringify(rows.slice(i, i + 5000).map((r) => [r.memberId, r.day, r.points, r.expiresAt]));
      await runStatement(
        tx,
        sql`insert into expiring_points (member_id, day, points, expires_at)
            select value ->> 0, value ->> 1, value ->> 2, value ->> 3 from json_each(${json}) where true
            on conflict (member_id, day) do update set points = expiring_points.points + excluded.points,
              expires_at = case when excluded.expires_at < expiring_points.expires_at then excluded.expires_at else expiring_points.expires_at end`,
      );
    }
    return;
  }
  for (let i = 0; i < rows.length; i += 500) await tx.insert(t.expiringPoints).values(rows.slice(i, i + 500)).onConflictDoUpdate(addToDay(t));
}

/**
 * Applies one lot's change (`before` → `after`; `before` null for a new lot) to its day's row.
 * Call after the lot row itself was written. A lot's expiry never changes, so one day is touched.
 */
export async function followLot(tx: Db, before: CountedLot | null, after: CountedLot): Promise<void> {
  if (after.expiresAt === null) return;
  const delta = counted(after) - counted(before);
  if (delta === 0) return;
  const memberId = after.memberId;
  const expiresAt = Number(after.expiresAt);
  const day = expiryDay(expiresAt);
  if (delta > 0) {
    await prepared(tx, 'expiring_add', (db, t) =>
      db
        .insert(t.expiringPoints)
        .values({ memberId: sql.placeholder('memberId'), day: sql.placeholder('day'), points: sql.placeholder('points'), expiresAt: sql.placeholder('expiresAt') })
        .onConflictDoUpdate(addToDay(t)),
    )({ memberId, day, points: delta, expiresAt });
    return;
  }
  const [row] = await prepared(tx, 'expiring_take', (db, t) =>
    db
      .update(t.expiringPoints)
      .set({ points: sql`${t.expiringPoints.points} - ${sql.placeholder('points')}` })
      .where(and(eq(t.expiringPoints.memberId, sql.placeholder('memberId')), eq(t.expiringPoints.day, sql.placeholder('day'))))
      .returning({ points: t.expiringPoints.points, expiresAt: t.expiringPoints.expiresAt }),
  )({ memberId, day, points: -delta });
  if (!row) throw new Error(`expiring_points: no row for member ${memberId} day ${day}, which a lot counted in`);
  if (Number(row.points) <= 0) {
    await prepared(tx, 'expiring_drop', (db, t) =>
      db.delete(t.expiringPoints).where(and(eq(t.expiringPoints.memberId, sql.placeholder('memberId')), eq(t.expiringPoints.day, sql.placeholder('day')))),
    )({ memberId, day });
    return;
  }
  // The lot that set the row's earliest expiry no longer counts: the next one does.
  if (counted(after) === 0 && Number(row.expiresAt) === expiresAt) {
    const [next] = await prepared(tx, 'expiring_next', (db, t) =>
      db
        .select({ expiresAt: t.lots.spendOrder })
        .from(t.lots)
        .where(
          and(
            eq(t.lots.memberId, sql.placeholder('memberId')),
            eqConstant(t.lots.status, 'active'),
            gte(t.lots.spendOrder, sql.placeholder('from')),
            lt(t.lots.spendOrder, sql.placeholder('to')),
          ),
        )
        .orderBy(asc(t.lots.spendOrder))
        .limit(1),
    )({ memberId, from: day * DAY_MS, to: (day + 1) * DAY_MS });
    if (!next) throw new Error(`expiring_points: member ${memberId} day ${day} holds ${row.points} points but no active lot`);
    await prepared(tx, 'expiring_set_first', (db, t) =>
      db
        .update(t.expiringPoints)
        .set({ expiresAt: sql`${sql.placeholder('expiresAt')}` })
        .where(and(eq(t.expiringPoints.memberId, sql.placeholder('memberId')), eq(t.expiringPoints.day, sql.placeholder('day')))),
    )({ memberId, day, expiresAt: Number(next.expiresAt) });
  }
}

/**
 * Rebuilds the rows of `memberIds` for every day up to `lastDay` from their lots: what the batch
 * expiry (./expire-batch.ts) calls after closing, set-based, the due lots of a chunk of members
 * (every due lot expires on or before the current day). Two statements per chunk.
 */
export async function rebuildExpiringDays(tx: Db, memberIds: string[], lastDay: number): Promise<void> {
  if (memberIds.length === 0) return;
  const { expiringPoints } = tablesOf(tx);
  await tx.delete(expiringPoints).where(and(inArray(expiringPoints.memberId, memberIds), lte(expiringPoints.day, lastDay)));
  const list = sql.join(memberIds.map((m) => sql`${m}`), sql`, `);
  // Plain SQL, the same in both dialects. The day length is written into the text, not bound:
  // better-sqlite3 may bind a number as a real, and the day must be an integer division.
  const day = sql.raw(String(DAY_MS));
  await runStatement(
    tx,
    sql`insert into expiring_points (member_id, day, points, expires_at)
        select member_id, expires_at / ${day}, sum(remaining + locked), min(expires_at)
        from lots
        where member_id in (${list}) and status = 'active' and expires_at is not null and expires_at < ${(lastDay + 1) * DAY_MS}
        group by member_id, expires_at / ${day}`,
  );
}

/**
 * The whole table from the lots, as migration 0006 fills it: for rows written behind the
 * ledger's back (the benchmarks' seeded histories), into an empty table. The same text runs on
 * both dialects.
 */
export const FILL_EXPIRING_POINTS_SQL = `insert into expiring_points (member_id, day, points, expires_at)
  select member_id, expires_at / ${DAY_MS}, sum(remaining + locked), min(expires_at) from lots
  where status = 'active' and expires_at is not null and remaining + locked > 0
  group by member_id, expires_at / ${DAY_MS}`;

export interface ExpiringBatch {
  points: number;
  expiresAt: number;
}

/** A member's expiring points, one batch per UTC day, soonest first: at most one row per day. */
export async function readExpiring(db: Db, memberId: string): Promise<ExpiringBatch[]> {
  const rows = await prepared(db, 'expiring_read', (d, t) =>
    d
      .select({ points: t.expiringPoints.points, expiresAt: t.expiringPoints.expiresAt })
      .from(t.expiringPoints)
      .where(eq(t.expiringPoints.memberId, sql.placeholder('memberId')))
      .orderBy(asc(t.expiringPoints.day)),
  )({ memberId });
  return rows.map((r) => ({ points: Number(r.points), expiresAt: Number(r.expiresAt) }));
}
