/**
 * A Square seller's Loyalty API as msw handlers, shaped as Square's API reference
 * (square/connect-api-specification api.json; the answers start from the examples vendored in
 * tests/fixtures/platform-samples/square): one loyalty program with the example's reward tier,
 * one loyalty account, and the rewards made on it. The account's balance moves as Square's does —
 * CreateLoyaltyReward takes the tier's points, DeleteLoyaltyReward gives them back,
 * AdjustLoyaltyPoints adds the signed points — so a test can compare it with the hub's.
 */
import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';
import { sample, type Json } from '../inbound/webhook-helpers.js';

export interface SquareRequest {
  method: string;
  path: string;
  headers: Headers;
  body: Json | undefined;
}

interface StubReward {
  id: string;
  status: 'ISSUED' | 'REDEEMED' | 'DELETED';
  loyalty_account_id: string;
  reward_tier_id: string;
  points: number;
  created_at: string;
  updated_at: string;
}

const example = <T>(name: string): T => sample('square', name) as T;

export const PROGRAM = example<{ program: { id: string; reward_tiers: { id: string; name: string; points: number }[] } }>('retrieve_loyalty_program_response').program;
export const TIER = PROGRAM.reward_tiers[0]!;
const ACCOUNT_EXAMPLE = example<{ loyalty_accounts: Json[] }>('search_loyalty_accounts_response').loyalty_accounts[0]!;
export const ACCOUNT = ACCOUNT_EXAMPLE.id as string;
export const CUSTOMER = ACCOUNT_EXAMPLE.customer_id as string;
export const PHONE = (ACCOUNT_EXAMPLE.mapping as { phone_number: string }).phone_number;

export function squareSeller(server: Pick<SetupServer, 'use'>, api: string, options: { balance?: number; tiers?: { id: string; name: string; points: number }[] } = {}) {
  const seen: SquareRequest[] = [];
  const rewards = new Map<string, StubReward>();
  const failures: { match: (r: SquareRequest) => boolean; answer: () => Response; times: number }[] = [];
  const account = { balance: options.balance ?? 0 };
  const tiers = options.tiers ?? PROGRAM.reward_tiers;
  let next = 0;
  const stamp = '2026-12-07T00:00:00Z';

  async function record(request: Request): Promise<SquareRequest> {
    const text = await request.text();
    const r = { method: request.method, path: new URL(request.url).pathname, headers: request.headers, body: text ? (JSON.parse(text) as Json) : undefined };
    seen.push(r);
    return r;
  }
  function failure(r: SquareRequest): Response | undefined {
    const f = failures.find((x) => x.times > 0 && x.match(r));
    if (!f) return undefined;
    f.times--;
    return f.answer();
  }
  const notFound = (detail: string) => HttpResponse.json({ errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail }] }, { status: 404 });

  server.use(
    http.post(`${api}/v2/loyalty/accounts/search`, async ({ request }) => {
      const r = await record(request);
      const query = (r.body?.query ?? {}) as { customer_ids?: string[]; mappings?: { phone_number: string }[] };
      const match = query.customer_ids?.includes(CUSTOMER) || query.mappings?.some((m) => m.phone_number === PHONE);
      return failure(r) ?? HttpResponse.json(match ? { loyalty_accounts: [{ ...ACCOUNT_EXAMPLE, balance: account.balance }] } : {});
    }),
    http.get(`${api}/v2/loyalty/programs/:programId`, async ({ request }) => {
      const r = await record(request);
      const base = example<{ program: Json }>('retrieve_loyalty_program_response').program;
      return failure(r) ?? HttpResponse.json({ program: { ...base, reward_tiers: tiers.map((t) => ({ ...TIER, ...t })) } });
    }),
    http.post(`${api}/v2/loyalty/rewards`, async ({ request }) => {
      const r = await record(request);
      const failed = failure(r);
      if (failed) return failed;
      const wanted = r.body!.reward as { loyalty_account_id: string; reward_tier_id: string };
      const tier = tiers.find((t) => t.id === wanted.reward_tier_id);
      if (wanted.loyalty_account_id !== ACCOUNT || !tier) return notFound('Loyalty account or reward tier not found');
      const base = example<{ reward: Json }>('create_loyalty_reward_response').reward;
      const id = `a8f43ebe-2ad6-3001-bdd5-${String(++next).padStart(12, '0')}`;
      const reward: StubReward = { ...(base as unknown as StubReward), id, status: 'ISSUED', loyalty_account_id: ACCOUNT, reward_tier_id: tier.id, points: tier.points, created_at: stamp, updated_at: stamp };
      delete (reward as Partial<StubReward> & { order_id?: string }).order_id;
      rewards.set(id, reward);
      account.balance -= tier.points;
      return HttpResponse.json({ reward });
    }),
    http.post(`${api}/v2/loyalty/rewards/search`, async ({ request }) => {
      const r = await record(request);
      const failed = failure(r);
      if (failed) return failed;
      const query = (r.body?.query ?? {}) as { loyalty_account_id?: string; status?: string };
      const found = [...rewards.values()].filter((x) => x.loyalty_account_id === query.loyalty_account_id && (!query.status || x.status === query.status)).reverse();
      return HttpResponse.json(found.length ? { rewards: found } : {});
    }),
    http.delete(`${api}/v2/loyalty/rewards/:rewardId`, async ({ request, params }) => {
      const r = await record(request);
      const failed = failure(r);
      if (failed) return failed;
      const reward = rewards.get(params.rewardId as string);
      if (!reward || reward.status === 'DELETED') return notFound(`Loyalty reward ${params.rewardId as string} not found`);
      if (reward.status === 'REDEEMED') {
        return HttpResponse.json({ errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'BAD_REQUEST', detail: 'Cannot delete a redeemed reward' }] }, { status: 400 });
      }
      seller.deleteInSquare(reward.id);
      return HttpResponse.json({});
    }),
    http.post(`${api}/v2/loyalty/accounts/:accountId/adjust`, async ({ request }) => {
      const r = await record(request);
      const failed = failure(r);
      if (failed) return failed;
      const points = (r.body!.adjust_points as { points: number }).points;
      account.balance += points;
      return HttpResponse.json({ event: { id: `adj-${seen.length}`, type: 'ADJUST_POINTS', created_at: stamp, loyalty_account_id: ACCOUNT, source: 'LOYALTY_API', adjust_points: { loyalty_program_id: PROGRAM.id, points } } });
    }),
  );

  const seller = {
    seen,
    rewards,
    account,
    /** Requests other than the points mirror's and the look-ups: the reward calls. */
    rewardCalls: () => seen.filter((r) => r.path.startsWith('/v2/loyalty/rewards')),
    failNext(match: (r: SquareRequest) => boolean, answer: () => Response, times = 1) {
      failures.push({ match, answer, times });
    },
    /** What the cashier does: the reward is applied to a sale and becomes REDEEMED. */
    redeemAtTill(id: string, orderId?: string) {
      const reward = rewards.get(id)! as StubReward & { order_id?: string; redeemed_at?: string };
      reward.status = 'REDEEMED';
      reward.redeemed_at = stamp;
      if (orderId) reward.order_id = orderId;
    },
    /** The seller deletes the reward in Square (Dashboard or API): the points go back. */
    deleteInSquare(id: string) {
      const reward = rewards.get(id)!;
      reward.status = 'DELETED';
      account.balance += reward.points;
    },
  };
  return seller;
}

