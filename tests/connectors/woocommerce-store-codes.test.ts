/**
 * WooCommerce store codes: a redeemed reward becomes a single-use coupon through the REST API
 * (`POST /wp-json/wc/v3/coupons`, via @woocommerce/woocommerce-rest-api), routed by the
 * connector's own router and delivered by the outbox. msw stands in for the store and checks the
 * exact request, including the SDK's authentication (Basic on https, query string on request,
 * OAuth 1.0a over plain http).
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import woocommerce from '../../connectors/woocommerce/index.js';
import { couponTerms, wooGmtDate } from '../../connectors/woocommerce/coupon.js';
import { storeCodeOptions, type StoreCodeCreateOptions } from '../../core/rewards/store-code-options.js';
import { createStoreCodeRouter } from '../../core/rewards/store-code-router.js';
import { connectorStatus } from '../../core/connectors/definition.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import type { LoyaltyEvent } from '../../core/outbox/loyalty-events.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

const STORE = 'https://shop.example';
const COUPONS = `${STORE}/wp-json/wc/v3/coupons`;
const PRODUCTS = `${STORE}/wp-json/wc/v3/products`;
const KEY = 'ck_0123456789abcdef0123456789abcdef01234567';
const SECRET = 'cs_0123456789abcdef0123456789abcdef01234567';
const BASIC = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`;
const env = { WOOCOMMERCE_WEBHOOK_SECRET: 'wc-webhook-secret', WOOCOMMERCE_URL: STORE, WOOCOMMERCE_CONSUMER_KEY: KEY, WOOCOMMERCE_CONSUMER_SECRET: SECRET };

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
  return woocommerce.createAdapter(e) as OutboundAdapter<StoreCodeCreateOptions>;
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
  method: string;
  url: URL;
  headers: Headers;
  body: Record<string, unknown> | null;
}

/** The store's endpoint: records every request and answers from `script` (the last one repeats). */
function store(method: 'get' | 'post', url: string, ...script: (() => Response)[]): Captured[] {
  const seen: Captured[] = [];
  server.use(
    http[method](url, async ({ request }) => {
      const text = await request.text();
      seen.push({ method: request.method, url: new URL(request.url), headers: request.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null });
      return (script[Math.min(seen.length - 1, script.length - 1)] ?? created)();
    }),
  );
  return seen;
}

const created = () => HttpResponse.json({ id: 720, code: 'k7qf-m2xp-9tba-c4rh', amount: '10.00', discount_type: 'fixed_cart' }, { status: 201 });
const exists = () =>
  HttpResponse.json({ code: 'woocommerce_rest_coupon_code_already_exists', message: 'The coupon code already exists', data: { status: 400 } }, { status: 400 });

