/**
 * Shopify store codes: a redeemed reward becomes a single-use discount code through Admin GraphQL
 * `discountCodeBasicCreate` (via @shopify/shopify-api), routed by the core's store-code router and
 * delivered by the outbox. msw stands in for the shop and checks the exact request.
 */
import { ApiVersion } from '@shopify/shopify-api';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import {
  basicCodeDiscountInput,
  DISCOUNT_CODE_BASIC_CREATE,
  isCodeTaken,
  SHOPIFY_ADMIN_API_VERSION,
  shopifyDiscountValue,
  shopifyGraphqlUrl,
} from '../../connectors/shopify/discount-code.js';
import { storeCodeOptions, type StoreCodeCreateOptions } from '../../core/rewards/store-code-options.js';
import { createStoreCodeRouter } from '../../core/rewards/store-code-router.js';
import { connectorStatus } from '../../core/connectors/definition.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import type { LoyaltyEvent } from '../../core/outbox/loyalty-events.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

const API = 'https://shopify.test';
const GRAPHQL = `${API}/admin/api/2026-04/graphql.json`;
const TOKEN = 'shpat_0123456789abcdef';
const env = { SHOPIFY_API_SECRET: 'shpss_webhook_secret', SHOPIFY_SHOP: 'example.myshopify.com', SHOPIFY_ADMIN_ACCESS_TOKEN: TOKEN, SHOPIFY_API_URL: API };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function context(overrides: Partial<SendContext> = {}): SendContext {
  return {
    idempotencyKey: 'dlv_01JX4STORECODE',
    attempt: 1,
    member: { id: 'mem_1', email: 'ann@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' },
    timeZone: 'UTC',
    now: Date.UTC(2025, 0, 15, 12),
    signal: new AbortController().signal,
    ...overrides,
  };
}

function adapter(e: Record<string, string | undefined> = env): OutboundAdapter<StoreCodeCreateOptions> {
  return shopify.createAdapter(e) as OutboundAdapter<StoreCodeCreateOptions>;
}

type Reward = StoreCodeCreateOptions['reward'];
const tenOff: Reward = { id: 'rwd_ten', name: '$10 off', kind: 'fixed_discount', value: 1000, currency: 'USD', percent: null, productSku: null };

function options(reward: Partial<Reward> = {}, more: Partial<StoreCodeCreateOptions> = {}): StoreCodeCreateOptions {
  return {
    action: 'create',
    code: 'K7QF-M2XP-9TBA-C4RH',
    title: 'Loyalty reward: $10 off (redemption rdm_01JX4A, member mem_1)',
    startsAt: '2025-01-15T12:00:00.000Z',
    expiresAt: '2025-04-15T12:00:00.000Z',
    redemptionId: 'rdm_01JX4A',
    reward: { ...tenOff, ...reward },
    ...more,
  };
}

interface Captured {
  url: string;
  headers: Headers;
  body: { query: string; variables: { basicCodeDiscount: Record<string, unknown> } };
}

/** The shop's GraphQL endpoint: records every request and answers from `script` (the last one repeats). */
function shop(url: string, ...script: (() => Response)[]): Captured[] {
  const seen: Captured[] = [];
  server.use(
    http.post(url, async ({ request }) => {
      seen.push({ url: request.url, headers: request.headers, body: (await request.json()) as Captured['body'] });
      return (script[Math.min(seen.length - 1, script.length - 1)] ?? created)();
    }),
  );
  return seen;
}

const created = () =>
  HttpResponse.json({
    data: { discountCodeBasicCreate: { codeDiscountNode: { id: 'gid://shopify/DiscountCodeNode/1057371242' }, userErrors: [] } },
    extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } } },
  });
const userErrors = (...errors: { field: string[] | null; code: string | null; message: string }[]) =>
  () => HttpResponse.json({ data: { discountCodeBasicCreate: { codeDiscountNode: null, userErrors: errors } } });

