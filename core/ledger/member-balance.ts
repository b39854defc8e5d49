import { and, eq, notExists, sql } from 'drizzle-orm';
import { runStatement } from '../storage/dialect.js';
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

/**
 * Writes the new balances of many members computed under their locks, in one UPDATE … FROM a
 * VALUES list per 500 members (the batch expiry: ./expire-batch.ts).
 */
export async function saveBalances(tx: Db, next: ReadonlyMap<string, BalanceFields>): Promise<void> {
  const entries = [...next];
  for (let i = 0; i < entries.length; i += 500) {
    // Values are cast: PostgreSQL types a bare parameter in VALUES as text. The `in` list is
    // what makes SQLite reach the rows by key: without it, past a few hundred values, it
    // planned a scan of every balance per statement (14 ms at 110k members).
    const values = sql.join(
      entries.slice(i, i + 500).map(
        ([memberId, b]) =>
          sql`(cast(${memberId} as text), cast(${b.available} as bigint), cast(${b.pending} as bigint), cast(${b.locked} as bigint), cast(${b.spent} as bigint), cast(${b.expired} as bigint), cast(${b.lifetimeEarned} as bigint))`,
      ),
      sql`, `,
    );
    await runStatement(
      tx,
      sql`with next (member_id, available, pending, locked, spent, expired, lifetime_earned) as (values ${values})
          update balances set available = next.available, pending = next.pending, locked = next.locked, spent = next.spent,
            expired = next.expired, lifetime_earned = next.lifetime_earned
          from next
          where balances.member_id = next.member_id
            and balances.member_id in (${sql.join(
              entries.slice(i, i + 500).map(([memberId]) => sql`${memberId}`),
              sql`, `,
            )})`,
    );
  }
}
