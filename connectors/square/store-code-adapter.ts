import { squareClient } from './client.js';
import { and, eq, like } from 'drizzle-orm';
import { SquareClient, SquareError, type Square } from 'square';
import type { AdapterServices } from '../../core/connectors/definition.js';
import type { OutboundAdapter, SendContext, SendOutcome } from '../../core/outbound/adapter.js';
import { storeCodeOptions, type StoreCodeCreateOptions, type StoreCodeDeleteOptions, type StoreCodeOptions } from '../../core/rewards/store-code-options.js';
import { findVoucher } from '../../core/rewards/use-voucher.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { E164, maskPhone, normalizePhone, squareFailure, squareIdempotencyKey } from './loyalty-adapter.js';
import { recordSquareReward, squareRewardOfVoucher } from './reward-state.js';
import { pickTier, type RewardTierLinks, type SquareTier } from './reward-tiers.js';

/**
 * Square rewards at the till (adapter `square-store-codes`, docs/connectors/square.md, "Rewards
 * at the till"): a hub redemption of a reward whose `storeCodes` lists `square` becomes a Square
 * Loyalty reward on the member's Square Loyalty account, which the cashier sees and applies at
 * Square Point of Sale; a redemption reversed in the hub while unused deletes it again.
 *
 * - `create`: the account (SearchLoyaltyAccounts by the member's `square:<customer id>` alias,
 *   else by the member's phone), the reward tier (reward-tiers.ts, from RetrieveLoyaltyProgram
 *   `main`), then CreateLoyaltyReward `{ idempotency_key, reward: { loyalty_account_id,
 *   reward_tier_id } }`; Square's reward id ↔ the voucher code go into the connector's state,
 *   where the inbound side finds them when the till redeems the reward (loyalty-event.ts).
 * - `delete`: DeleteLoyaltyReward of the reward recorded for the code. A code with no reward, or
 *   a reward Square no longer has (404), is done.
 *
 * Points: CreateLoyaltyReward itself takes the tier's points from the Square account and
 * DeleteLoyaltyReward gives them back, so the points mirror (adapter `square`) leaves these
 * redemptions alone (mappings/square-loyalty-mirror.yaml). That only balances when the tier costs
 * what the hub reward costs: a tier of another price is refused before anything is created.
 *
 * One request per call (`maxRetries: 0`): the dispatcher owns retries and `Retry-After`.
 */
export interface SquareStoreCodeConfig {
  accessToken?: string;
  apiUrl?: string;
  tiers: RewardTierLinks;
  timeoutMs?: number;
}

type Request = { abortSignal: AbortSignal; timeoutInSeconds: number; maxRetries: number };

export const SQUARE_STORE_CODE_ADAPTER = 'square-store-codes';

