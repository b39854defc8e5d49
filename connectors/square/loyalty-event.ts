import type { ConnectorState, NormalizeResult } from '../../core/connectors/definition.js';
import { occurredAt, type SquareEvent } from './event.js';
import { parseSquareObject } from './payload.js';
import { voucherOfSquareReward } from './reward-state.js';
import { loyaltyEventSchema } from './schemas.js';

/**
 * `loyalty.event.created` for a reward the hub created at Square (store-code-adapter.ts), as a
 * platform fact no rule judges (docs/adding-a-connector.md, "Vouchers at a platform"):
 * - `REDEEM_REWARD` (the till applied it to a sale) → `voucher.used`, referencing the order;
 * - `DELETE_REWARD` (deleted in Square before use; Square gave the points back) →
 *   `voucher.cancelled`, which reverses the hub redemption.
 * The fact id is the reward's (`square:reward:<id>:redeemed` / `:deleted`), so a redelivery, or
 * the same fact under another event id, applies once. A reward the hub did not make, and every
 * other loyalty event (points Square accrued or adjusted), is ignored with the reason.
 */
export async function loyaltyEventCreated(event: SquareEvent, state: ConnectorState): Promise<NormalizeResult> {
  const loyalty = parseSquareObject(loyaltyEventSchema, event.data.object?.loyalty_event, '/data/object/loyalty_event', 'loyalty event');
  const at = Date.parse(loyalty.created_at) || occurredAt(event);
  if (loyalty.type !== 'REDEEM_REWARD' && loyalty.type !== 'DELETE_REWARD') {
    return { status: 'ignored', reason: `Square loyalty event ${loyalty.type} is not about a hub reward` };
  }
  const redeemed = loyalty.type === 'REDEEM_REWARD';
  const rewardId = redeemed ? loyalty.redeem_reward?.reward_id : loyalty.delete_reward?.reward_id;
  if (!rewardId) {
    // Square names the reward only for events whose source is LOYALTY_API.
    return { status: 'ignored', reason: `Square ${loyalty.type} event ${loyalty.id} names no reward_id (source ${loyalty.source ?? 'unknown'})` };
  }
  const code = await voucherOfSquareReward(state, rewardId);
  if (!code) return { status: 'ignored', reason: `Square reward ${rewardId} was not created by the hub` };
  if (redeemed) {
    const reference = loyalty.redeem_reward?.order_id ?? rewardId;
    return { status: 'events', events: [{ type: 'voucher.used', id: `square:reward:${rewardId}:redeemed`, source: 'square', occurredAt: at, voucher: { code, reference } }] };
  }
  const points = loyalty.delete_reward?.points;
  const reason = `Square reward deleted${points ? ` (${points} points returned in Square)` : ''}`;
  return { status: 'events', events: [{ type: 'voucher.cancelled', id: `square:reward:${rewardId}:deleted`, source: 'square', occurredAt: at, voucher: { code, reason } }] };
}
