import { newId } from '../ids.js';
import { PROGRAM, memberAccount } from './accounts.js';
import { LedgerError } from './errors.js';
import { createLot, recordMovements, takeFromLots } from './lots.js';
import { requireAvailable } from './member-balance.js';
import type { LockingOperation } from './operation.js';
import type { Why } from './types.js';

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
export const adjust: LockingOperation<AdjustInput> = {
  name: 'adjust',
  key: (input) => input.idempotencyKey,
  identity: (input) => [input.memberId, input.points, input.expiresAt ?? null],
  member(_tx, input) {
    if (!Number.isSafeInteger(input.points) || input.points === 0) {
      throw new LedgerError('invalid_amount', `an adjustment is a non-zero whole number of points, not ${input.points}`);
    }
    return input.memberId;
  },
  async apply({ tx, now, balance, record }, input) {
    const credit = input.points > 0;
    const points = Math.abs(input.points);
    if (!credit) requireAvailable(balance, input.memberId, points);
    const lotId = credit ? newId('lot', now) : undefined;
    const transfer = await record({
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
    return {
      transfer,
      balance: { ...balance, available: balance.available + input.points },
      event: credit ? 'points.earned' : 'points.reversed',
    };
  },
};
