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
 *     replay of its movements.
 * I3  A reversal never takes back more than the original transfer moved.
 * I4  No idempotency key is applied twice; a hold is resolved (captured or released) at most once,
 *     and a hold is either open or resolved.
 * I5  No balance field is ever negative; in particular a spend, lock or debit never takes
 *     `available` below zero — it is refused and nothing is written.
 *
 * HOW THEY ARE KEPT
 * - Every write runs in one transaction that first takes the member's row lock (`lockBalance`),
 *   then reads lots, then appends transfers and movements and writes the new balance row: the
 *   balance is maintained with the transfers, never recomputed by scanning history (O(1) reads).
 * - Idempotency is a unique index on `transfers.idempotency_key` (insert … on conflict do
 *   nothing), not a read-then-write; a lost race rolls back and returns the winner's transfer.
 * - Spends take from the lots that expire first; reversals of spends put points back into the
 *   lots they came from, with their original expiry.
 */
import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Db, Store } from '../storage/store.js';
import { adjust, type AdjustInput } from './adjust.js';
import { earn, type EarnInput } from './earn.js';
import { ConcurrentDuplicate } from './errors.js';
import { expireMembersLots, membersWithDueLots } from './expire-batch.js';
import { activateLot, expireLot } from './lot-lifecycle.js';

const EXPIRY_MEMBERS_PER_TRANSACTION = 200;
import { capture, lock, unlock, type LockInput, type ResolveInput } from './locks.js';
import { NEVER } from './lots.js';
import { reverse, type ReverseInput } from './reverse.js';
import { spend, type SpendInput } from './spend.js';
import type { Balance, Clock, Posted, TransferRow } from './types.js';

export { LedgerError } from './errors.js';
export { checkLedgerInvariants } from './check-invariants.js';
export type { Balance, Posted, TransferRow, Why, TransferKind } from './types.js';
export type { EarnInput, SpendInput, LockInput, ResolveInput, ReverseInput, AdjustInput };
/** The operations themselves, for callers composing several writes in one transaction. */
export const ledgerOps = { earn, spend, lock, capture, unlock, reverse, adjust, activateLot, expireLot };

/**
 * PostgreSQL's unique_violation: a concurrent transaction committed the same row first — two
 * deliveries enrolling one new customer at the same moment both insert the member with that
 * e-mail. Everything the loser wrote was rolled back; run again, it finds the committed row and
 * goes on (or refuses properly, e.g. `member_exists`). SQLite runs writers one at a time, so
 * there it does not happen.
 */
function lostUniqueRace(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return (e.code ?? e.cause?.code) === '23505';
}

export interface DueWork {
  activated: number;
  released: number;
  expired: number;
}

export interface ExpiringBatch {
  points: number;
  expiresAt: number;
}

export interface LedgerOptions {
  clock?: Clock;
  /** Called after each committed write (metrics); duplicates included, flagged. */
  onPosted?: (posted: Posted) => void;
}

export class Ledger {
  readonly clock: Clock;
  private readonly onPosted: (posted: Posted) => void;

  constructor(
    private readonly store: Store,
    options: LedgerOptions | Clock = {},
  ) {
    const opts = typeof options === 'function' ? { clock: options } : options;
    this.clock = opts.clock ?? Date.now;
    this.onPosted = opts.onPosted ?? (() => {});
  }

  earn(input: EarnInput): Promise<Posted> {
    return this.post((tx, now) => earn(tx, now, input));
  }
  spend(input: SpendInput): Promise<Posted> {
    return this.post((tx, now) => spend(tx, now, input));
  }
  lock(input: LockInput): Promise<Posted> {
    return this.post((tx, now) => lock(tx, now, input));
  }
  capture(input: ResolveInput): Promise<Posted> {
    return this.post((tx, now) => capture(tx, now, input));
  }
  unlock(input: ResolveInput): Promise<Posted> {
    return this.post((tx, now) => unlock(tx, now, input));
  }
  reverse(input: ReverseInput): Promise<Posted> {
    return this.post((tx, now) => reverse(tx, now, input));
  }
  adjust(input: AdjustInput): Promise<Posted> {
    return this.post((tx, now) => adjust(tx, now, input));
  }

