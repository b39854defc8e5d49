/**
 * Expiry at scale: all of one member's lots that are due expire in ONE transfer (one ledger line
 * per member and run, with a movement per lot), and many members go in one transaction. The
 * per-lot path (`expireLot`) costs a transaction, a transfer and an event per lot; a program
 * with a yearly expiry date expires every member's lots at the same instant, so this path is
 * what keeps `loyalty-hub expire` in seconds for a million lots (bench/ledger-expiry.ts).
 *
 * Same invariants: the member's row is locked first, the due lots are re-read under that lock
 * (so two overlapping runs cannot expire a lot twice), and the key names the lots and their
 * expired parts, so a retried run is a duplicate.
 */
import { createHash } from 'node:crypto';
import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { PROGRAM, memberAccount } from './accounts.js';
import { lockBalance } from './member-balance.js';
import { recordTransfer, findApplied } from './record-transfer.js';
import { settle } from './settle.js';
import type { Posted } from './types.js';

/** Members with lots due to expire, up to `limit` of them. */
export async function membersWithDueLots(db: Db, now: number, limit: number): Promise<string[]> {
  const { lots } = tablesOf(db);
  const rows = await db
    .selectDistinct({ memberId: lots.memberId })
    .from(lots)
    .where(and(eq(lots.status, 'active'), lte(lots.expiresAt, now), gt(lots.remaining, 0)))
    .limit(limit);
  return rows.map((r) => r.memberId);
}

export async function expireMemberLots(tx: Db, now: number, memberId: string): Promise<{ posted: Posted; lots: number } | undefined> {
  const { lots, lotMovements } = tablesOf(tx);
  const balance = await lockBalance(tx, memberId, now);
  const due = await tx
    .select({ id: lots.id, remaining: lots.remaining, locked: lots.locked, expired: lots.expired })
    .from(lots)
    .where(and(eq(lots.memberId, memberId), eq(lots.status, 'active'), lte(lots.expiresAt, now), gt(lots.remaining, 0)))
    .orderBy(asc(lots.spendOrder), asc(lots.id));
  if (due.length === 0) return undefined;
  const total = due.reduce((n, l) => n + l.remaining, 0);
  const state = due.map((l) => `${l.id}:${l.expired}`).join(',');
  const key = `expire:${memberId}:${createHash('sha256').update(state).digest('base64url').slice(0, 22)}`;
  const print = createHash('sha256').update(`expire|${state}|${total}`).digest('hex');
  const applied = await findApplied(tx, key, print);
  if (applied) return { posted: applied, lots: 0 };
  const transfer = await recordTransfer(tx, now, {
    idempotencyKey: key,
    fingerprint: print,
    kind: 'expire',
    debitAccount: memberAccount(memberId),
    creditAccount: PROGRAM.expired,
    amount: total,
    memberId,
    lotId: due.length === 1 ? due[0]!.id : undefined,
    why: { source: 'system', actor: 'scheduler', reason: due.length === 1 ? 'lot expired' : `${due.length} lots expired` },
  });
  // Set-based: every due lot gives its remaining points to `expired`; a lot with nothing locked closes.
  await tx
    .update(lots)
    .set({
      expired: sql`${lots.expired} + ${lots.remaining}`,
      remaining: 0,
      status: sql`case when ${lots.locked} = 0 then 'closed' else 'active' end`,
    })
    .where(inArray(lots.id, due.map((l) => l.id)));
  for (let i = 0; i < due.length; i += 500) {
    await tx.insert(lotMovements).values(due.slice(i, i + 500).map((l) => ({ transferId: transfer.id, lotId: l.id, memberId, kind: 'expire', amount: l.remaining })));
  }
  const posted = await settle(tx, now, transfer, { ...balance, available: balance.available - total, expired: balance.expired + total }, 'points.expired');
  return { posted, lots: due.length };
}
