/**
 * Time-driven lot changes: a pending lot becomes active when its returns window has passed. The
 * key is derived from the lot, so a scheduler running twice (or in two processes) applies each
 * activation once. Expiry goes many members at a time: ./expire-batch.ts.
 */
import { eq } from 'drizzle-orm';
import { tablesOf } from '../storage/prepared.js';
import { memberAccount, memberPendingAccount } from './accounts.js';
import { followLot } from './expiring-points.js';
import { recordMovements } from './lots.js';
import type { Applied, LockingOperation } from './operation.js';

export interface ActivateInput {
  lotId: string;
  memberId: string;
}

/** Activates a pending lot whose activation time has come; nothing when it is not (or no longer) due. */
export const activateLot: LockingOperation<ActivateInput, Applied | undefined> = {
  name: 'activate',
  key: (input) => `activate:${input.lotId}`,
  identity: (input) => [input.lotId],
  member: (_tx, input) => input.memberId,
  async apply({ tx, now, balance, memberId, record }, input) {
    const { lots } = tablesOf(tx);
    const [lot] = await tx.select().from(lots).where(eq(lots.id, input.lotId));
    if (!lot || lot.status !== 'pending' || lot.activatesAt > now) return undefined;
    if (lot.remaining === 0) {
      await tx.update(lots).set({ status: 'closed' }).where(eq(lots.id, lot.id));
      return undefined;
    }
    const transfer = await record({
      kind: 'activate',
      debitAccount: memberPendingAccount(memberId),
      creditAccount: memberAccount(memberId),
      amount: lot.remaining,
      memberId,
      lotId: lot.id,
      why: { source: 'system', actor: 'scheduler', reason: 'returns window passed' },
    });
    await tx.update(lots).set({ status: 'active' }).where(eq(lots.id, lot.id));
    await followLot(tx, lot, { ...lot, status: 'active' });
    await recordMovements(tx, transfer.id, memberId, [{ lotId: lot.id, kind: 'activate', amount: lot.remaining }]);
    return {
      transfer,
      balance: {
        ...balance,
        pending: balance.pending - lot.remaining,
        available: balance.available + lot.remaining,
        lifetimeEarned: balance.lifetimeEarned + lot.remaining,
      },
      event: 'points.activated',
    };
  },
};
