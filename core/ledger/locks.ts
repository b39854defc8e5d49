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
import { requireAvailable } from './member-balance.js';
import type { LockingOperation } from './operation.js';
import { getTransfer } from './record-transfer.js';
import type { TransferRow, Why } from './types.js';

export interface LockInput {
  memberId: string;
  points: number;
  idempotencyKey: string;
  /** When the hold releases itself if neither captured nor released. */
  expiresAt: number;
  why: Why;
}

export const lock: LockingOperation<LockInput> = {
  name: 'lock',
  key: (input) => input.idempotencyKey,
  identity: (input) => [input.memberId, input.points, input.expiresAt],
  member: (_tx, input) => input.memberId,
  async apply({ tx, balance, record }, input) {
    requireAvailable(balance, input.memberId, input.points);
    const transfer = await record({
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
    return {
      transfer,
      balance: { ...balance, available: balance.available - input.points, locked: balance.locked + input.points },
      event: 'points.locked',
    };
  },
};

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

/** The member of the hold being resolved (an unknown id, or a transfer that is no hold, is refused). */
async function holdMember(tx: Db, input: ResolveInput): Promise<string> {
  return (await openHold(tx, input.lockId)).memberId;
}

/** Posts all or part of a hold (spends it from the lots it reserved) and releases the rest. */
export const capture: LockingOperation<ResolveInput> = {
  name: 'capture',
  key: (input) => input.idempotencyKey,
  identity: (input) => [input.lockId, input.points ?? null],
  member: holdMember,
  recheckUnderLock: true,
  async apply({ tx, balance, record }, input) {
    const hold = await openHold(tx, input.lockId);
    const points = input.points ?? hold.amount;
    if (points > hold.amount) {
      throw new LedgerError('capture_exceeds_hold', `hold ${hold.id} holds ${hold.amount} points, ${points} asked`, {
        lockId: hold.id,
        held: hold.amount,
        requested: points,
      });
    }
    await closeHold(tx, hold);
    const transfer = await record({
      kind: 'capture',
      debitAccount: hold.debitAccount,
      creditAccount: hold.creditAccount,
      amount: points,
      memberId: hold.memberId,
      pendingId: hold.id,
      why: input.why,
    });
    await recordMovements(tx, transfer.id, hold.memberId, await settleLots(tx, hold, points));
    return {
      transfer,
      balance: {
        ...balance,
        locked: balance.locked - hold.amount,
        available: balance.available + hold.amount - points,
        spent: balance.spent + points,
      },
      event: 'points.spent',
    };
  },
};

/** Voids a hold: its points go back to the lots they were reserved in. */
export const unlock: LockingOperation<ResolveInput> = {
  name: 'unlock',
  key: (input) => input.idempotencyKey,
  identity: (input) => [input.lockId],
  member: holdMember,
  recheckUnderLock: true,
  async apply({ tx, balance, record }, input) {
    const hold = await openHold(tx, input.lockId);
    await closeHold(tx, hold);
    const transfer = await record({
      kind: 'unlock',
      debitAccount: hold.debitAccount,
      creditAccount: hold.creditAccount,
      amount: hold.amount,
      memberId: hold.memberId,
      pendingId: hold.id,
      why: input.why,
    });
    await recordMovements(tx, transfer.id, hold.memberId, await settleLots(tx, hold, 0));
    return {
      transfer,
      balance: { ...balance, locked: balance.locked - hold.amount, available: balance.available + hold.amount },
      event: 'points.released',
    };
  },
};