describe('shopify store codes: the adapter', () => {
  it('creates the discount code with discountCodeBasicCreate: endpoint, token header, exact variables', async () => {
    const seen = shop(GRAPHQL);
    const outcome = await adapter().send(options(), context());

    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: 'gid://shopify/DiscountCodeNode/1057371242' });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.url).toBe(GRAPHQL);
    expect(req!.headers.get('x-shopify-access-token')).toBe(TOKEN);
    expect(req!.headers.get('content-type')).toBe('application/json');
    expect(req!.headers.get('authorization')).toBeNull();
    expect(req!.body.query).toBe(DISCOUNT_CODE_BASIC_CREATE);
    expect(req!.body.query).toMatch(/discountCodeBasicCreate\(basicCodeDiscount: \$basicCodeDiscount\)/);
    expect(req!.body.variables).toEqual({
      basicCodeDiscount: {
        title: 'Loyalty reward: $10 off (redemption rdm_01JX4A, member mem_1)',
        code: 'K7QF-M2XP-9TBA-C4RH',
        startsAt: '2025-01-15T12:00:00.000Z',
        endsAt: '2025-04-15T12:00:00.000Z',
        context: { all: 'ALL' },
        customerGets: { value: { discountAmount: { amount: '10.00', appliesOnEachItem: false } }, items: { all: true } },
        appliesOncePerCustomer: true,
        usageLimit: 1,
      },
    });
  });

  it('still creates the code of a delivery queued in the old Shopify shape (no action, endsAt), and refuses options that are none', async () => {
    const seen = shop(GRAPHQL);
    const { action: _a, expiresAt, ...rest } = options();
    const legacy = { ...rest, endsAt: expiresAt } as unknown as StoreCodeCreateOptions;
    expect(await adapter().send(legacy, context())).toMatchObject({ status: 'delivered' });
    expect(seen[0]!.body.variables.basicCodeDiscount).toMatchObject({ code: 'K7QF-M2XP-9TBA-C4RH', endsAt: '2025-04-15T12:00:00.000Z' });
    const garbage = { action: 'delete' } as unknown as StoreCodeCreateOptions;
    expect(await adapter().send(garbage, context())).toMatchObject({ status: 'permanent', error: expect.stringMatching(/^shopify: the delivery's options are not store-code options: code/) });
    expect(seen).toHaveLength(1);
  });

  it('does not delete a discount the hub did not make (another title): a dead letter naming the code', async () => {
    const seen: string[] = [];
    server.use(
      http.post(GRAPHQL, async ({ request }) => {
        const body = (await request.json()) as { query: string };
        seen.push(body.query);
        return HttpResponse.json({ data: { codeDiscountNodeByCode: { id: 'gid://shopify/DiscountCodeNode/9', codeDiscount: { __typename: 'DiscountCodeBasic', title: 'Spring pool codes' } } } });
      }),
    );
    const del = { action: 'delete', code: 'POOL-0001', redemptionId: 'rdm_01JX4A' } as unknown as StoreCodeCreateOptions;
    expect(await adapter().send(del, context())).toMatchObject({ status: 'permanent', error: expect.stringMatching(/code POOL-0001 .*was not made by the hub; not deleted/) });
    expect(seen).toHaveLength(1);
  });

  it('formats fixed amounts by the currency exponent: 1000 JPY → "1000", 1050 USD → "10.50", 1500 KWD → "1.500"', async () => {
    const seen = shop(GRAPHQL);
    await adapter().send(options({ value: 1000, currency: 'JPY' }), context());
    await adapter().send(options({ value: 1050, currency: 'usd' }), context());
    await adapter().send(options({ value: 1500, currency: 'KWD' }), context());
    const amounts = seen.map((r) => (r.body.variables.basicCodeDiscount.customerGets as { value: { discountAmount: { amount: string } } }).value.discountAmount.amount);
    expect(amounts).toEqual(['1000', '10.50', '1.500']);
  });

  it('turns a percentage discount into a fraction of every item: 15 → 0.15', async () => {
    const seen = shop(GRAPHQL);
    const outcome = await adapter().send(options({ kind: 'percentage_discount', value: null, currency: null, percent: 15 }), context());
    expect(outcome.status).toBe('delivered');
    expect(seen[0]!.body.variables.basicCodeDiscount.customerGets).toEqual({ value: { percentage: 0.15 }, items: { all: true } });
  });

  it('leaves endsAt out for a voucher that never expires', async () => {
    const seen = shop(GRAPHQL);
    await adapter().send(options({}, { expiresAt: null }), context());
    expect(seen[0]!.body.variables.basicCodeDiscount).not.toHaveProperty('endsAt');
  });

  it('makes a voucher worth a percentage or an amount into that discount, and skips one worth neither', async () => {
    const seen = shop(GRAPHQL);
    expect((await adapter().send(options({ kind: 'voucher', value: null, currency: null, percent: 20 }), context())).status).toBe('delivered');
    expect((await adapter().send(options({ kind: 'voucher', value: 500, currency: 'EUR' }), context())).status).toBe('delivered');
    expect(seen.map((r) => (r.body.variables.basicCodeDiscount.customerGets as { value: unknown }).value)).toEqual([
      { percentage: 0.2 },
      { discountAmount: { amount: '5.00', appliesOnEachItem: false } },
    ]);
    const outcome = await adapter().send(options({ kind: 'voucher', value: null, currency: null }), context());
    expect(outcome).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^shopify: reward rwd_ten is a voucher worth no amount or percentage/) });
    expect(seen).toHaveLength(2);
  });

  it('skips free products and points as payment without calling Shopify, saying why', async () => {
    const seen = shop(GRAPHQL);
    const free = await adapter().send(options({ kind: 'free_product', value: null, currency: null, productSku: 'MUG-01' }), context());
    expect(free).toEqual({
      status: 'skipped',
      reason: expect.stringMatching(/free product: a Shopify basic discount code cannot be limited to one unit of MUG-01/),
    });
    expect(await adapter().send(options({ kind: 'points_as_payment', value: null, currency: null }), context())).toMatchObject({ status: 'skipped' });
    expect(seen).toHaveLength(0);
  });

  it('refuses for good a reward that lacks what its kind needs', async () => {
    const seen = shop(GRAPHQL);
    expect(await adapter().send(options({ value: null }), context())).toEqual({ status: 'permanent', error: 'shopify: reward rwd_ten (fixed_discount) has no value and currency' });
    expect(await adapter().send(options({ kind: 'percentage_discount', percent: null }), context())).toMatchObject({ status: 'permanent' });
    expect(seen).toHaveLength(0);
  });

  it('counts "code must be unique" as delivered: the code is ours from an earlier attempt', async () => {
    const seen = shop(GRAPHQL, userErrors({ field: ['basicCodeDiscount', 'code'], code: 'TAKEN', message: 'Code must be unique. Please try a different code.' }));
    const outcome = await adapter().send(options(), context({ attempt: 2 }));
    expect(outcome).toEqual({ status: 'delivered', statusCode: 200 });
    expect(seen).toHaveLength(1);
  });

  it('answers permanent on any other userError, naming field, message and code', async () => {
    shop(GRAPHQL, userErrors({ field: ['basicCodeDiscount', 'endsAt'], code: 'INVALID', message: 'Ends at needs to be after starts_at' }));
    expect(await adapter().send(options(), context())).toEqual({
      status: 'permanent',
      statusCode: 200,
      error: 'shopify: discountCodeBasicCreate refused: basicCodeDiscount.endsAt: Ends at needs to be after starts_at (INVALID)',
    });
  });

  it('answers permanent when the code is taken AND something else is wrong (not a lost answer of ours)', async () => {
    shop(
      GRAPHQL,
      userErrors(
        { field: ['basicCodeDiscount', 'code'], code: 'TAKEN', message: 'Code must be unique. Please try a different code.' },
        { field: ['basicCodeDiscount', 'customerGets', 'value', 'percentage'], code: 'VALUE_OUTSIDE_RANGE', message: 'Value must be between 0.0 and 1.0' },
      ),
    );
    expect(await adapter().send(options(), context())).toMatchObject({ status: 'permanent' });
  });

  it('answers retry with retryAfterMs 7000 on HTTP 429 Retry-After: 7, after exactly one request', async () => {
    const seen = shop(GRAPHQL, () => HttpResponse.json({ errors: 'Exceeded 2 calls per second for api client.' }, { status: 429, headers: { 'Retry-After': '7' } }));
    const started = performance.now();
    const outcome = await adapter().send(options(), context());
    expect(outcome).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 7000 });
    expect(seen).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers retry on 5xx after exactly one request, honouring Retry-After', async () => {
    const seen = shop(GRAPHQL, () => new HttpResponse('upstream error', { status: 503, headers: { 'Retry-After': '30' } }));
    expect(await adapter().send(options(), context())).toEqual({ status: 'retry', statusCode: 503, retryAfterMs: 30_000, error: 'shopify: HTTP 503' });
    shop(GRAPHQL, () => new HttpResponse('oops', { status: 500 }));
    expect(await adapter().send(options(), context())).toMatchObject({ status: 'retry', statusCode: 500 });
    expect(seen).toHaveLength(1);
  });

  it('answers retry on the GraphQL cost throttle, waiting until the bucket holds the cost again', async () => {
    shop(GRAPHQL, () =>
      HttpResponse.json({
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 4, restoreRate: 100 } } },
      }),
    );
    // (10 − 4) / 100 per second = 60 ms, at least a second.
    expect(await adapter().send(options(), context())).toEqual({ status: 'retry', statusCode: 200, retryAfterMs: 1000, error: 'shopify: throttled (Throttled)' });
  });

  it('answers permanent on ACCESS_DENIED (the app lacks write_discounts) and on 401', async () => {
    shop(GRAPHQL, () =>
      HttpResponse.json({
        errors: [{ message: 'Access denied for discountCodeBasicCreate field. Required access: `write_discounts` access scope.', extensions: { code: 'ACCESS_DENIED' } }],
      }),
    );
    expect(await adapter().send(options(), context())).toMatchObject({ status: 'permanent', statusCode: 200, error: expect.stringMatching(/write_discounts.*\(ACCESS_DENIED\)$/) });
    shop(GRAPHQL, () => HttpResponse.json({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' }, { status: 401 }));
    expect(await adapter().send(options(), context())).toEqual({ status: 'permanent', statusCode: 401, error: 'shopify: HTTP 401 (check SHOPIFY_ADMIN_ACCESS_TOKEN)' });
  });

  it('does not follow a redirect (the token goes to the shop only)', async () => {
    const elsewhere = shop('https://elsewhere.test/*');
    shop(GRAPHQL, () => new HttpResponse(null, { status: 301, headers: { Location: 'https://elsewhere.test/graphql.json' } }));
    expect(await adapter().send(options(), context())).toMatchObject({ status: 'permanent', statusCode: 301 });
    expect(elsewhere).toHaveLength(0);
  });

  it('answers retry on a network error', async () => {
    const seen = shop(GRAPHQL, () => HttpResponse.error());
    expect(await adapter().send(options(), context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^shopify: request failed/) });
    expect(seen).toHaveLength(1);
  });

  it('answers retry without sending when the delivery is already aborted', async () => {
    const seen = shop(GRAPHQL);
    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(options(), context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'shopify: aborted' });
    expect(seen).toHaveLength(0);
  });

  it('answers permanent, naming what is missing, when SHOPIFY_SHOP or the token is not set', async () => {
    const seen = shop(GRAPHQL);
    const bare = adapter({ SHOPIFY_API_SECRET: 'x' });
    expect(await bare.send(options(), context())).toEqual({
      status: 'permanent',
      error:
        'shopify: store codes are not configured (set SHOPIFY_SHOP and SHOPIFY_ADMIN_ACCESS_TOKEN (or SHOPIFY_CLIENT_ID)); no discount code created for K7QF-M2XP-9TBA-C4RH',
    });
    expect(await adapter({ ...env, SHOPIFY_ADMIN_ACCESS_TOKEN: '' }).send(options(), context())).toMatchObject({
      error: expect.stringMatching(/set SHOPIFY_ADMIN_ACCESS_TOKEN \(or SHOPIFY_CLIENT_ID\)\)/),
    });
    expect(seen).toHaveLength(0);
  });

  it('talks to https://<SHOPIFY_SHOP>/admin/api/2026-04/graphql.json when SHOPIFY_API_URL is not set', async () => {
    const seen = shop('https://example.myshopify.com/admin/api/2026-04/graphql.json');
    const { SHOPIFY_API_URL: _, ...production } = env;
    expect((await adapter({ ...production, SHOPIFY_SHOP: 'https://Example.myshopify.com/' }).send(options(), context())).status).toBe('delivered');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.get('x-shopify-access-token')).toBe(TOKEN);
  });

  it('follows SHOPIFY_API_URL to a plain-http stub with a path (the SDK itself only builds https://<domain>)', async () => {
    const seen = shop('http://127.0.0.1:4010/shopify/admin/api/2026-04/graphql.json');
    expect((await adapter({ ...env, SHOPIFY_API_URL: 'http://127.0.0.1:4010/shopify/' }).send(options(), context())).status).toBe('delivered');
    expect(seen).toHaveLength(1);
    expect(shopifyGraphqlUrl({ shop: 'example.myshopify.com' })).toBe('https://example.myshopify.com/admin/api/2026-04/graphql.json');
  });

  it('recognises the code-taken userError by code or message', () => {
    expect(isCodeTaken({ field: ['basicCodeDiscount', 'code'], code: 'TAKEN', message: 'Code must be unique. Please try a different code.' })).toBe(true);
    expect(isCodeTaken({ field: null, code: null, message: 'Code must be unique. Please try a different code.' })).toBe(true);
    expect(isCodeTaken({ field: ['basicCodeDiscount', 'title'], code: 'TAKEN', message: 'Title has already been taken' })).toBe(false);
    expect(isCodeTaken({ field: ['basicCodeDiscount', 'code'], code: 'INVALID', message: 'Code is invalid' })).toBe(false);
  });

  it('names an API version the installed SDK knows', () => {
    expect(Object.values(ApiVersion)).toContain(SHOPIFY_ADMIN_API_VERSION);
  });

  it('builds the input from the reward alone (no request)', () => {
    const worth = shopifyDiscountValue({ ...tenOff, kind: 'percentage_discount', percent: 100, value: null, currency: null });
    expect(worth).toEqual({ value: { percentage: 1 } });
    expect(basicCodeDiscountInput(options(), { percentage: 1 })).toMatchObject({ usageLimit: 1, appliesOncePerCustomer: true, context: { all: 'ALL' } });
  });
});


