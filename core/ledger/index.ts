/**
 * The points ledger: the single source of truth for every balance.
 *
 * INVARIANTS — checked by `checkLedgerInvariants` after every ledger test scenario:
 *
 * I1  Every transfer balances: it moves one positive integer amount from one account to another
 *     (program accounts `program:*`, or the member's own `member:<id>` / `member:<id>:pending`).
 *     Summed over all posted transfers, credits equal debits; a member's spendable account holds
 *     exactly available + locked, its pending account exactly pending.
 * I2  Each member's balance row (available, pending, locked, spent, expired, lifetimeEarned)
 *     equals the replay of its transfers, and equals the sum of its lots: available = Σ remaining
 *     of active lots, pending = Σ remaining of pending lots, locked = Σ locked = Σ open holds,
 *     spent = Σ spent, expired = Σ expired. Each lot's parts add up to its amount and equal the
 *     replay of its movements. The expiring points listed per member and UTC day equal
 *     the active lots with an expiry that day: Σ (remaining + locked), and the earliest expiry.
 * I3  A reversal never takes back more than the original transfer moved.
 * I4  No idempotency key is applied twice; a hold is resolved (captured or released) at most once,
 *     and a hold is either open or resolved.
 * I5  No balance field is ever negative; in particular a spend, lock or debit never takes
 *     `available` below zero — it is refused and nothing is written.
 * I6  The analytics aggregates count every line once: per flow, `ledger_daily`'s lines and points
 *     equal the transfers'; `activity_gap_months` is `activity_gaps` rolled up by the month of
 *     the previous active day (core/analytics/check-aggregates.ts).
 *
 * HOW THEY ARE KEPT
 * - Every write runs inside the write boundary (`commit`, core/commit/commit.ts) as an operation
 *   posted with `w.post(op, input)`: one shared preamble (operation.ts) computes the request's
 *   fingerprint, answers a replayed key, takes the member's row lock (`lockBalance`), then the
 *   operation reads lots, then appends transfers and movements and writes the new balance row: the
 *   balance is maintained with the transfers, never recomputed by scanning history (O(1) reads).
 * - Idempotency is a unique index on `transfers.idempotency_key` (insert … on conflict do
 *   nothing), not a read-then-write; a lost race rolls back and returns the winner's transfer.
 * - Spends take from the lots that expire first; reversals of spends put points back into the
 *   lots they came from, with their original expiry.
 */
import { and, desc, eq, lt, ne, sql } from 'drizzle-orm';
import type { Commit } from '../commit/commit.js';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Store } from '../storage/store.js';
import { LedgerError } from './errors.js';
import { expireMembersLots, membersWithDueLots } from './expire-batch.js';
import { activateLot } from './lot-lifecycle.js';
import { unlock } from './locks.js';
import { readExpiring, type ExpiringBatch } from './expiring-points.js';
import type { Balance, Clock, TransferRow } from './types.js';
import { eqConstant } from '../storage/constant.js';

export { LedgerError } from './errors.js';
export { checkLedgerInvariants } from './check-invariants.js';
export { earn, type EarnInput } from './earn.js';
export { earnMany } from './earn-batch.js';
export { spend, type SpendInput } from './spend.js';
export { lock, capture, unlock, type LockInput, type ResolveInput } from './locks.js';
export { reverse, type ReverseInput } from './reverse.js';
export { adjust, type AdjustInput } from './adjust.js';
export { activateLot, releaseHeldLot, HELD_FOR_REVIEW } from './lot-lifecycle.js';
export type { Balance, Posted, TransferRow, Why, TransferKind } from './types.js';

const EXPIRY_MEMBERS_PER_TRANSACTION = 200;

export interface DueWork {
  activated: number;
  released: number;
  expired: number;
}

export type { ExpiringBatch } from './expiring-points.js';

/**
 * The ledger's reads, and its share of the scheduler's tick. Writes go through the write
 * boundary: `commit(actor, (w) => w.post(earn, input))` (core/commit/commit.ts).
 */
