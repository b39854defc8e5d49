import { squareClient } from './client.js';
import { SquareError } from 'square';

/**
 * Square names the reward of a REDEEM_REWARD or DELETE_REWARD loyalty event only when the event's
 * source is LOYALTY_API (LoyaltyEventRedeemReward / LoyaltyEventDeleteReward in Square's API
 * reference). For the others — a reward applied to a sale at the register — the hub asks which
 * rewards of that loyalty account Square now holds in that state: SearchLoyaltyRewards
 * (`POST /v2/loyalty/rewards/search`, `query: { loyalty_account_id, status }`), most recently
 * updated first, one page. Needs SQUARE_ACCESS_TOKEN with LOYALTY_READ.
 */
export interface SquareRewardLookup {
  /** Square's rewards of the account in `status`; throws on a failure worth retrying. */
  rewardsOf(loyaltyAccountId: string, status: 'REDEEMED' | 'DELETED'): Promise<{ id: string; orderId?: string }[] | { refused: string }>;
}

export function createSquareRewardLookup(options: { accessToken: string; apiUrl?: string }): SquareRewardLookup {
  // The notification is Square's retry loop, and Square gives up on an answer after 10 s.
  const client = squareClient({ accessToken: options.accessToken, apiUrl: options.apiUrl, timeoutInSeconds: 5 });
  return {
    async rewardsOf(loyaltyAccountId, status) {
      try {
        const res = await client.loyalty.rewards.search({ query: { loyaltyAccountId, status }, limit: 30 });
        return (res.rewards ?? []).flatMap((r) => (r.id ? [{ id: r.id, ...(r.orderId ? { orderId: r.orderId } : {}) }] : []));
      } catch (error) {
        const status = error instanceof SquareError ? error.statusCode : undefined;
        // Square answered and will answer the same again (a token without LOYALTY_READ): kept in
        // the inbox as ignored with the reason, to replay once the token is fixed.
        if (status !== undefined && status >= 400 && status < 500 && status !== 429) return { refused: `SearchLoyaltyRewards answered HTTP ${status}` };
        const why = status !== undefined ? `HTTP ${status}` : (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
        throw new Error(`Square reward look-up failed (${why}); answering 5xx so Square retries the notification`, { cause: error });
      }
    },
  };
}
