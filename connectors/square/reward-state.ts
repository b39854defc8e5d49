import type { ConnectorState } from '../../core/connectors/definition.js';
import { normalizeVoucherCode } from '../../core/rewards/voucher-code.js';

/**
 * What the store-code adapter records in the connector's state (docs/adding-a-connector.md,
 * "State") for every Square Loyalty reward it creates, read back by the inbound side when Square
 * reports the reward redeemed or deleted, and by the adapter when the hub reverses the redemption.
 * Both directions are kept: Square's reward id → the hub voucher code, and the code → the id.
 */
const rewardKey = (rewardId: string) => `reward:${rewardId}`;
/** Voucher codes are matched case-insensitively (core/rewards/voucher-code.ts): keyed as the hub keeps them. */
const codeKey = (code: string) => `code:${normalizeVoucherCode(code)}`;

export async function recordSquareReward(state: ConnectorState, rewardId: string, code: string): Promise<void> {
  await state.set(rewardKey(rewardId), code);
  await state.set(codeKey(code), rewardId);
}

/** The hub voucher code of a Square reward the hub created, or undefined for any other reward. */
export function voucherOfSquareReward(state: ConnectorState, rewardId: string): Promise<string | undefined> {
  return state.get(rewardKey(rewardId));
}

/** The Square reward made for a hub voucher code, if one was. */
export function squareRewardOfVoucher(state: ConnectorState, code: string): Promise<string | undefined> {
  return state.get(codeKey(code));
}
