/**
 * Time-driven lot changes: a pending lot becomes active when its returns window has passed. The
 * key is derived from the lot, so a scheduler running twice (or in two processes) applies each
 * activation once. Expiry goes many members at a time: ./expire-batch.ts.
 *
 * A suspended member's pending lots do not activate (docs/api.md, "Member status"): the
 * scheduler skips them and `activateLot` re-reads the status under the member's lock; they
 * activate when the member is reactivated (core/members/member-status.ts). Points held for fraud
 * review are pending with no activation time at all (`HELD_FOR_REVIEW`) until a reviewer
 * approves them with `releaseHeldLot` (core/program/fraud-holds.ts).
 */
import { eq, sql } from 'drizzle-orm';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { memberAccount, memberPendingAccount } from './accounts.js';
import { followLot } from './expiring-points.js';
import { NEVER, recordMovements, type LotRow } from './lots.js';
import type { Applied, LockedStep, LockingOperation } from './operation.js';
import type { Why } from './types.js';

/** The activation time of a lot held for fraud review: never, until a reviewer releases it. */
export const HELD_FOR_REVIEW = NEVER;

export interface ActivateInput {
  lotId: string;
  memberId: string;
  /** Why it activates now; default: the scheduler, the returns window passed. */
  why?: Why;
}

const RETURNS_WINDOW: Why = { source: 'system', actor: 'scheduler', reason: 'returns window passed' };

/** Whether the member is suspended: its pending points wait (read under the member's lock). */
async function suspended(tx: Db, memberId: string): Promise<boolean> {
  const [row] = await prepared(tx, 'ledger_member_status', (db, t) =>
    db.select({ status: t.members.status }).from(t.members).where(eq(t.members.id, sql.placeholder('memberId'))),
  )({ memberId });
  return row?.status === 'suspended';
}

/** Makes a pending lot's remaining points available now: one `activate` line, member:pending → member. */
async function activateNow({ tx, balance, memberId, record }: LockedStep, lot: LotRow, why: Why, after: Partial<LotRow> = {}): Promise<Applied> {
  const { lots } = tablesOf(tx);
  const transfer = await record({
    kind: 'activate',
    debitAccount: memberPendingAccount(memberId),
    creditAccount: memberAccount(memberId),
    amount: lot.remaining,
    memberId,
    lotId: lot.id,
    why,
  });
  await tx.update(lots).set({ ...after, status: 'active' }).where(eq(lots.id, lot.id));
  await followLot(tx, lot, { ...lot, ...after, status: 'active' });
  await recordMovements(tx, transfer.id, memberId, [{ lotId: lot.id, kind: 'activate', amount: lot.remaining }]);
  return {
    transfer,
    balance: {
      ...balance,
      pending: balance.pending - lot.remaining,
      available: balance.available + lot.remaining,
      lifetimeEarned: balance.lifetimeEarned + lot.remaining,
    },
    event: 'points.activated',
  };
}

/** Activates a pending lot whose activation time has come; nothing when it is not (or no longer) due, or the member is suspended. */
export const activateLot: LockingOperation<ActivateInput, Applied | undefined> = {
  name: 'activate',
  key: (input) => `activate:${input.lotId}`,
  identity: (input) => [input.lotId],
  member: (_tx, input) => input.memberId,
  async apply(step, input) {
    const { tx, now, memberId } = step;
    const { lots } = tablesOf(tx);
    const [lot] = await tx.select().from(lots).where(eq(lots.id, input.lotId));
    if (!lot || lot.status !== 'pending' || lot.activatesAt > now) return undefined;
    if (lot.remaining === 0) {
      await tx.update(lots).set({ status: 'closed' }).where(eq(lots.id, lot.id));
      return undefined;
    }
    if (await suspended(tx, memberId)) return undefined;
    return activateNow(step, lot, input.why ?? RETURNS_WINDOW);
  },
};

export interface ReleaseHeldInput {
  lotId: string;
  memberId: string;
  /** When the points become spendable: now, or later when the rule's returns window is longer. */
  activatesAt: number;
  /** Their expiry, counted from that activation (docs/program.md, "Fraud velocity"). */
  expiresAt: number | null;
  why: Why;
}

/**
 * Releases a lot held for fraud review (approved): it gets its activation and expiry, and
 * activates at once when that time has come and the member is not suspended — otherwise it is
 * an ordinary pending lot the scheduler (or the member's reactivation) activates. Nothing when
 * the lot is no longer held: released before, or closed (a refund took it all back).
 */
export const releaseHeldLot: LockingOperation<ReleaseHeldInput, Applied | undefined> = {
  name: 'release-held',
  key: (input) => `release-held:${input.lotId}`,
  identity: (input) => [input.lotId, input.activatesAt, input.expiresAt],
  member: (_tx, input) => input.memberId,
  async apply(step, input) {
    const { tx, now, memberId } = step;
    const { lots } = tablesOf(tx);
    const [lot] = await tx.select().from(lots).where(eq(lots.id, input.lotId));
    if (!lot || lot.status !== 'pending' || lot.activatesAt !== HELD_FOR_REVIEW) return undefined;
    const times = { activatesAt: input.activatesAt, expiresAt: input.expiresAt, spendOrder: input.expiresAt ?? NEVER };
    if (lot.remaining > 0 && input.activatesAt <= now && !(await suspended(tx, memberId))) return activateNow(step, lot, input.why, times);
    // Pending still (a returns window, a suspension): a lot with nothing left closes when due.
    await tx.update(lots).set(times).where(eq(lots.id, lot.id));
    return undefined;
  },
};