describe('shopify store codes: a Dev Dashboard app (client credentials grant)', () => {
  const TOKEN_URL = `${API}/admin/oauth/access_token`;
  const { SHOPIFY_ADMIN_ACCESS_TOKEN: _, ...withoutToken } = env;
  const grantEnv = { ...withoutToken, SHOPIFY_CLIENT_ID: 'client-id-0123', SHOPIFY_CLIENT_SECRET: 'client-secret-4567' };

  /** Shopify's token endpoint: records each form body and hands out shpat_1, shpat_2, … */
  function tokenEndpoint(answer?: () => Response): URLSearchParams[] {
    const seen: URLSearchParams[] = [];
    server.use(
      http.post(TOKEN_URL, async ({ request }) => {
        expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
        seen.push(new URLSearchParams(await request.text()));
        return answer ? answer() : HttpResponse.json({ access_token: `shpat_granted_${seen.length}`, scope: 'write_discounts', expires_in: 86399 });
      }),
    );
    return seen;
  }

  it('exchanges client ID and secret for a token, uses it, and keeps it until shortly before it expires', async () => {
    const grants = tokenEndpoint();
    const seen = shop(GRAPHQL);
    const a = adapter(grantEnv);
    const t0 = Date.UTC(2025, 0, 15, 12);
    expect((await a.send(options(), context({ now: t0 }))).status).toBe('delivered');
    expect((await a.send(options(), context({ now: t0 + 23 * 3_600_000 }))).status).toBe('delivered');
    expect(grants).toHaveLength(1);
    expect(Object.fromEntries(grants[0]!)).toEqual({ grant_type: 'client_credentials', client_id: 'client-id-0123', client_secret: 'client-secret-4567' });
    expect(seen.map((r) => r.headers.get('x-shopify-access-token'))).toEqual(['shpat_granted_1', 'shpat_granted_1']);

    // 24 hours on, the token is renewed before it runs out.
    expect((await a.send(options(), context({ now: t0 + 24 * 3_600_000 - 60_000 }))).status).toBe('delivered');
    expect(grants).toHaveLength(2);
    expect(seen[2]!.headers.get('x-shopify-access-token')).toBe('shpat_granted_2');
  });

  it('uses SHOPIFY_API_SECRET as the client secret when SHOPIFY_CLIENT_SECRET is not set', async () => {
    const grants = tokenEndpoint();
    shop(GRAPHQL);
    const { SHOPIFY_CLIENT_SECRET: _secret, ...rest } = grantEnv;
    await adapter(rest).send(options(), context());
    expect(grants[0]!.get('client_secret')).toBe(env.SHOPIFY_API_SECRET);
  });

  it('asks for one token for concurrent sends', async () => {
    const grants = tokenEndpoint();
    shop(GRAPHQL);
    const a = adapter(grantEnv);
    const outcomes = await Promise.all([1, 2, 3].map((n) => a.send(options({}, { code: `CODE-${n}` }), context())));
    expect(outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(grants).toHaveLength(1);
  });

  it('answers permanent when Shopify refuses the client credentials, naming what to check', async () => {
    tokenEndpoint(() => HttpResponse.json({ error: 'invalid_client', error_description: 'Client authentication failed' }, { status: 401 }));
    const seen = shop(GRAPHQL);
    expect(await adapter(grantEnv).send(options(), context())).toEqual({
      status: 'permanent',
      statusCode: 401,
      error:
        'shopify: access token request: HTTP 401: Client authentication failed (check SHOPIFY_CLIENT_ID and its secret, and that the app is installed on SHOPIFY_SHOP)',
    });
    expect(seen).toHaveLength(0);
  });

  it('answers retry when the token endpoint is throttled or down', async () => {
    tokenEndpoint(() => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '3' } }));
    expect(await adapter(grantEnv).send(options(), context())).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 3000 });
  });

  it('forgets a granted token that Shopify refuses and asks for a new one on the next attempt', async () => {
    const grants = tokenEndpoint();
    const seen = shop(GRAPHQL, () => HttpResponse.json({ errors: '[API] Invalid API key or access token' }, { status: 401 }), created);
    const a = adapter(grantEnv);
    expect(await a.send(options(), context())).toMatchObject({ status: 'retry', statusCode: 401 });
    expect(await a.send(options(), context({ attempt: 2 }))).toMatchObject({ status: 'delivered' });
    expect(grants).toHaveLength(2);
    expect(seen.map((r) => r.headers.get('x-shopify-access-token'))).toEqual(['shpat_granted_1', 'shpat_granted_2']);
  });

  it('prefers SHOPIFY_ADMIN_ACCESS_TOKEN when both are set (no token request)', async () => {
    const grants = tokenEndpoint();
    const seen = shop(GRAPHQL);
    await adapter({ ...grantEnv, SHOPIFY_ADMIN_ACCESS_TOKEN: TOKEN }).send(options(), context());
    expect(grants).toHaveLength(0);
    expect(seen[0]!.headers.get('x-shopify-access-token')).toBe(TOKEN);
  });

  it('is routed with SHOPIFY_CLIENT_ID instead of the access token', () => {
    const r = createStoreCodeRouter([shopify], grantEnv);
    expect(r.wants('reward.redeemed')).toBe(true);
  });
});