export class Ledger {
  constructor(
    private readonly store: Store,
    private readonly commit: Commit,
    readonly clock: Clock = Date.now,
  ) {}

  /** One primary-key read, whatever the length of the member's history. */
  async balance(memberId: string): Promise<Balance | undefined> {
    const [row] = await prepared(this.store.db, 'ledger_balance', (db, t) =>
      db.select().from(t.balances).where(eq(t.balances.memberId, sql.placeholder('memberId'))),
    )({ memberId });
    if (!row) return undefined;
    const { version: _v, updatedAt: _u, ...balance } = row;
    return balance;
  }

  /**
   * Every batch of points that will expire, soonest first (not only the next one): one batch per
   * UTC day, at the earliest expiry of that day, read from the per-day aggregate
   * (./expiring-points.ts) so the read does not grow with the member's lots.
   */
  async expiring(memberId: string): Promise<ExpiringBatch[]> {
    return readExpiring(this.store.db, memberId);
  }

  /** The member's history, newest first, paged by `seq`. */
  async history(memberId: string, page: { limit: number; before?: number }): Promise<TransferRow[]> {
    const { transfers } = tablesOf(this.store.db);
    const where = page.before
      ? and(eq(transfers.memberId, memberId), lt(transfers.seq, page.before))
      : eq(transfers.memberId, memberId);
    return this.store.db.select().from(transfers).where(where).orderBy(desc(transfers.seq)).limit(page.limit);
  }

  async transfer(id: string): Promise<TransferRow | undefined> {
    const { transfers } = tablesOf(this.store.db);
    const [row] = await this.store.db.select().from(transfers).where(eq(transfers.id, id));
    return row;
  }

  /**
   * The scheduler's tick: activates pending lots whose time has come, releases holds past their
   * TTL, and expires lots past their expiry (per member, many members per transaction); each
   * change is idempotent. `expired` counts lots. Call again while it reports work.
   */
  async runDue(limit = 500): Promise<DueWork> {
    const now = this.clock();
    const work: DueWork = { activated: 0, released: 0, expired: 0 };
    const db = this.store.db;
    const { lots, members, openHolds } = tablesOf(db);
    // A suspended member's lots wait for reactivation (./lot-lifecycle.ts): left out here, so
    // they cannot fill every tick's `limit` and starve the others.
    const toActivate = await db
      .select({ id: lots.id, memberId: lots.memberId })
      .from(lots)
      .innerJoin(members, eq(members.id, lots.memberId))
      .where(and(eqConstant(lots.status, 'pending'), lt(lots.activatesAt, now + 1), ne(members.status, 'suspended')))
      .limit(limit);
    for (const lot of toActivate) {
      const posted = await this.commit('scheduler', (w) => w.post(activateLot, { lotId: lot.id, memberId: lot.memberId }));
      if (posted) work.activated++;
    }
    const toRelease = await db.select().from(openHolds).where(lt(openHolds.expiresAt, now + 1)).limit(limit);
    for (const hold of toRelease) {
      const released = await this.commit('scheduler', (w) =>
        w
          .post(unlock, {
            lockId: hold.transferId,
            idempotencyKey: `unlock:${hold.transferId}`,
            why: { source: 'system', actor: 'scheduler', reason: 'hold expired' },
          })
          .catch((error: unknown) => {
            // Captured or released by someone else since we looked: nothing to do.
            if (error instanceof LedgerError && error.code === 'hold_not_open') return undefined;
            throw error;
          }),
      );
      if (released) work.released++;
    }
    // Expiry goes member by member (one transfer per member), many members per transaction.
    const due = await membersWithDueLots(db, now, limit);
    for (let i = 0; i < due.length; i += EXPIRY_MEMBERS_PER_TRANSACTION) {
      const chunk = due.slice(i, i + EXPIRY_MEMBERS_PER_TRANSACTION);
      const results = await this.commit('scheduler', (w) => expireMembersLots(w, chunk));
      for (const r of results) work.expired += r.lots;
    }
    return work;
  }
}