/**
 * A `loyalty.event.created` notification: the envelope of Square's LoyaltyEventCreatedEvent
 * example with, as `data.object.loyalty_event`, the REDEEM_REWARD event of Square's
 * SearchLoyaltyEventsResponse example (or a DELETE_REWARD built from LoyaltyEventDeleteReward's
 * documented fields — the reference has no example of one), for `rewardId`.
 */
export function loyaltyEventNotification(
  type: 'REDEEM_REWARD' | 'DELETE_REWARD',
  rewardId: string | undefined,
  more: { eventId: string; orderId?: string; points?: number; source?: string },
): Json {
  const envelope = sample('square', 'loyalty_event_created');
  const events = sample('square', 'search_loyalty_events_response').events as Json[];
  const redeem = events.find((e) => e.type === 'REDEEM_REWARD')!;
  const programId = (redeem.redeem_reward as { loyalty_program_id: string }).loyalty_program_id;
  const loyaltyEvent: Json =
    type === 'REDEEM_REWARD'
      ? { ...redeem, loyalty_account_id: ACCOUNT, ...(more.source ? { source: more.source } : {}), redeem_reward: { loyalty_program_id: programId, ...(rewardId ? { reward_id: rewardId } : {}), ...(more.orderId ? { order_id: more.orderId } : {}) } }
      : {
          id: '5e127479-0b03-3671-ab1e-15faea8b7199',
          type: 'DELETE_REWARD',
          created_at: '2026-12-07T00:10:00Z',
          loyalty_account_id: ACCOUNT,
          source: 'LOYALTY_API',
          delete_reward: { loyalty_program_id: programId, ...(rewardId ? { reward_id: rewardId } : {}), points: more.points ?? TIER.points },
        };
  const data = envelope.data as Json;
  return { ...envelope, event_id: more.eventId, data: { ...data, id: loyaltyEvent.id, object: { loyalty_event: loyaltyEvent } } };
}
