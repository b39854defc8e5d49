import { newId } from '../ids.js';
import { PROGRAM, memberAccount, memberPendingAccount } from './accounts.js';
import { createLot } from './lots.js';
import { creditBalance } from './member-balance.js';
import type { CreditOperation } from './operation.js';
import type { Why } from './types.js';

export interface EarnInput {
  memberId: string;
  points: number;
  idempotencyKey: string;
  /** When the points become spendable; later than now makes them pending (returns window). */
  activatesAt?: number;
  /** When the unspent part expires; null or absent: never. */
  expiresAt?: number | null;
  why: Why;
}

/**
 * Credits a new lot: active at once, or pending until `activatesAt`. A credit reads no lots, so
 * it adds to the balance in one statement at the end instead of locking it first.
 */
export const earn: CreditOperation<EarnInput> = {
  name: 'earn',
  credit: true,
  key: (input) => input.idempotencyKey,
  identity: (input) => [input.memberId, input.points, input.activatesAt ?? null, input.expiresAt ?? null],
  async apply({ w, tx, now, recordFirst }, input) {
    const activatesAt = input.activatesAt ?? now;
    const pending = activatesAt > now;
    const lotId = newId('lot', now);
    const transfer = await recordFirst({
      kind: 'earn',
      debitAccount: PROGRAM.issued,
      creditAccount: pending ? memberPendingAccount(input.memberId) : memberAccount(input.memberId),
      amount: input.points,
      memberId: input.memberId,
      lotId,
      why: input.why,
    });
    if (!transfer) return undefined; // applied before: the preamble answers with that transfer
    await createLot(tx, now, {
      id: lotId,
      memberId: input.memberId,
      transferId: transfer.id,
      amount: input.points,
      activatesAt,
      expiresAt: input.expiresAt ?? null,
    });
    // The breakage rate's denominator: points that could expire that day (core/analytics/tally.ts).
    if (input.expiresAt != null) w.tally.due(input.memberId, input.expiresAt, input.points, w.origin);
    const credit = pending
      ? { available: 0, pending: input.points, lifetimeEarned: 0 }
      : { available: input.points, pending: 0, lifetimeEarned: input.points };
    const balance = await creditBalance(tx, input.memberId, now, credit);
    // The balance before is the one after, less this credit: no read for it (threshold crossings).
    const before = {
      ...balance,
      available: balance.available - credit.available,
      pending: balance.pending - credit.pending,
      lifetimeEarned: balance.lifetimeEarned - credit.lifetimeEarned,
    };
    return { transfer, balance, before, event: pending ? 'points.pending' : 'points.earned', balanceSaved: true };
  },
};
