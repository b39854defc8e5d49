import { and, eq, notExists, sql } from 'drizzle-orm';
import { param, prepared, tablesOf } from '../storage/prepared.js';
import type { Db, Schema } from '../storage/store.js';
import { LedgerError } from './errors.js';
import type { Balance } from './types.js';

export type BalanceFields = Omit<Balance, 'memberId'>;

/** The balance fields of a `balances` row, for `returning()`. */
const balanceColumns = (b: Schema['balances']) => ({
  available: b.available,
  pending: b.pending,
  locked: b.locked,
  spent: b.spent,
  expired: b.expired,
  lifetimeEarned: b.lifetimeEarned,
});

/**
 * Takes the member's row lock and returns the current balance. The lock is an UPDATE (a version
 * bump), not a dialect-specific `SELECT … FOR UPDATE`: on PostgreSQL it blocks any other writer
 * of this member until commit; on SQLite writes are serialized anyway. Every write that touches a
 * member's lots takes this lock first, so lot reads that follow are stable.
 */
export async function lockBalance(tx: Db, memberId: string, now: number): Promise<BalanceFields> {
  const [row] = await prepared(tx, 'ledger_lock_balance', (db, t) =>
    db
      .update(t.balances)
      .set({ version: sql`${t.balances.version} + 1`, updatedAt: param('now') })
      .where(eq(t.balances.memberId, sql.placeholder('memberId')))
      .returning(balanceColumns(t.balances)),
  )({ memberId, now });
  if (!row) {
    throw new LedgerError('member_not_found', `no member ${memberId}`, { memberId });
  }
  return row;
}

/**
 * Adds points to a member's available (or pending) balance in one statement, without reading it
 * first: a credit needs no lot reads, so it takes the row lock only here, at its end. Refuses an
 * unknown or erased member (the caller's transaction then rolls back what it wrote).
 */
export async function creditBalance(
  tx: Db,
  memberId: string,
  now: number,
  credit: { available: number; pending: number; lifetimeEarned: number },
): Promise<BalanceFields> {
  const [row] = await prepared(tx, 'ledger_credit_balance', (db, t) =>
    db
      .update(t.balances)
      .set({
        available: sql`${t.balances.available} + ${sql.placeholder('available')}`,
        pending: sql`${t.balances.pending} + ${sql.placeholder('pending')}`,
        lifetimeEarned: sql`${t.balances.lifetimeEarned} + ${sql.placeholder('lifetimeEarned')}`,
        version: sql`${t.balances.version} + 1`,
        updatedAt: param('now'),
      })
      .where(
        and(
          eq(t.balances.memberId, sql.placeholder('memberId')),
          notExists(
            db
              .select({ id: t.members.id })
              .from(t.members)
              .where(and(eq(t.members.id, sql.placeholder('memberId')), eq(t.members.status, 'erased'))),
          ),
        ),
      )
      .returning(balanceColumns(t.balances)),
  )({ memberId, now, ...credit });
  if (row) return row;
  const { members } = tablesOf(tx);
  const [member] = await tx.select({ status: members.status }).from(members).where(eq(members.id, memberId));
  if (member?.status === 'erased') {
    throw new LedgerError('member_erased', `member ${memberId} was erased and cannot earn`, { memberId });
  }
  throw new LedgerError('member_not_found', `no member ${memberId}`, { memberId });
}

/** Writes the new balance computed under the lock. */
export async function saveBalance(tx: Db, memberId: string, next: BalanceFields): Promise<void> {
  await prepared(tx, 'ledger_save_balance', (db, t) =>
    db
      .update(t.balances)
      .set({
        available: param('available'),
        pending: param('pending'),
        locked: param('locked'),
        spent: param('spent'),
        expired: param('expired'),
        lifetimeEarned: param('lifetimeEarned'),
      })
      .where(eq(t.balances.memberId, sql.placeholder('memberId'))),
  )({ memberId, ...next });
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
