/**
 * Reversals undo an earn or a spend, in full or in part, and never by more than the original:
 * - an earn gives back at most what is left of its lot (pending or active); points already spent
 *   stay spent (taking them from other lots or recording a debt is the return policy's call);
 * - a spend (or a captured hold) returns points to the very lots it took them from, with their
 *   original expiry, latest-expiring first, up to what earlier reversals have not yet returned.
 */
import { eq, inArray } from 'drizzle-orm';
import { tablesOf } from '../storage/prepared.js';
import { PROGRAM, memberAccount, memberPendingAccount } from './accounts.js';
import { LedgerError } from './errors.js';
import { getLot, moveWithinLot, recordMovements, type Movement } from './lots.js';
import type { Applied, LockedStep, LockingOperation } from './operation.js';
import { getTransfer } from './record-transfer.js';
import type { TransferRow, Why } from './types.js';

export interface ReverseInput {
  transferId: string;
  /** How many points to take back or return; default: all that can be. */
  points?: number;
  idempotencyKey: string;
  why: Why;
  /** Added to the `points.reversed` event (a redemption's voucher code and store codes). */
  eventData?: Record<string, unknown>;
}

/** Takes back (an earn) or gives back (a spend, a capture) part or all of a transfer. */
export const reverse: LockingOperation<ReverseInput> = {
  name: 'reverse',
  key: (input) => input.idempotencyKey,
  identity: (input) => [input.transferId, input.points ?? null],
  async member(tx, input) {
    if (input.points !== undefined && (!Number.isSafeInteger(input.points) || input.points <= 0)) {
      throw new LedgerError('invalid_amount', `a reversal takes a positive whole number of points, not ${input.points}`);
    }
    const original = await getTransfer(tx, input.transferId);
    if (original.kind !== 'earn' && original.kind !== 'spend' && original.kind !== 'capture') {
      throw new LedgerError('not_reversible', `a ${original.kind} transfer cannot be reversed`, {
        transferId: original.id,
        kind: original.kind,
      });
    }
    return original.memberId;
  },
  async apply(step, input) {
    const original = await getTransfer(step.tx, input.transferId);
    const applied = original.kind === 'earn' ? await reverseEarn(step, original, input) : await reverseSpend(step, original, input);
    return input.eventData ? { ...applied, eventData: input.eventData } : applied;
  },
};

function nothingLeft(original: TransferRow, what: string): LedgerError {
  return new LedgerError('not_reversible', `nothing of transfer ${original.id} is left to ${what}`, {
    transferId: original.id,
  });
}

async function reverseEarn({ tx, balance, record }: LockedStep, original: TransferRow, input: ReverseInput): Promise<Applied> {
  const lot = await getLot(tx, original.lotId!);
  const requested = input.points ?? original.amount;
  const take = Math.min(requested, lot.remaining);
  if (take === 0) throw nothingLeft(original, 'take back');
  const pending = lot.status === 'pending';
  const transfer = await record({
    kind: 'reverse',
    debitAccount: pending ? memberPendingAccount(original.memberId) : memberAccount(original.memberId),
    creditAccount: PROGRAM.issued,
    amount: take,
    memberId: original.memberId,
    reversesId: original.id,
    lotId: lot.id,
    why: take < requested ? { ...input.why, metadata: { ...input.why.metadata, requested, shortfall: requested - take } } : input.why,
  });
  await moveWithinLot(tx, lot, 'reverse', take);
  await recordMovements(tx, transfer.id, original.memberId, [{ lotId: lot.id, kind: 'reverse', amount: take }]);
  return {
    transfer,
    balance: pending
      ? { ...balance, pending: balance.pending - take }
      : { ...balance, available: balance.available - take, lifetimeEarned: balance.lifetimeEarned - take },
    event: 'points.reversed',
  };
}

async function reverseSpend({ tx, balance, record }: LockedStep, original: TransferRow, input: ReverseInput): Promise<Applied> {
  const { lotMovements, transfers } = tablesOf(tx);
  // Per lot: what the spend took, less what earlier reversals already returned.
  const taken = new Map<string, number>();
  const spentKind = original.kind === 'capture' ? 'capture' : 'spend';
  const earlier = await tx
    .select({ id: transfers.id })
    .from(transfers)
    .where(eq(transfers.reversesId, original.id));
  const rows = await tx
    .select()
    .from(lotMovements)
    .where(inArray(lotMovements.transferId, [original.id, ...earlier.map((r) => r.id)]));
  rows.sort((a, b) => a.seq - b.seq);
  for (const m of rows) {
    if (m.transferId === original.id && m.kind === spentKind) taken.set(m.lotId, (taken.get(m.lotId) ?? 0) + m.amount);
    if (m.kind === 'restore') taken.set(m.lotId, (taken.get(m.lotId) ?? 0) - m.amount);
  }
  const returnable = [...taken.values()].reduce((a, b) => a + b, 0);
  if (returnable === 0) throw nothingLeft(original, 'return');
  const points = Math.min(input.points ?? returnable, returnable);

  const transfer = await record({
    kind: 'reverse',
    debitAccount: PROGRAM.redeemed,
    creditAccount: memberAccount(original.memberId),
    amount: points,
    memberId: original.memberId,
    reversesId: original.id,
    why: input.why,
  });
  // Latest-taken first: those lots expire last, which is the member's best outcome.
  const moves: Movement[] = [];
  let left = points;
  for (const [lotId, amount] of [...taken.entries()].reverse()) {
    if (left === 0) break;
    const give = Math.min(left, amount);
    if (give === 0) continue;
    await moveWithinLot(tx, await getLot(tx, lotId), 'restore', give);
    moves.push({ lotId, kind: 'restore', amount: give });
    left -= give;
  }
  await recordMovements(tx, transfer.id, original.memberId, moves);
  return {
    transfer,
    balance: { ...balance, available: balance.available + points, spent: balance.spent - points },
    event: 'points.reversed',
  };
}
