/**
 * Checkout holds, TigerBeetle-style: a `lock` is a pending transfer member → program:redeemed that
 * reserves points in specific lots; exactly one later transfer resolves it — `capture` posts all
 * or part of it, `unlock` voids it (by hand, or by the scheduler when its TTL runs out).
 * The `open_holds` row is deleted by the resolving transfer and the unique `pending_id` index
 * makes a second resolution impossible, even when two processes race.
 */
import { eq, sql } from 'drizzle-orm';
import { prepared } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { PROGRAM, memberAccount } from './accounts.js';
import { LedgerError } from './errors.js';
import { getLot, movementsOf, moveWithinLot, recordMovements, takeFromLots, type Movement } from './lots.js';
import { lockBalance, requireAvailable } from './member-balance.js';
import { settle } from './settle.js';
import { findApplied, fingerprint, getTransfer, recordTransfer } from './record-transfer.js';
import type { Posted, TransferRow, Why } from './types.js';

export interface LockInput {
  memberId: string;
  points: number;
  idempotencyKey: string;
  /** When the hold releases itself if neither captured nor released. */
  expiresAt: number;
  why: Why;
}

export async function lock(tx: Db, now: number, input: LockInput): Promise<Posted> {
  const print = fingerprint(['lock', input.memberId, input.points, input.expiresAt]);
  const applied = await findApplied(tx, input.idempotencyKey, print);
  if (applied) return applied;

  const balance = await lockBalance(tx, input.memberId, now);
  requireAvailable(balance, input.memberId, input.points);
  const transfer = await recordTransfer(tx, now, {
    idempotencyKey: input.idempotencyKey,
    fingerprint: print,
    kind: 'lock',
    debitAccount: memberAccount(input.memberId),
    creditAccount: PROGRAM.redeemed,
    amount: input.points,
    memberId: input.memberId,
    pending: true,
    timeoutAt: input.expiresAt,
    why: input.why,
  });
  const moves = await takeFromLots(tx, input.memberId, input.points, 'lock');
  await recordMovements(tx, transfer.id, input.memberId, moves);
  await prepared(tx, 'ledger_open_hold', (db, t) =>
    db.insert(t.openHolds).values({
      transferId: sql.placeholder('transferId'),
      memberId: sql.placeholder('memberId'),
      amount: sql.placeholder('amount'),
      expiresAt: sql.placeholder('expiresAt'),
    }),
  )({ transferId: transfer.id, memberId: input.memberId, amount: input.points, expiresAt: input.expiresAt });
  return settle(tx, now, transfer, {
    ...balance,
    available: balance.available - input.points,
    locked: balance.locked + input.points,
  }, 'points.locked');
}

export interface ResolveInput {
  lockId: string;
  idempotencyKey: string;
  /** For capture: how many of the held points to spend (default all); the rest is released. */
  points?: number;
  why: Why;
}

async function openHold(tx: Db, lockId: string): Promise<TransferRow> {
  const hold = await getTransfer(tx, lockId).catch(() => undefined);
  if (!hold || hold.kind !== 'lock') throw new LedgerError('hold_not_found', `no hold ${lockId}`, { lockId });
  return hold;
}

/** Deletes the open-hold row; if another transfer already did, the hold is no longer open. */
async function closeHold(tx: Db, hold: TransferRow): Promise<void> {
  const closed = await prepared(tx, 'ledger_close_hold', (db, t) =>
    db.delete(t.openHolds).where(eq(t.openHolds.transferId, sql.placeholder('id'))).returning(),
  )({ id: hold.id });
  if (closed.length === 0) {
    throw new LedgerError('hold_not_open', `hold ${hold.id} was already captured, released or expired`, {
      lockId: hold.id,
    });
  }
}

/** Spends `capture` points of the hold from its lots in allocation order and releases the rest. */
async function settleLots(tx: Db, hold: TransferRow, capture: number): Promise<Movement[]> {
  const moves: Movement[] = [];
  let toCapture = capture;
  for (const m of await movementsOf(tx, hold.id)) {
    let lot = await getLot(tx, m.lotId);
    const c = Math.min(toCapture, m.amount);
    if (c > 0) {
      lot = await moveWithinLot(tx, lot, 'capture', c);
      moves.push({ lotId: lot.id, kind: 'capture', amount: c });
      toCapture -= c;
    }
    if (m.amount - c > 0) {
      await moveWithinLot(tx, lot, 'unlock', m.amount - c);
      moves.push({ lotId: lot.id, kind: 'unlock', amount: m.amount - c });
    }
  }
  return moves;
}

export async function capture(tx: Db, now: number, input: ResolveInput): Promise<Posted> {
  const print = fingerprint(['capture', input.lockId, input.points ?? null]);
  const applied = await findApplied(tx, input.idempotencyKey, print);
  if (applied) return applied;

  const hold = await openHold(tx, input.lockId);
  const balance = await lockBalance(tx, hold.memberId, now);
  // Looked up again under the member's lock: on PostgreSQL (read committed) a twin with the same
  // key may have committed while we waited, and its answer is ours, as on SQLite where writers
  // run one at a time (docs/api.md, "Idempotency").
  const twin = await findApplied(tx, input.idempotencyKey, print);
  if (twin) return twin;
  const points = input.points ?? hold.amount;
  if (points > hold.amount) {
    throw new LedgerError('capture_exceeds_hold', `hold ${hold.id} holds ${hold.amount} points, ${points} asked`, {
      lockId: hold.id,
      held: hold.amount,
      requested: points,
    });
  }
  await closeHold(tx, hold);
  const transfer = await recordTransfer(tx, now, {
    idempotencyKey: input.idempotencyKey,
    fingerprint: print,
    kind: 'capture',
    debitAccount: hold.debitAccount,
    creditAccount: hold.creditAccount,
    amount: points,
    memberId: hold.memberId,
    pendingId: hold.id,
    why: input.why,
  });
  await recordMovements(tx, transfer.id, hold.memberId, await settleLots(tx, hold, points));
  return settle(tx, now, transfer, {
    ...balance,
    locked: balance.locked - hold.amount,
    available: balance.available + hold.amount - points,
    spent: balance.spent + points,
  }, 'points.spent');
}

export async function unlock(tx: Db, now: number, input: ResolveInput): Promise<Posted> {
  const print = fingerprint(['unlock', input.lockId]);
  const applied = await findApplied(tx, input.idempotencyKey, print);
  if (applied) return applied;

  const hold = await openHold(tx, input.lockId);
  const balance = await lockBalance(tx, hold.memberId, now);
  const twin = await findApplied(tx, input.idempotencyKey, print); // again under the lock: see capture
  if (twin) return twin;
  await closeHold(tx, hold);
  const transfer = await recordTransfer(tx, now, {
    idempotencyKey: input.idempotencyKey,
    fingerprint: print,
    kind: 'unlock',
    debitAccount: hold.debitAccount,
    creditAccount: hold.creditAccount,
    amount: hold.amount,
    memberId: hold.memberId,
    pendingId: hold.id,
    why: input.why,
  });
  await recordMovements(tx, transfer.id, hold.memberId, await settleLots(tx, hold, 0));
  return settle(tx, now, transfer, {
    ...balance,
    locked: balance.locked - hold.amount,
    available: balance.available + hold.amount,
  }, 'points.released');
}
