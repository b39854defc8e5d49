import { PROGRAM, memberAccount } from './accounts.js';
import { recordMovements, takeFromLots } from './lots.js';
import { requireAvailable } from './member-balance.js';
import type { LockingOperation } from './operation.js';
import type { Why } from './types.js';

export interface SpendInput {
  memberId: string;
  points: number;
  idempotencyKey: string;
  why: Why;
  /** Added to the `points.spent` event (the store codes of the reward a redemption bought). */
  eventData?: Record<string, unknown>;
}

/** Debits available points, consuming the lots that expire first. Refused above `available`. */
export const spend: LockingOperation<SpendInput> = {
  name: 'spend',
  key: (input) => input.idempotencyKey,
  identity: (input) => [input.memberId, input.points],
  member: (_tx, input) => input.memberId,
  async apply({ tx, balance, record }, input) {
    requireAvailable(balance, input.memberId, input.points);
    const transfer = await record({
      kind: 'spend',
      debitAccount: memberAccount(input.memberId),
      creditAccount: PROGRAM.redeemed,
      amount: input.points,
      memberId: input.memberId,
      why: input.why,
    });
    const moves = await takeFromLots(tx, input.memberId, input.points, 'spend');
    await recordMovements(tx, transfer.id, input.memberId, moves);
    return {
      transfer,
      balance: { ...balance, available: balance.available - input.points, spent: balance.spent + input.points },
      event: 'points.spent',
      ...(input.eventData ? { eventData: input.eventData } : {}),
    };
  },
};
