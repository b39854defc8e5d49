import { eq, sql } from 'drizzle-orm';
import { balances, members } from '../storage/schema.sqlite.js';
import type { Db } from '../storage/store.js';
import { LedgerError } from './errors.js';
import type { Balance } from './types.js';

export type BalanceFields = Omit<Balance, 'memberId'>;

/**
 * Takes the member's row lock and returns the current balance. The lock is an UPDATE (a version
 * bump), not a dialect-specific `SELECT … FOR UPDATE`: on PostgreSQL it blocks any other writer
 * of this member until commit; on SQLite writes are serialized anyway. Every write that touches a
 * member's lots takes this lock first, so lot reads that follow are stable.
 */
export async function lockBalance(tx: Db, memberId: string, now: number): Promise<BalanceFields> {
  const [row] = await tx
    .update(balances)
    .set({ version: sql`${balances.version} + 1`, updatedAt: now })
    .where(eq(balances.memberId, memberId))
    .returning();
  if (!row) {
    throw new LedgerError('member_not_found', `no member ${memberId}`, { memberId });
  }
  return {
    available: row.available,
    pending: row.pending,
    locked: row.locked,
    spent: row.spent,
    expired: row.expired,
    lifetimeEarned: row.lifetimeEarned,
  };
}

/** Like lockBalance, and refuses credits to an erased member. */
export async function lockActiveMember(tx: Db, memberId: string, now: number): Promise<BalanceFields> {
  const balance = await lockBalance(tx, memberId, now);
  const [member] = await tx.select({ status: members.status }).from(members).where(eq(members.id, memberId));
  if (member?.status === 'erased') {
    throw new LedgerError('member_erased', `member ${memberId} was erased and cannot earn`, { memberId });
  }
  return balance;
}

/** Writes the new balance computed under the lock. */
export async function saveBalance(tx: Db, memberId: string, next: BalanceFields): Promise<void> {
  await tx
    .update(balances)
    .set({
      available: next.available,
      pending: next.pending,
      locked: next.locked,
      spent: next.spent,
      expired: next.expired,
      lifetimeEarned: next.lifetimeEarned,
    })
    .where(eq(balances.memberId, memberId));
}

export function requireAvailable(balance: BalanceFields, memberId: string, points: number): void {
  if (balance.available < points) {
    throw new LedgerError(
      'insufficient_points',
      `member ${memberId} has ${balance.available} points available, ${points} requested`,
      { memberId, available: balance.available, requested: points },
    );
  }
}
