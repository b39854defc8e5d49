import type { ConnectorState, NormalizeResult } from '../../core/connectors/definition.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { occurredAt, type SquareEvent } from './event.js';
import { parseSquareObject } from './payload.js';
import { voucherOfSquareReward } from './reward-state.js';
import type { SquareRewardLookup } from './rewards-api.js';
import { loyaltyEventSchema } from './schemas.js';

/**
 * `loyalty.event.created` for a reward the hub created at Square (store-code-adapter.ts), as a
 * platform fact no rule judges (docs/adding-a-connector.md, "Vouchers at a platform"):
 * - `REDEEM_REWARD` (the till applied it to a sale) → `voucher.used`, referencing the order;
 * - `DELETE_REWARD` (deleted in Square before use; Square gave the points back) →
 *   `voucher.cancelled`, which reverses the hub redemption.
 * The fact id is the reward's (`square:reward:<id>:redeemed` / `:deleted`), so a redelivery, or
 * the same fact under another event id, applies once. A reward the hub did not make, and every
 * other loyalty event (points Square accrued or adjusted), is ignored with the reason. An event
 * that names no reward (its source is not LOYALTY_API) is matched through the account's rewards
 * in that state (rewards-api.ts).
 */
export async function loyaltyEventCreated(event: SquareEvent, state: ConnectorState, rewards: SquareRewardLookup | undefined): Promise<NormalizeResult> {
  const loyalty = parseSquareObject(loyaltyEventSchema, event.data.object?.loyalty_event, '/data/object/loyalty_event', 'loyalty event');
  const at = Date.parse(loyalty.created_at) || occurredAt(event);
  if (loyalty.type !== 'REDEEM_REWARD' && loyalty.type !== 'DELETE_REWARD') {
    return { status: 'ignored', reason: `Square loyalty event ${loyalty.type} is not about a hub reward` };
  }
  const redeemed = loyalty.type === 'REDEEM_REWARD';
  const orderId = loyalty.redeem_reward?.order_id;
  const named = redeemed ? loyalty.redeem_reward?.reward_id : loyalty.delete_reward?.reward_id;

  let candidates: { id: string; orderId?: string }[];
  if (named) {
    candidates = [{ id: named }];
  } else {
    // Square names the reward only for events whose source is LOYALTY_API (rewards-api.ts).
    const why = `Square ${loyalty.type} event ${loyalty.id} names no reward_id (source ${loyalty.source ?? 'unknown'})`;
    if (!loyalty.loyalty_account_id) return { status: 'ignored', reason: `${why} and no loyalty account` };
    if (!rewards) return { status: 'ignored', reason: `${why}; SQUARE_ACCESS_TOKEN is needed to look its rewards up` };
    const found = await rewards.rewardsOf(loyalty.loyalty_account_id, redeemed ? 'REDEEMED' : 'DELETED');
    if ('refused' in found) return { status: 'ignored', reason: `${why}; ${found.refused}` };
    // A sale's order names the rewards it redeemed; without an order every reward in that state is
    // a candidate — those already reported are duplicates of their own fact id.
    const ofOrder = orderId ? found.filter((r) => r.orderId === orderId) : [];
    candidates = ofOrder.length ? ofOrder : found;
  }

  const events: PlatformTrigger[] = [];
  for (const reward of candidates) {
    const code = await voucherOfSquareReward(state, reward.id);
    if (!code) continue;
    if (redeemed) {
      const reference = orderId ?? reward.orderId ?? reward.id;
      events.push({ type: 'voucher.used', id: `square:reward:${reward.id}:redeemed`, source: 'square', occurredAt: at, voucher: { code, reference } });
    } else {
      const points = loyalty.delete_reward?.points;
      const reason = `Square reward deleted${points ? ` (${points} points returned in Square)` : ''}`;
      events.push({ type: 'voucher.cancelled', id: `square:reward:${reward.id}:deleted`, source: 'square', occurredAt: at, voucher: { code, reason } });
    }
  }
  if (!events.length) {
    return { status: 'ignored', reason: named ? `Square reward ${named} was not created by the hub` : `no ${redeemed ? 'redeemed' : 'deleted'} Square reward of account ${loyalty.loyalty_account_id} was created by the hub` };
  }
  return { status: 'events', events };
}
