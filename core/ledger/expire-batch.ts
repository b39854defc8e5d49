/**
 * Expiry at scale: all of one member's lots that are due expire in ONE transfer (one ledger line
 * per member and run, with a movement per lot), and many members go in one transaction. The
 * per-lot path (`expireLot`) costs a transaction, a transfer and an event per lot; a program
 * with a yearly expiry date expires every member's lots at the same instant, so this path is
 * what keeps `loyalty-hub expire` in seconds for a million lots (bench/ledger-expiry.ts).
 *
 * Same invariants: the members' rows are locked first, the due lots are re-read under those
 * locks (so two overlapping runs cannot expire a lot twice), and the key names the lots and their
 * expired parts, so a retried run is a duplicate.
 *
 * Cost: per chunk of 200 members, only set-based statements — lock the balances, read the due
 * lots, insert every member's transfer (one multi-row insert), save the balances (one UPDATE …
 * FROM), emit the events (one multi-row insert), write every lot's movement (INSERT … SELECT),
 * close the lots and rebuild the expiring points of the touched days. Member ids and balances go
 * in as one parameter each (`anyOf`, `saveBalances`), not as lists Drizzle builds value by value.
 * A one-lot member still costs ~60 µs on the 2-core bench machine (a transfer row in four
 * indexes, an event row, a balance row, a lot row, each on a different page, and the WAL commit
 * of those pages): far from 10 s for 1M one-lot members (docs/BENCHMARKS.md (f)).
 */
import { createHash } from 'node:crypto';
import { and, asc, gt, lte, sql } from 'drizzle-orm';
import { anyOf, runStatement } from '../storage/dialect.js';
import { tablesOf } from '../storage/prepared.js';
import type { Writer } from '../commit/writer.js';
import type { Db } from '../storage/store.js';
import { PROGRAM, memberAccount } from './accounts.js';
import { saveBalances } from './member-balance.js';
import { ConcurrentDuplicate } from './errors.js';
import { tryRecordTransfers, type NewTransfer } from './record-transfer.js';
import { announcement } from './operation.js';
import { expiryDay, rebuildExpiringDays } from './expiring-points.js';
import type { Posted } from './types.js';
import { eqConstant } from '../storage/constant.js';

/**
 * Members with lots due to expire, from up to `limit` due lots, soonest due first. Read through
 * the partial index `lots_expiry_idx` (active lots with an expiry only): a `SELECT DISTINCT
 * member_id` is planned by SQLite as a scan of `lots_spend_order_idx` from its first member,
 * stepping over every lot closed by the calls before — quadratic over a run.
 */
export async function membersWithDueLots(db: Db, now: number, limit: number): Promise<string[]> {
  const { lots } = tablesOf(db);
  const rows = await db
    .select({ memberId: lots.memberId })
    .from(lots)
    .where(and(eqConstant(lots.status, 'active'), lte(lots.expiresAt, now), gt(lots.remaining, 0)))
    .orderBy(asc(lots.expiresAt))
    .limit(limit);
  return [...new Set(rows.map((r) => r.memberId))];
}