/** A `reward.redeemed` event as the core emits it. */
function redeemed(data: Record<string, unknown> = {}, type: LoyaltyEvent['type'] = 'reward.redeemed'): LoyaltyEvent {
  return {
    id: 'evt_01JX4REDEEMED',
    type,
    occurredAt: '2025-01-15T12:00:00.000Z',
    memberId: 'mem_1',
    data: {
      points: 5000,
      transferId: 'trf_1',
      redemptionId: 'rdm_01JX4A',
      voucherCode: 'K7QF-M2XP-9TBA-C4RH',
      voucherExpiresAt: '2025-04-15T12:00:00.000Z',
      reward: { id: 'rwd_ten', name: '$10 off', kind: 'fixed_discount', cost: 5000, value: 1000, currency: 'USD', percent: null, productSku: null },
      storeCodes: ['shopify', 'woocommerce'],
      balance: { available: 250, pending: 0, locked: 0, spent: 5000, expired: 0, lifetimeEarned: 5250 },
      ...data,
    },
  };
}

describe('shopify store codes: the router', () => {
  const router = (e: Record<string, string | undefined> = env) => createStoreCodeRouter([shopify], e);

  it('routes a reward.redeemed asking for Shopify codes to one store-code:shopify delivery with the options fixed', () => {
    const r = router();
    expect(r.wants('reward.redeemed')).toBe(true);
    expect(r.wants('points.reversed')).toBe(true);
    expect(r.wants('points.earned')).toBe(false);
    const routes = r.router(redeemed(), null);
    expect(routes).toEqual([
      {
        route: 'store-code:shopify',
        adapter: 'shopify',
        options: {
          action: 'create',
          code: 'K7QF-M2XP-9TBA-C4RH',
          title: 'Loyalty reward: $10 off (redemption rdm_01JX4A, member mem_1)',
          startsAt: '2025-01-15T12:00:00.000Z',
          expiresAt: '2025-04-15T12:00:00.000Z',
          redemptionId: 'rdm_01JX4A',
          memberId: 'mem_1',
          reward: { id: 'rwd_ten', name: '$10 off', kind: 'fixed_discount', value: 1000, currency: 'USD', percent: null, productSku: null },
        },
      },
    ]);
    expect(storeCodeOptions.safeParse(routes[0]!.options).success).toBe(true);
  });

  it('routes nothing when the reward does not ask for Shopify, there is no voucher code, or the event is another type', () => {
    const r = router();
    expect(r.router(redeemed({ storeCodes: ['woocommerce'] }), null)).toEqual([]);
    expect(r.router(redeemed({ storeCodes: [] }), null)).toEqual([]);
    expect(r.router(redeemed({ storeCodes: undefined }), null)).toEqual([]);
    expect(r.router(redeemed({ voucherCode: null }), null)).toEqual([]);
    expect(r.router(redeemed({}, 'voucher.used'), null)).toEqual([]);
  });

  it('routes nothing unless SHOPIFY_SHOP and SHOPIFY_ADMIN_ACCESS_TOKEN are set and the connector is enabled', () => {
    for (const missing of ['SHOPIFY_SHOP', 'SHOPIFY_ADMIN_ACCESS_TOKEN', 'SHOPIFY_API_SECRET'] as const) {
      const r = router({ ...env, [missing]: undefined });
      expect(r.wants('reward.redeemed')).toBe(false);
      expect(r.router(redeemed(), null)).toEqual([]);
    }
  });

  it('routes an event that asks for a code but cannot make one as failed (a dead letter support sees)', () => {
    const [route] = router().router(redeemed({ reward: { id: 'rwd_x', name: 'Odd', kind: 'gift', value: null, currency: null, percent: null, productSku: null } }), null);
    expect(route).toMatchObject({ route: 'store-code:shopify', adapter: 'shopify', failed: expect.stringMatching(/^reward\.redeemed cannot become a shopify store code \(create\): reward\.kind/) });
  });
});

