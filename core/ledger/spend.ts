import type { Db } from '../storage/store.js';
import { PROGRAM, memberAccount } from './accounts.js';
import { recordMovements, takeFromLots } from './lots.js';
import { lockBalance, requireAvailable } from './member-balance.js';
import { settle } from './settle.js';
import { findApplied, fingerprint, recordTransfer } from './record-transfer.js';
import type { Posted, Why } from './types.js';

export interface SpendInput {
  memberId: string;
  points: number;
  idempotencyKey: string;
  why: Why;
}

/** Debits available points, consuming the lots that expire first. Refused above `available`. */
export async function spend(tx: Db, now: number, input: SpendInput): Promise<Posted> {
  const print = fingerprint(['spend', input.memberId, input.points]);
  const applied = await findApplied(tx, input.idempotencyKey, print);
  if (applied) return applied;

  const balance = await lockBalance(tx, input.memberId, now);
  requireAvailable(balance, input.memberId, input.points);
  const transfer = await recordTransfer(tx, now, {
    idempotencyKey: input.idempotencyKey,
    fingerprint: print,
    kind: 'spend',
    debitAccount: memberAccount(input.memberId),
    creditAccount: PROGRAM.redeemed,
    amount: input.points,
    memberId: input.memberId,
    why: input.why,
  });
  const moves = await takeFromLots(tx, input.memberId, input.points, 'spend');
  await recordMovements(tx, transfer.id, input.memberId, moves);
  return settle(tx, now, transfer, {
    ...balance,
    available: balance.available - input.points,
    spent: balance.spent + input.points,
  }, 'points.spent');
}
