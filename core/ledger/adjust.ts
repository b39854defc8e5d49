import { newId } from '../ids.js';
import type { Db } from '../storage/store.js';
import { PROGRAM, memberAccount } from './accounts.js';
import { LedgerError } from './errors.js';
import { createLot, recordMovements, takeFromLots } from './lots.js';
import { lockBalance, requireAvailable } from './member-balance.js';
import { settle } from './settle.js';
import { findApplied, fingerprint, recordTransfer } from './record-transfer.js';
import type { Posted, Why } from './types.js';

export interface AdjustInput {
  memberId: string;
  /** Positive credits a new lot; negative debits available points (never below zero). */
  points: number;
  idempotencyKey: string;
  /** For a credit: when its lot expires (absent: never). */
  expiresAt?: number | null;
  why: Why & { reason: string };
}

/** A manual correction by a person, with the reason they gave. */
export async function adjust(tx: Db, now: number, input: AdjustInput): Promise<Posted> {
  const print = fingerprint(['adjust', input.memberId, input.points, input.expiresAt ?? null]);
  const applied = await findApplied(tx, input.idempotencyKey, print);
  if (applied) return applied;
  if (!Number.isSafeInteger(input.points) || input.points === 0) {
    throw new LedgerError('invalid_amount', `an adjustment is a non-zero whole number of points, not ${input.points}`);
  }
  const balance = await lockBalance(tx, input.memberId, now);
  const credit = input.points > 0;
  const points = Math.abs(input.points);
  if (!credit) requireAvailable(balance, input.memberId, points);
  const lotId = credit ? newId('lot', now) : undefined;
  const transfer = await recordTransfer(tx, now, {
    idempotencyKey: input.idempotencyKey,
    fingerprint: print,
    kind: 'adjust',
    debitAccount: credit ? PROGRAM.adjusted : memberAccount(input.memberId),
    creditAccount: credit ? memberAccount(input.memberId) : PROGRAM.adjusted,
    amount: points,
    memberId: input.memberId,
    lotId,
    why: input.why,
  });
  if (credit) {
    await createLot(tx, now, {
      id: lotId!,
      memberId: input.memberId,
      transferId: transfer.id,
      amount: points,
      activatesAt: now,
      expiresAt: input.expiresAt ?? null,
    });
  } else {
    // A debit takes points out of lots like a spend, but into `reversed`: it is not spending.
    const taken = await takeFromLots(tx, input.memberId, points, 'reverse');
    await recordMovements(tx, transfer.id, input.memberId, taken);
  }
  return settle(tx, now, transfer, {
    ...balance,
    available: balance.available + input.points,
  }, input.points > 0 ? 'points.earned' : 'points.reversed');
}