export function createSquareStoreCodeAdapter(config: SquareStoreCodeConfig, services: Pick<AdapterServices, 'store' | 'state'>): OutboundAdapter<StoreCodeOptions> {
  const accessToken = config.accessToken?.trim() || undefined;
  const timeoutInSeconds = (config.timeoutMs ?? 10_000) / 1000;
  let client: SquareClient | undefined;

  return {
    name: SQUARE_STORE_CODE_ADAPTER,
    options: storeCodeOptions,
    async send(options, context) {
      if (!accessToken) return { status: 'permanent', error: 'square: SQUARE_ACCESS_TOKEN is not set; Square rewards need an access token with LOYALTY_READ and LOYALTY_WRITE' };
      if (context.signal.aborted) return { status: 'retry', error: 'square: aborted' };
      client ??= squareClient({ accessToken, apiUrl: config.apiUrl, timeoutInSeconds });
      const request: Request = { abortSignal: context.signal, timeoutInSeconds, maxRetries: 0 };
      return options.action === 'create' ? create(client, options, context, request) : remove(client, options, context, request);
    },
  };

  async function create(client: SquareClient, options: StoreCodeCreateOptions, context: SendContext, request: Request): Promise<SendOutcome> {
    const known = await squareRewardOfVoucher(services.state, options.code);
    if (known) return { status: 'delivered', providerMessageId: known };
    const voucher = await voucherOf(options.code);
    // Reversed (or used elsewhere) before this delivery ran: a reward now would hand the member
    // something the hub already took back.
    if (voucher && voucher.status !== 'active') return { status: 'skipped', reason: `square: voucher ${options.code} is already ${voucher.status}; no Square reward made` };
    const memberId = options.memberId ?? voucher?.memberId;
    if (!memberId) return { status: 'permanent', error: `square: redemption ${options.redemptionId} names no member, so no Square Loyalty account can be found` };

    let account: { id: string } | { skip: string };
    try {
      account = await findAccount(client, memberId, context, request);
    } catch (error) {
      return squareFailure(error, context, 'SearchLoyaltyAccounts');
    }
    if ('skip' in account) return { status: 'skipped', reason: `square: ${account.skip}` };

    let tiers: SquareTier[];
    try {
      const res = await client.loyalty.programs.get({ programId: 'main' }, request);
      tiers = (res.program?.rewardTiers ?? []).flatMap((t) => (t.id ? [{ id: t.id, name: t.name ?? '', points: t.points }] : []));
    } catch (error) {
      if (error instanceof SquareError && error.statusCode === 404) return { status: 'permanent', statusCode: 404, error: 'square: the seller has no Square Loyalty program (RetrieveLoyaltyProgram main: 404)' };
      return squareFailure(error, context, 'RetrieveLoyaltyProgram');
    }
    const picked = pickTier(options.reward, tiers, config.tiers);
    if ('error' in picked) return { status: 'permanent', error: `square: ${picked.error}` };
    const cost = await redemptionPoints(options.redemptionId);
    if (cost !== undefined && cost !== picked.tier.points) {
      return {
        status: 'permanent',
        error: `square: reward tier "${picked.tier.name}" (${picked.tier.id}) costs ${picked.tier.points} points in Square but the hub reward ${options.reward.id} cost ${cost}; make them equal so both balances agree`,
      };
    }

    let reward: Square.LoyaltyReward | undefined;
    try {
      const res = await client.loyalty.rewards.create(
        { idempotencyKey: squareIdempotencyKey(context.idempotencyKey), reward: { loyaltyAccountId: account.id, rewardTierId: picked.tier.id } },
        request,
      );
      reward = res.reward;
    } catch (error) {
      return squareFailure(error, context, 'CreateLoyaltyReward');
    }
    if (!reward?.id) return { status: 'retry', statusCode: 200, error: 'square: CreateLoyaltyReward answered without a reward id' };
    await recordSquareReward(services.state, reward.id, options.code);
    return { status: 'delivered', statusCode: 200, providerMessageId: reward.id };
  }

  async function remove(client: SquareClient, options: StoreCodeDeleteOptions, context: SendContext, request: Request): Promise<SendOutcome> {
    const rewardId = await squareRewardOfVoucher(services.state, options.code);
    if (!rewardId) return { status: 'delivered', providerMessageId: 'none' };
    try {
      await client.loyalty.rewards.delete({ rewardId }, request);
      return { status: 'delivered', statusCode: 200, providerMessageId: rewardId };
    } catch (error) {
      // Deleted already (at the till, or by an earlier attempt whose answer was lost): done.
      if (error instanceof SquareError && error.statusCode === 404) return { status: 'delivered', statusCode: 404, providerMessageId: rewardId };
      const outcome = squareFailure(error, context, 'DeleteLoyaltyReward');
      // Square refuses to delete a REDEEMED reward: the till took it before the hub reversed.
      if (outcome.status === 'permanent' && error instanceof SquareError) {
        return { ...outcome, error: `${outcome.error} — Square reward ${rewardId} stays; if the till redeemed it, the member had the reward and the hub reversal gave the points back too` };
      }
      return outcome;
    }
  }

  /** By the member's Square customer id (their `square:` alias), else by their phone number. */
  async function findAccount(client: SquareClient, memberId: string, context: SendContext, request: Request): Promise<{ id: string } | { skip: string }> {
    const { memberAliases } = tablesOf(services.store.db);
    const aliases = await services.store.db
      .select({ alias: memberAliases.alias })
      .from(memberAliases)
      .where(and(eq(memberAliases.memberId, memberId), like(memberAliases.alias, 'square:%')));
    const customerIds = aliases.map((a) => a.alias.slice('square:'.length)).filter(Boolean);
    let query: Square.SearchLoyaltyAccountsRequestLoyaltyAccountQuery;
    let who: string;
    if (customerIds.length) {
      query = { customerIds };
      who = `Square customer ${customerIds.join(', ')}`;
    } else {
      const phone = normalizePhone(context.member?.phone ?? '');
      if (!E164.test(phone)) return { skip: `member ${memberId} has no Square customer id and no phone number in E.164 form, so no Square Loyalty account can be found` };
      query = { mappings: [{ phoneNumber: phone }] };
      who = `phone number ${maskPhone(phone)}`;
    }
    const res = await client.loyalty.accounts.search({ query, limit: 1 }, request);
    const id = res.loyaltyAccounts?.[0]?.id;
    return id ? { id } : { skip: `no Square Loyalty account for ${who}; the reward stays a hub voucher only` };
  }

  async function voucherOf(code: string): Promise<{ status: string; memberId: string } | undefined> {
    return findVoucher(services.store.db, code);
  }

  async function redemptionPoints(redemptionId: string): Promise<number | undefined> {
    const { redemptions } = tablesOf(services.store.db);
    const [row] = await services.store.db.select({ points: redemptions.points }).from(redemptions).where(eq(redemptions.id, redemptionId));
    return row?.points;
  }
}