  /** Reports writes made through `write()` with the ops directly (several in one transaction). */
  observe(...posted: (Posted | undefined)[]): void {
    for (const p of posted) if (p) this.onPosted(p);
  }

  private async post(fn: (tx: Db, now: number) => Promise<Posted>): Promise<Posted> {
    const posted = await this.write(fn);
    this.onPosted(posted);
    return posted;
  }

  /**
   * Runs `fn` in a transaction with the clock read once; a transaction that lost an idempotency
   * race to a concurrent twin is retried, and the retry returns the twin's transfer.
   */
  async write<T>(fn: (tx: Db, now: number) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.transaction((tx) => fn(tx, this.clock()));
      } catch (error) {
        if (!(error instanceof ConcurrentDuplicate || lostUniqueRace(error)) || attempt >= 3) throw error;
      }
    }
  }

  /** One primary-key read, whatever the length of the member's history. */
  async balance(memberId: string): Promise<Balance | undefined> {
    const [row] = await prepared(this.store.db, 'ledger_balance', (db, t) =>
      db.select().from(t.balances).where(eq(t.balances.memberId, sql.placeholder('memberId'))),
    )({ memberId });
    if (!row) return undefined;
    const { version: _v, updatedAt: _u, ...balance } = row;
    return balance;
  }

  /** Every batch of points that will expire, soonest first (not only the next one). */
  async expiring(memberId: string): Promise<ExpiringBatch[]> {
    const rows = await prepared(this.store.db, 'ledger_expiring', (db, { lots }) =>
      db
        .select({ expiresAt: lots.spendOrder, points: sql<number>`sum(${lots.remaining} + ${lots.locked})` })
        .from(lots)
        .where(and(eq(lots.memberId, sql.placeholder('memberId')), eq(lots.status, 'active'), lt(lots.spendOrder, NEVER)))
        .groupBy(lots.spendOrder)
        .orderBy(asc(lots.spendOrder)),
    )({ memberId });
    return rows
      .filter((r) => Number(r.points) > 0)
      .map((r) => ({ expiresAt: r.expiresAt!, points: Number(r.points) }));
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
    const { lots, openHolds } = tablesOf(db);
    const toActivate = await db
      .select({ id: lots.id, memberId: lots.memberId })
      .from(lots)
      .where(and(eq(lots.status, 'pending'), lt(lots.activatesAt, now + 1)))
      .limit(limit);
    for (const lot of toActivate) {
      const posted = await this.write((tx, t) => activateLot(tx, t, lot.id, lot.memberId));
      this.observe(posted);
      if (posted) work.activated++;
    }
    const toRelease = await db.select().from(openHolds).where(lt(openHolds.expiresAt, now + 1)).limit(limit);
    for (const hold of toRelease) {
      const released = await this.write((tx, t) =>
        unlock(tx, t, {
          lockId: hold.transferId,
          idempotencyKey: `unlock:${hold.transferId}`,
          why: { source: 'system', actor: 'scheduler', reason: 'hold expired' },
        }).catch((error: unknown) => {
          // Captured or released by someone else since we looked: nothing to do.
          if ((error as { code?: string }).code === 'hold_not_open') return undefined;
          throw error;
        }),
      );
      this.observe(released);
      if (released) work.released++;
    }
    // Expiry goes member by member (one transfer per member), many members per transaction.
    const due = await membersWithDueLots(db, now, limit);
    for (let i = 0; i < due.length; i += EXPIRY_MEMBERS_PER_TRANSACTION) {
      const chunk = due.slice(i, i + EXPIRY_MEMBERS_PER_TRANSACTION);
      const results = await this.write((tx, t) => expireMembersLots(tx, t, chunk));
      for (const r of results) {
        this.observe(r.posted);
        work.expired += r.lots;
      }
    }
    return work;
  }
}