describe('shopify connector definition', () => {
  it('stays enabled by SHOPIFY_API_SECRET alone; the store-code variables are optional, the token secret', () => {
    expect(shopify.directions).toEqual(['inbound', 'outbound']);
    expect(connectorStatus(shopify, { SHOPIFY_API_SECRET: 'x' })).toMatchObject({ enabled: true, missing: [] });
    expect(connectorStatus(shopify, {})).toMatchObject({ enabled: false, missing: ['SHOPIFY_API_SECRET'] });
    expect(shopify.config.find((v) => v.env === 'SHOPIFY_ADMIN_ACCESS_TOKEN')).toMatchObject({ secret: true, required: false });
    expect(shopify.config.find((v) => v.env === 'SHOPIFY_SHOP')).toMatchObject({ secret: false, required: false });
    expect(shopify.config.find((v) => v.env === 'SHOPIFY_API_URL')).toMatchObject({ secret: false, required: false });
    // Built without the store-code variables (how mappings are checked on a laptop): no throw, no network.
    expect(adapter({ SHOPIFY_API_SECRET: 'placeholder' }).name).toBe('shopify');
  });
});

describe('shopify store codes through the outbox', () => {
  const h = hubHarness({ connectors: [shopify], env });

  async function member(): Promise<string> {
    return (await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com' } }))).id;
  }
  const emit = (memberId: string, data: Record<string, unknown>) =>
    h.hub.commit('test', (w) => w.emit({ type: 'reward.redeemed', memberId, data: { ...redeemed().data, ...data } }));
  const deliveries = async () => {
    const { deliveries: table } = tablesOf(h.hub.store.db);
    return h.hub.store.db.select().from(table);
  };

  it('creates exactly one discount code per redemption, however often the dispatcher runs', async () => {
    const seen = shop(GRAPHQL);
    const ann = await member();
    await emit(ann, {});
    await emit(ann, { voucherCode: 'NOT-FOR-SHOPIFY', redemptionId: 'rdm_other', storeCodes: ['woocommerce'] });
    const dispatcher = h.hub.notifications.dispatcher;
    await dispatcher.runOnce();
    await dispatcher.runOnce();
    await dispatcher.route();

    expect(seen).toHaveLength(1);
    expect(seen[0]!.body.variables.basicCodeDiscount).toMatchObject({ code: 'K7QF-M2XP-9TBA-C4RH', customerGets: { value: { discountAmount: { amount: '10.00' } } } });
    const rows = (await deliveries()).filter((d) => d.adapter === 'shopify');
    expect(rows).toEqual([expect.objectContaining({ route: 'store-code:shopify', status: 'delivered', attempts: 1, lastStatusCode: 200 })]);
  });

  it('retries a 503 after its Retry-After and then delivers, still one code', async () => {
    const seen = shop(GRAPHQL, () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '7' } }), created);
    const ann = await member();
    await emit(ann, {});
    const dispatcher = h.hub.notifications.dispatcher;
    await dispatcher.runOnce();
    expect((await deliveries()).find((d) => d.adapter === 'shopify')).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 503 });
    h.clock.advance(6_999);
    await dispatcher.runOnce();
    expect(seen).toHaveLength(1);
    h.clock.advance(1);
    await dispatcher.runOnce();
    await dispatcher.runOnce();
    expect(seen).toHaveLength(2);
    expect((await deliveries()).find((d) => d.adapter === 'shopify')).toMatchObject({ status: 'delivered', attempts: 2 });
  });
});