describe('woocommerce store codes: the adapter', () => {
  it('does not delete a coupon the hub did not make for that redemption: a dead letter', async () => {
    const seen = store('get', COUPONS, () => HttpResponse.json([{ id: 31, code: 'pool-0001', meta_data: [] }]));
    const del = { action: 'delete', code: 'POOL-0001', redemptionId: 'rdm_01JX4A' } as unknown as StoreCodeCreateOptions;
    expect(await adapter().send(del, context())).toMatchObject({ status: 'permanent', error: expect.stringMatching(/coupon 31 with code POOL-0001 was not made by the hub/) });
    expect(seen.map((r) => r.url.searchParams.get('code'))).toEqual(['POOL-0001']);
  });

  it('still creates the coupon of a delivery queued in the old WooCommerce shape (no action, description)', async () => {
    const seen = store('post', COUPONS);
    const { action: _a, title, startsAt: _s, ...rest } = options();
    const legacy = { ...rest, description: title } as unknown as StoreCodeCreateOptions;
    expect(await adapter().send(legacy, context())).toMatchObject({ status: 'delivered' });
    expect(seen[0]!.body).toMatchObject({ code: 'K7QF-M2XP-9TBA-C4RH', description: title, date_expires_gmt: '2025-04-15T12:00:00' });
  });

  it('POSTs the coupon to /wp-json/wc/v3/coupons with Basic auth on https and the exact body', async () => {
    const seen = store('post', COUPONS);
    const outcome = await adapter().send(options(), context());

    expect(outcome).toEqual({ status: 'delivered', statusCode: 201, providerMessageId: '720' });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.url.href).toBe(COUPONS);
    expect(req!.headers.get('authorization')).toBe(BASIC);
    expect(req!.headers.get('content-type')).toMatch(/^application\/json/);
    expect(req!.body).toEqual({
      code: 'K7QF-M2XP-9TBA-C4RH',
      discount_type: 'fixed_cart',
      amount: '10.00',
      description: 'Loyalty reward: $10 off (redemption rdm_01JX4A, member mem_1)',
      date_expires_gmt: '2025-04-15T12:00:00',
      individual_use: true,
      usage_limit: 1,
      usage_limit_per_user: 1,
      meta_data: [
        { key: 'loyalty_hub_redemption_id', value: 'rdm_01JX4A' },
        { key: 'loyalty_hub_reward_id', value: 'rwd_ten' },
      ],
    });
  });

  it('formats fixed amounts by the currency exponent: 1000 JPY → "1000", 1050 USD → "10.50"', async () => {
    const seen = store('post', COUPONS);
    await adapter().send(options({ value: 1000, currency: 'JPY' }), context());
    await adapter().send(options({ value: 1050, currency: 'USD' }), context());
    expect(seen.map((r) => r.body!.amount)).toEqual(['1000', '10.50']);
  });

  it('makes a percentage discount a percent coupon: 15 → "15"', async () => {
    const seen = store('post', COUPONS);
    await adapter().send(options({ kind: 'percentage_discount', value: null, currency: null, percent: 15 }), context());
    expect(seen[0]!.body).toMatchObject({ discount_type: 'percent', amount: '15' });
  });

  it('sends no expiry for a voucher that never expires', async () => {
    const seen = store('post', COUPONS);
    await adapter().send(options({}, { expiresAt: null }), context());
    expect(seen[0]!.body).not.toHaveProperty('date_expires_gmt');
    expect(seen[0]!.body).not.toHaveProperty('date_expires');
    expect(wooGmtDate('2025-04-15T14:00:00+02:00')).toBe('2025-04-15T12:00:00');
  });

  it('makes a free product a 100% coupon on that product (found by SKU), for one unit', async () => {
    const lookups = store('get', PRODUCTS, () =>
      HttpResponse.json([
        { id: 93, sku: 'MUG-01', name: 'Mug' },
        { id: 94, sku: 'MUG-01-XL', name: 'Big mug' },
      ]),
    );
    const seen = store('post', COUPONS);
    const outcome = await adapter().send(options({ kind: 'free_product', value: null, currency: null, productSku: 'MUG-01' }), context());

    expect(outcome.status).toBe('delivered');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.url.searchParams.get('sku')).toBe('MUG-01');
    expect(lookups[0]!.headers.get('authorization')).toBe(BASIC);
    expect(seen[0]!.body).toMatchObject({ discount_type: 'percent', amount: '100', product_ids: [93], limit_usage_to_x_items: 1, usage_limit: 1 });
  });

  it('answers permanent when no product has the free product SKU, and creates nothing', async () => {
    store('get', PRODUCTS, () => HttpResponse.json([]));
    const seen = store('post', COUPONS);
    expect(await adapter().send(options({ kind: 'free_product', value: null, currency: null, productSku: 'GONE-1' }), context())).toEqual({
      status: 'permanent',
      statusCode: 200,
      error: 'woocommerce: no product with SKU GONE-1 (free_product reward rwd_ten)',
    });
    expect(seen).toHaveLength(0);
  });

  it('skips a voucher worth nothing and points as payment without calling the store', async () => {
    const seen = store('post', COUPONS);
    expect(await adapter().send(options({ kind: 'voucher', value: null, currency: null }), context())).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^woocommerce: reward rwd_ten is a voucher worth no amount/) });
    expect(await adapter().send(options({ kind: 'points_as_payment', value: null, currency: null }), context())).toMatchObject({ status: 'skipped' });
    expect(seen).toHaveLength(0);
  });

  it('counts woocommerce_rest_coupon_code_already_exists as delivered: the coupon is ours from an earlier attempt', async () => {
    const seen = store('post', COUPONS, exists);
    expect(await adapter().send(options(), context({ attempt: 2 }))).toEqual({ status: 'delivered', statusCode: 400 });
    expect(seen).toHaveLength(1);
  });

  it('answers permanent on any other 400, with WooCommerce\'s code and message', async () => {
    store('post', COUPONS, () =>
      HttpResponse.json({ code: 'rest_invalid_param', message: 'Invalid parameter(s): discount_type', data: { status: 400 } }, { status: 400 }),
    );
    expect(await adapter().send(options(), context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: 'woocommerce: POST coupons: HTTP 400: rest_invalid_param (Invalid parameter(s): discount_type)',
    });
  });

  it('answers permanent on 401, pointing at the keys and the query-string option', async () => {
    store('post', COUPONS, () =>
      HttpResponse.json({ code: 'woocommerce_rest_cannot_create', message: 'Sorry, you are not allowed to create resources.', data: { status: 401 } }, { status: 401 }),
    );
    expect(await adapter().send(options(), context())).toMatchObject({
      status: 'permanent',
      statusCode: 401,
      error: expect.stringMatching(/HTTP 401: woocommerce_rest_cannot_create .*WOOCOMMERCE_QUERY_STRING_AUTH=true$/),
    });
  });

  it('answers retry with retryAfterMs 7000 on 429 Retry-After: 7, after exactly one request', async () => {
    const seen = store('post', COUPONS, () => HttpResponse.json({ code: 'too_many_requests', message: 'Slow down' }, { status: 429, headers: { 'Retry-After': '7' } }));
    const started = performance.now();
    expect(await adapter().send(options(), context())).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 7000 });
    expect(seen).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers retry on 5xx', async () => {
    const seen = store('post', COUPONS, () => new HttpResponse('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    expect(await adapter().send(options(), context())).toEqual({ status: 'retry', statusCode: 502, error: 'woocommerce: POST coupons: HTTP 502' });
    expect(seen).toHaveLength(1);
  });

  it('does not follow a redirect (axios would turn the POST into a GET)', async () => {
    const elsewhere = store('get', 'https://www.shop.example/*');
    store('post', COUPONS, () => new HttpResponse(null, { status: 301, headers: { Location: 'https://www.shop.example/wp-json/wc/v3/coupons' } }));
    expect(await adapter().send(options(), context())).toMatchObject({ status: 'permanent', statusCode: 301, error: expect.stringMatching(/redirects are not followed/) });
    expect(elsewhere).toHaveLength(0);
  });

  it('answers retry on a network error, and without sending when already aborted', async () => {
    const seen = store('post', COUPONS, () => HttpResponse.error());
    expect(await adapter().send(options(), context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^woocommerce: POST coupons: request failed/) });
    expect(seen).toHaveLength(1);
    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(options(), context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'woocommerce: aborted' });
    expect(seen).toHaveLength(1);
  });

  it('sends the keys in the query string when WOOCOMMERCE_QUERY_STRING_AUTH=true', async () => {
    const seen = store('post', COUPONS);
    await adapter({ ...env, WOOCOMMERCE_QUERY_STRING_AUTH: 'true' }).send(options(), context());
    expect(seen[0]!.headers.get('authorization')).toBeNull();
    expect(Object.fromEntries(seen[0]!.url.searchParams)).toEqual({ consumer_key: KEY, consumer_secret: SECRET });
  });

  it('signs with OAuth 1.0a (HMAC-SHA256) in the query string over plain http, never sending the secret', async () => {
    const seen = store('post', 'http://shop.local:8080/wp-json/wc/v3/coupons');
    expect((await adapter({ ...env, WOOCOMMERCE_URL: 'http://shop.local:8080' }).send(options(), context())).status).toBe('delivered');
    const params = seen[0]!.url.searchParams;
    expect(seen[0]!.headers.get('authorization')).toBeNull();
    expect(params.get('oauth_consumer_key')).toBe(KEY);
    expect(params.get('oauth_signature_method')).toBe('HMAC-SHA256');
    expect(params.get('oauth_signature')).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(params.get('oauth_nonce')).toBeTruthy();
    expect(params.get('oauth_timestamp')).toMatch(/^\d+$/);
    expect(seen[0]!.url.href).not.toContain(SECRET);
  });

  it('answers permanent, naming what is missing, when the REST keys are not set', async () => {
    const seen = store('post', COUPONS);
    expect(await adapter({ WOOCOMMERCE_WEBHOOK_SECRET: 'x' }).send(options(), context())).toEqual({
      status: 'permanent',
      error: 'woocommerce: store codes are not configured (set WOOCOMMERCE_URL, WOOCOMMERCE_CONSUMER_KEY, WOOCOMMERCE_CONSUMER_SECRET); no coupon created for K7QF-M2XP-9TBA-C4RH',
    });
    expect(seen).toHaveLength(0);
  });

  it('works out the coupon terms from the reward alone', () => {
    expect(couponTerms({ ...tenOff, kind: 'voucher', value: null, currency: null, percent: 12.5 })).toEqual({ terms: { discount_type: 'percent', amount: '12.5' } });
    expect(couponTerms({ ...tenOff, kind: 'voucher' })).toEqual({ terms: { discount_type: 'fixed_cart', amount: '10.00' } });
    expect(couponTerms({ ...tenOff, kind: 'free_product', productSku: null })).toEqual({ invalid: 'reward rwd_ten (free_product) has no productSku' });
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
      storeCodes: ['woocommerce'],
      balance: { available: 250, pending: 0, locked: 0, spent: 5000, expired: 0, lifetimeEarned: 5250 },
      ...data,
    },
  };
}

