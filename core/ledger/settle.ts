import type { LoyaltyEventType } from '../outbox/loyalty-events.js';
import { emitEvent } from '../outbox/emit.js';
import type { Db } from '../storage/store.js';
import { saveBalance, type BalanceFields } from './member-balance.js';
import type { Posted, TransferRow } from './types.js';

/**
 * The last step of every ledger write: store the member's new balance and announce the change
 * as a loyalty event — both in the write's transaction, so a committed change is always
 * announced and a rolled-back one never is.
 */
export async function settle(tx: Db, now: number, transfer: TransferRow, next: BalanceFields, type: LoyaltyEventType): Promise<Posted> {
  await saveBalance(tx, transfer.memberId, next);
  await announce(tx, now, transfer, next, type);
  return { transfer, duplicate: false };
}

export async function announce(tx: Db, now: number, t: TransferRow, balance: BalanceFields, type: LoyaltyEventType): Promise<void> {
  await emitEvent(tx, now, {
    type,
    memberId: t.memberId,
    data: {
      points: t.amount,
      transferId: t.id,
      kind: t.kind,
      source: t.source,
      reason: t.reason,
      eventId: t.eventId,
      ruleId: t.ruleId,
      redemptionId: t.redemptionId,
      actor: t.actor,
      lockId: t.pendingId,
      reversesId: t.reversesId,
      lotId: t.lotId,
      balance,
    },
  });
}