/** Expires the due lots of `memberIds`, one transfer per member. Call inside a transaction. */
export async function expireMembersLots(w: Writer, memberIds: string[]): Promise<{ posted: Posted; lots: number }[]> {
  if (memberIds.length === 0) return [];
  const { tx, now } = w;
  const { balances, lots } = tablesOf(tx);
  // The row locks of every member of the chunk, in one statement (see lockBalance).
  const locked = await tx
    .update(balances)
    .set({ version: sql`${balances.version} + 1`, updatedAt: now })
    .where(anyOf(tx, balances.memberId, memberIds))
    .returning({
      memberId: balances.memberId,
      available: balances.available,
      pending: balances.pending,
      locked: balances.locked,
      spent: balances.spent,
      expired: balances.expired,
      lifetimeEarned: balances.lifetimeEarned,
    });
  const due = await tx
    .select({ id: lots.id, memberId: lots.memberId, remaining: lots.remaining, expired: lots.expired })
    .from(lots)
    .where(and(anyOf(tx, lots.memberId, memberIds), eqConstant(lots.status, 'active'), lte(lots.expiresAt, now), gt(lots.remaining, 0)))
    .orderBy(asc(lots.memberId), asc(lots.spendOrder), asc(lots.id));
  const byMember = new Map<string, typeof due>();
  for (const l of due) {
    const list = byMember.get(l.memberId);
    if (list) list.push(l);
    else byMember.set(l.memberId, [l]);
  }
  const before = new Map(locked.map(({ memberId, ...b }) => [memberId, b]));
  // Per member: the `expire` line (key and fingerprint name the lots and their expired parts),
  // the new balance and its event — written below for the whole chunk at once.
  const lines = [...byMember].map(([memberId, ls]) => {
    const total = ls.reduce((n, l) => n + Number(l.remaining), 0);
    const state = ls.map((l) => `${l.id}:${l.expired}`).join(',');
    const b = before.get(memberId)!;
    const line: NewTransfer = {
      idempotencyKey: `expire:${memberId}:${createHash('sha256').update(state).digest('base64url').slice(0, 22)}`,
      fingerprint: createHash('sha256').update(`expire|${state}|${total}`).digest('hex'),
      kind: 'expire',
      debitAccount: memberAccount(memberId),
      creditAccount: PROGRAM.expired,
      amount: total,
      memberId,
      lotId: ls.length === 1 ? ls[0]!.id : undefined,
      why: { source: 'system', actor: 'scheduler', reason: ls.length === 1 ? 'lot expired' : `${ls.length} lots expired` },
    };
    return { memberId, lots: ls.length, line, next: { ...b, available: Number(b.available) - total, expired: Number(b.expired) + total } };
  });
  // No look-up of the keys first: under the members' locks a lot still due cannot have been
  // expired by an earlier run, and the unique key still refuses a twin (the write retries).
  const transfers = (await tryRecordTransfers(tx, now, lines.map((l) => l.line))).map((t, i) => {
    if (!t) throw new ConcurrentDuplicate(lines[i]!.line.idempotencyKey);
    return t;
  });
  await saveBalances(tx, new Map(lines.map((l) => [l.memberId, l.next])));
  await w.emitMany(lines.map((l, i) => announcement(transfers[i]!, l.next, 'points.expired')));
  const out = lines.map((l, i) => {
    const posted = { transfer: transfers[i]!, duplicate: false };
    w.recordPosted(posted);
    return { posted, lots: l.lots };
  });
  const expiring = lines.map((l) => l.memberId);
  const newTransfers = transfers.map((t) => t.id);
  // Set-based for the whole chunk: one INSERT … SELECT writes every lot's movement (joined to
  // its member's new transfer) and one UPDATE closes the lots — the same due lots read above,
  // unchanged since under the members' locks.
  if (expiring.length) {
    const dueLots = and(anyOf(tx, lots.memberId, expiring), eqConstant(lots.status, 'active'), lte(lots.expiresAt, now), gt(lots.remaining, 0));
    // Plain SQL (the same in both dialects): Drizzle's insert-select wants every column, `seq` too.
    await runStatement(
      tx,
      sql`insert into lot_movements (transfer_id, lot_id, member_id, kind, amount)
          select t.id, l.id, l.member_id, 'expire', l.remaining
          from lots l join transfers t on t.member_id = l.member_id and ${anyOf(tx, sql`t.id`, newTransfers)}
          where ${anyOf(tx, sql`l.member_id`, expiring)} and l.status = 'active' and l.expires_at <= ${now} and l.remaining > 0`,
    );
    await tx
      .update(lots)
      .set({ expired: sql`${lots.expired} + ${lots.remaining}`, remaining: 0, status: sql`case when ${lots.locked} = 0 then 'closed' else 'active' end` })
      .where(dueLots);
    // Every lot just closed expired on or before today: rebuild those days' expiring points.
    await rebuildExpiringDays(tx, expiring, expiryDay(now));
  }
  return out;
}