describe('woocommerce store codes: the router', () => {
  const router = (e: Record<string, string | undefined> = env) => createStoreCodeRouter([woocommerce], e);

  it('routes a reward.redeemed asking for WooCommerce codes to one store-code:woocommerce delivery', () => {
    const r = router();
    expect(r.wants('reward.redeemed')).toBe(true);
    expect(r.wants('points.spent')).toBe(false);
    const routes = r.router(redeemed(), null);
    expect(routes).toEqual([
      {
        route: 'store-code:woocommerce',
        adapter: 'woocommerce',
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

  it('routes nothing when the reward does not ask for WooCommerce, there is no voucher code, or the event is another type', () => {
    const r = router();
    expect(r.router(redeemed({ storeCodes: ['shopify'] }), null)).toEqual([]);
    expect(r.router(redeemed({ storeCodes: undefined }), null)).toEqual([]);
    expect(r.router(redeemed({ voucherCode: null }), null)).toEqual([]);
    expect(r.router(redeemed({ voucherCode: '' }), null)).toEqual([]);
    expect(r.router(redeemed({}, 'points.spent'), null)).toEqual([]);
  });

  it('routes nothing unless the store URL and both keys are set and the connector is enabled', () => {
    for (const missing of ['WOOCOMMERCE_URL', 'WOOCOMMERCE_CONSUMER_KEY', 'WOOCOMMERCE_CONSUMER_SECRET', 'WOOCOMMERCE_WEBHOOK_SECRET'] as const) {
      const r = router({ ...env, [missing]: undefined });
      expect(r.wants('reward.redeemed')).toBe(false);
      expect(r.router(redeemed(), null)).toEqual([]);
    }
  });

  it('routes an event that asks for a coupon but cannot make one as failed', () => {
    const [route] = router().router(redeemed({ redemptionId: undefined }), null);
    expect(route).toMatchObject({ route: 'store-code:woocommerce', failed: expect.stringMatching(/^reward\.redeemed cannot become a woocommerce store code \(create\): redemptionId/) });
  });
});

describe('woocommerce connector definition', () => {
  it('stays enabled by WOOCOMMERCE_WEBHOOK_SECRET alone; the store-code variables are optional, the secret secret', () => {
    expect(woocommerce.directions).toEqual(['inbound', 'outbound']);
    expect(connectorStatus(woocommerce, { WOOCOMMERCE_WEBHOOK_SECRET: 'x' })).toMatchObject({ enabled: true, missing: [] });
    expect(woocommerce.config.find((v) => v.env === 'WOOCOMMERCE_CONSUMER_SECRET')).toMatchObject({ secret: true, required: false });
    expect(woocommerce.config.find((v) => v.env === 'WOOCOMMERCE_CONSUMER_KEY')).toMatchObject({ required: false });
    expect(woocommerce.config.find((v) => v.env === 'WOOCOMMERCE_URL')).toMatchObject({ secret: false, required: false });
    expect(adapter({ WOOCOMMERCE_WEBHOOK_SECRET: 'placeholder' }).name).toBe('woocommerce');
  });
});

describe('woocommerce store codes through the outbox', () => {
  const h = hubHarness({ connectors: [woocommerce], env });

  it('creates exactly one coupon per redemption; a lost answer retried meets "already exists" and is delivered', async () => {
    const seen = store('post', COUPONS, () => new HttpResponse(null, { status: 500 }), exists);
    const ann = (await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com' } }))).id;
    await h.hub.commit('test', (w) => w.emit({ type: 'reward.redeemed', memberId: ann, data: redeemed().data }));
    await h.hub.commit('test', (w) =>
      w.emit({ type: 'reward.redeemed', memberId: ann, data: { ...redeemed().data, redemptionId: 'rdm_shop', storeCodes: ['shopify'] } }),
    );
    const dispatcher = h.hub.notifications.dispatcher;
    await dispatcher.runOnce();
    expect(seen).toHaveLength(1);
    h.clock.advance(60_000);
    await dispatcher.runOnce();
    await dispatcher.runOnce();
    await dispatcher.route();

    expect(seen).toHaveLength(2);
    expect(seen.map((r) => r.body!.code)).toEqual(['K7QF-M2XP-9TBA-C4RH', 'K7QF-M2XP-9TBA-C4RH']);
    const { deliveries } = tablesOf(h.hub.store.db);
    const rows = await h.hub.store.db.select().from(deliveries);
    expect(rows.filter((d) => d.adapter === 'woocommerce')).toEqual([expect.objectContaining({ route: 'store-code:woocommerce', status: 'delivered', attempts: 2 })]);
  });
});
