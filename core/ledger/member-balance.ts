import { and, eq, ne, notExists, sql, type SQL } from 'drizzle-orm';
import { allRows, anyOf, changedRows, pgOf, runStatement } from '../storage/dialect.js';
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
  throw await creditRefusal(tx, memberId);
}

/** Why a credit found no balance row to add to: the member was erased, or never existed. */
async function creditRefusal(tx: Db, memberId: string): Promise<LedgerError> {
  const { members } = tablesOf(tx);
  const [member] = await tx.select({ status: members.status }).from(members).where(eq(members.id, memberId));
  if (member?.status === 'erased') return new LedgerError('member_erased', `member ${memberId} was erased and cannot earn`, { memberId });
  return new LedgerError('member_not_found', `no member ${memberId}`, { memberId });
}

const MEMBERS_PER_STATEMENT = 500;

/**
 * `with <name> (member_id, <columns>) as (…)`, one row per member and its numbers, for an
 * `UPDATE balances … FROM <name>`, and `byKey`, the condition that joins it to the balance rows.
 * - SQLite: ONE parameter, a JSON array read by `json_each` into a materialized CTE that drives
 *   the update by key: binding the values one by one cost Drizzle more than SQLite spent on the
 *   update (a 1M-member import, a 1M-member expiry: docs/BENCHMARKS.md (f), (k)).
 * - PostgreSQL: a VALUES list, cast (a bare parameter in VALUES is typed text), and the members
 *   again as an `in` list so the rows are reached by key.
 */
function perMember(tx: Db, name: string, columns: readonly string[], rows: readonly (readonly [string, readonly number[]])[]): { cte: SQL; byKey: SQL } {
  const head = sql.raw(`with ${name} (member_id, ${columns.join(', ')}) as`);
  const byKey = sql.raw(`balances.member_id = ${name}.member_id`);
  if (!pgOf(tx)) {
    const json = JSON.stringify(rows.map(([memberId, numbers]) => [memberId, ...numbers]));
    const read = sql.raw(['value ->> 0', ...columns.map((_, i) => `value ->> ${i + 1}`)].join(', '));
    return { cte: sql`${head} materialized (select ${read} from json_each(${json}))`, byKey };
  }
  const values = sql.join(
    rows.map(([memberId, numbers]) => sql`(cast(${memberId} as text), ${sql.join(numbers.map((n) => sql`cast(${n} as bigint)`), sql`, `)})`),
    sql`, `,
  );
  const members = sql.join(rows.map(([memberId]) => sql`${memberId}`), sql`, `);
  return { cte: sql`${head} (values ${values})`, byKey: sql`${byKey} and balances.member_id in (${members})` };
}

const CREDIT_RETURNING = sql`returning balances.member_id as member_id, balances.available as available, balances.pending as pending,
  balances.locked as locked, balances.spent as spent, balances.expired as expired, balances.lifetime_earned as lifetime_earned`;

/** One `UPDATE balances … FROM credit` for up to 500 members, returning their balances after it (unless `returning` is false). */
function creditStatement(tx: Db, now: number, part: readonly (readonly [string, { available: number; pending: number; lifetimeEarned: number }])[], returning = true): SQL {
  const { cte, byKey } = perMember(tx, 'credit', ['available', 'pending', 'lifetime_earned'], part.map(([memberId, c]) => [memberId, [c.available, c.pending, c.lifetimeEarned]]));
  return sql`${cte}
          update balances set available = balances.available + credit.available,
            pending = balances.pending + credit.pending,
            lifetime_earned = balances.lifetime_earned + credit.lifetime_earned,
            version = balances.version + 1,
            updated_at = ${now}
          from credit
          where ${byKey}
            and not exists (select 1 from members where members.id = credit.member_id and members.status = 'erased')
          ${returning ? CREDIT_RETURNING : sql``}`;
}

/**
 * Adds credits to many members' balances, one `UPDATE … FROM` per 500 members (`perMember`), and
 * returns the balances after them (the batched earns: ./earn-batch.ts). Refuses an unknown or
 * erased member as `creditBalance` does.
 *
 * `balancesAfter: false` (a quiet write, which announces no balance: an import) returns no
 * balances: the update only counts the rows it changed, and a short count is looked into. RETURNING
 * made SQLite's update 40 % dearer (docs/BENCHMARKS.md (k)).
 */
export async function creditBalances(
  tx: Db,
  now: number,
  credits: ReadonlyMap<string, { available: number; pending: number; lifetimeEarned: number }>,
  options: { balancesAfter?: boolean } = {},
): Promise<Map<string, BalanceFields>> {
  const entries = [...credits];
  const after = new Map<string, BalanceFields>();
  for (let i = 0; i < entries.length; i += MEMBERS_PER_STATEMENT) {
    const part = entries.slice(i, i + MEMBERS_PER_STATEMENT);
    if (options.balancesAfter === false) {
      if ((await changedRows(tx, creditStatement(tx, now, part, false))) < part.length) throw await creditRefusal(tx, await firstUncredited(tx, part.map(([memberId]) => memberId)));
      continue;
    }
    const rows = await allRows<Record<string, unknown>>(tx, creditStatement(tx, now, part));
    for (const r of rows) {
      after.set(String(r.member_id), {
        available: Number(r.available),
        pending: Number(r.pending),
        locked: Number(r.locked),
        spent: Number(r.spent),
        expired: Number(r.expired),
        lifetimeEarned: Number(r.lifetime_earned),
      });
    }
    const missing = part.find(([memberId]) => !after.has(memberId));
    if (missing) throw await creditRefusal(tx, missing[0]);
  }
  return after;
}

/** The first of `memberIds` a credit cannot reach: without a balance row, or erased. */
async function firstUncredited(tx: Db, memberIds: readonly string[]): Promise<string> {
  const { balances, members } = tablesOf(tx);
  const reachable = new Set(
    (
      await tx
        .select({ id: balances.memberId })
        .from(balances)
        .innerJoin(members, eq(members.id, balances.memberId))
        .where(and(anyOf(tx, balances.memberId, memberIds), ne(members.status, 'erased')))
    ).map((r) => r.id),
  );
  return memberIds.find((id) => !reachable.has(id)) ?? memberIds[0]!;
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
 * Writes the new balances of many members computed under their locks, in one UPDATE … FROM per
 * 500 members (the batch expiry: ./expire-batch.ts).
 */
export async function saveBalances(tx: Db, next: ReadonlyMap<string, BalanceFields>): Promise<void> {
  const entries = [...next];
  for (let i = 0; i < entries.length; i += MEMBERS_PER_STATEMENT) {
    const part = entries.slice(i, i + MEMBERS_PER_STATEMENT);
    const { cte, byKey } = perMember(
      tx,
      'next',
      ['available', 'pending', 'locked', 'spent', 'expired', 'lifetime_earned'],
      part.map(([memberId, b]) => [memberId, [b.available, b.pending, b.locked, b.spent, b.expired, b.lifetimeEarned]]),
    );
    await runStatement(
      tx,
      sql`${cte}
          update balances set available = next.available, pending = next.pending, locked = next.locked, spent = next.spent,
            expired = next.expired, lifetime_earned = next.lifetime_earned
          from next
          where ${byKey}`,
    );
  }
}
