/**
 * Store codes, end to end through the hub (docs/api.md, "Vouchers at a store's checkout"):
 * - a store's paid order carrying a hub voucher's code (Shopify `discount_codes`, WooCommerce
 *   `coupon_lines`; built from the platforms' own samples) marks the voucher used, announces
 *   `voucher.used` naming the order, and the redemption then refuses reversal (409);
 * - reversing an unused redemption whose reward asked for store codes deletes the code at each
 *   store through the outbox (msw stands in for Shopify's Admin GraphQL and WooCommerce's REST API
 *   and checks the exact requests);
 * - `storeCodes` of a reward lists the store platforms the hub discovered;
 * - mappings check reads every adapter's option schema without any secret.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import woocommerce from '../../connectors/woocommerce/index.js';
import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import type { OutboundAdapter } from '../../core/outbound/adapter.js';
import { discoverConnectors } from '../../core/connectors/discover.js';
import { adapterDescriptors } from '../../core/mappings/index.js';
import { storeCodeOptions } from '../../core/rewards/store-code-options.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { createHub } from '../../core/hub.js';
import { silentLogger } from '../../core/observability/logger.js';
import { tempDatabase } from '../helpers/temp-database.js';
import { hubHarness, json, type HubHarness } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, WOO_SECRET, shopifyDelivery, wooDelivery } from '../inbound/sign.js';
import { balance, deliver, loyaltyEvents, onlyOutcome, sample, type Json } from '../inbound/webhook-helpers.js';

const SHOP_API = 'https://shopify.test';
const GRAPHQL = `${SHOP_API}/admin/api/2026-04/graphql.json`;
const STORE = 'https://shop.example';
const COUPONS = `${STORE}/wp-json/wc/v3/coupons`;
const inboundEnv = { SHOPIFY_API_SECRET: SHOPIFY_SECRET, WOOCOMMERCE_WEBHOOK_SECRET: WOO_SECRET };
const storeCodeEnv = {
  ...inboundEnv,
  SHOPIFY_SHOP: 'example.myshopify.com',
  SHOPIFY_ADMIN_ACCESS_TOKEN: 'shpat_0123456789abcdef',
  SHOPIFY_API_URL: SHOP_API,
  WOOCOMMERCE_URL: STORE,
  WOOCOMMERCE_CONSUMER_KEY: 'ck_0123456789abcdef0123456789abcdef01234567',
  WOOCOMMERCE_CONSUMER_SECRET: 'cs_0123456789abcdef0123456789abcdef01234567',
};

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Redeemed {
  memberId: string;
  redemptionId: string;
  code: string;
}

/** A member with points redeems a $10-off reward asking for codes at `stores`. */
async function redeem(h: HubHarness, stores: string[], email = 'ann@example.com'): Promise<Redeemed> {
  const member = await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email } }));
  expect((await h.call('POST', `/v1/members/${member.id}/adjustments`, { body: { points: 1000, reason: 'test credit' } })).status).toBe(201);
  const reward = await h.call('POST', '/v1/rewards', { body: { name: '$10 off', kind: 'fixed_discount', value: 1000, currency: 'USD', cost: 500, storeCodes: stores } });
  expect(reward.status).toBe(201);
  const redeemed = await h.call('POST', `/v1/members/${member.id}/redemptions`, { scope: 'write', body: { rewardId: (await json(reward)).id } });
  expect(redeemed.status).toBe(201);
  const body = await json<{ id: string; voucherCode: string }>(redeemed);
  return { memberId: member.id, redemptionId: body.id, code: body.voucherCode };
}

const reverse = (h: HubHarness, redemptionId: string) => h.call('POST', `/v1/redemptions/${redemptionId}/reverse`, { scope: 'write', body: { reason: 'customer changed their mind' } });
const voucher = async (h: HubHarness, code: string) => json<{ status: string; usedAt: string | null }>(await h.call('GET', `/v1/vouchers/${code}`, { scope: 'write' }));

/** Shopify's orders/paid sample (199.00 USD) with the member's voucher typed in lower case, and a shop discount of its own. */
function shopifyOrder(code: string, id = 820982911946154500): Json {
  return {
    ...sample('shopify', 'order_paid_with_customer'),
    id,
    discount_codes: [
      { code: code.toLowerCase(), amount: '10.00', type: 'fixed_amount' },
      { code: 'SPRINGSALE', amount: '5.00', type: 'percentage' },
    ],
  };
}

/** WooCommerce's processing order sample, paid by the member's e-mail, with the voucher in coupon_lines. */
function wooOrder(code: string, email: string, id = 727): Json {
  const base = sample('woocommerce', 'order_processing');
  return {
    ...base,
    id,
    billing: { ...(base.billing as Json), email },
    coupon_lines: [{ id: 313, code: code.toLowerCase(), discount: '10.00', discount_tax: '0.00', meta_data: [] }],
  };
}

async function expectRefusedAsHonoured(h: HubHarness, r: Redeemed, source: string, orderId: string): Promise<void> {
  const before = await balance(h, r.memberId);
  const res = await reverse(h, r.redemptionId);
  expect(res.status).toBe(409);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await json(res);
  expect(problem).toMatchObject({ status: 409, code: r.code, source, orderId });
  expect(problem.detail).toBe(`voucher ${r.code} was used at ${source} in order ${orderId}: the store honoured the code, so the redemption cannot be reversed`);
  expect(await balance(h, r.memberId)).toEqual(before);
}

describe('a store order carrying a hub voucher code', () => {
  const h = hubHarness({ connectors: [shopify, woocommerce], env: inboundEnv });

  it('Shopify discount_codes: the voucher is used, voucher.used names the order, the redemption refuses reversal; replays announce nothing more', async () => {
    const r = await redeem(h, ['shopify']);
    const order = shopifyOrder(r.code);
    const delivery = shopifyDelivery('orders/paid', order, 'evt-voucher-1');
    const answer = await deliver(h, 'shopify', delivery);
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted' });
    // The order still earns, for its own customer.
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 199 });

    expect(await voucher(h, r.code)).toMatchObject({ status: 'used' });
    const used = await loyaltyEvents(h, 'voucher.used');
    expect(used).toEqual([
      {
        type: 'voucher.used',
        memberId: r.memberId,
        data: expect.objectContaining({ code: r.code, redemptionId: r.redemptionId, source: 'shopify', orderId: String(order.id), reference: `shopify:order:${String(order.id)}` }),
      },
    ]);

    // The same event redelivered, and the same order under another event id: nothing new.
    expect(await deliver(h, 'shopify', shopifyDelivery('orders/paid', order, 'evt-voucher-1'))).toMatchObject({ status: 'duplicate' });
    expect(onlyOutcome(await deliver(h, 'shopify', shopifyDelivery('orders/paid', order, 'evt-voucher-2')))).toMatchObject({ status: 'duplicate' });
    expect(await loyaltyEvents(h, 'voucher.used')).toHaveLength(1);

    await expectRefusedAsHonoured(h, r, 'shopify', String(order.id));
  });

  it('WooCommerce coupon_lines: the voucher is used and the redemption refuses reversal', async () => {
    const r = await redeem(h, ['woocommerce'], 'bea@example.com');
    const answer = await deliver(h, 'woocommerce', wooDelivery('order.created', wooOrder(r.code, 'bea@example.com')));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted' });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', memberId: r.memberId });
    expect(onlyOutcome(answer).points).toBeGreaterThan(0);

    expect(await voucher(h, r.code)).toMatchObject({ status: 'used' });
    expect(await loyaltyEvents(h, 'voucher.used')).toEqual([
      expect.objectContaining({ memberId: r.memberId, data: expect.objectContaining({ code: r.code, source: 'woocommerce', orderId: '727', reference: 'woocommerce:order:727' }) }),
    ]);
    // order.updated for the same order (WooCommerce sends a new delivery id): no second use.
    expect(onlyOutcome(await deliver(h, 'woocommerce', wooDelivery('order.updated', wooOrder(r.code, 'bea@example.com'))))).toMatchObject({ status: 'duplicate' });
    expect(await loyaltyEvents(h, 'voucher.used')).toHaveLength(1);

    await expectRefusedAsHonoured(h, r, 'woocommerce', '727');
  });

  it('ignores codes that are no hub voucher, and leaves a voucher already used as it is while the order still earns', async () => {
    const r = await redeem(h, []);
    expect((await h.call('POST', `/v1/vouchers/${r.code}/use`, { scope: 'write', body: { reference: 'till-7' } })).status).toBe(200);
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', shopifyOrder(r.code, 5550001)));
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 199 });
    expect(await loyaltyEvents(h, 'voucher.used')).toEqual([expect.objectContaining({ data: expect.objectContaining({ reference: 'till-7' }) })]);
    // A till's use is refused reversal too, without a store to name.
    const res = await reverse(h, r.redemptionId);
    expect(res.status).toBe(409);
    expect((await json(res)).detail).toBe(`voucher ${r.code} was used; the redemption cannot be reversed`);
  });
});

/** Shopify's Admin GraphQL for one shop: creates, looks up and deletes discount codes, recording every request. */
function shopifyAdmin(options: { has: boolean }): { query: string; variables: Json }[] {
  const seen: { query: string; variables: Json }[] = [];
  server.use(
    http.post(GRAPHQL, async ({ request }) => {
      const body = (await request.json()) as { query: string; variables: Json };
      seen.push(body);
      if (body.query.includes('discountCodeBasicCreate')) {
        return HttpResponse.json({ data: { discountCodeBasicCreate: { codeDiscountNode: { id: 'gid://shopify/DiscountCodeNode/1057371242' }, userErrors: [] } } });
      }
      if (body.query.includes('codeDiscountNodeByCode')) {
        const node = { id: 'gid://shopify/DiscountCodeNode/1057371242', codeDiscount: { __typename: 'DiscountCodeBasic', title: 'Loyalty reward: $10 off (redemption rdm_x, member mem_x)' } };
        return HttpResponse.json({ data: { codeDiscountNodeByCode: options.has ? node : null } });
      }
      if (body.query.includes('discountCodeDelete')) {
        return HttpResponse.json({ data: { discountCodeDelete: { deletedCodeDiscountId: body.variables.id, userErrors: [] } } });
      }
      return HttpResponse.json({ errors: [{ message: 'unexpected query' }] }, { status: 400 });
    }),
  );
  return seen;
}

/** WooCommerce's coupons: created, listed by code and deleted by id, recording every request. */
function wooCoupons(redemptionId: () => string, deleteStatus = 200): { method: string; url: URL }[] {
  const seen: { method: string; url: URL }[] = [];
  const record = ({ request }: { request: Request }) => void seen.push({ method: request.method, url: new URL(request.url) });
  server.use(
    http.post(COUPONS, (info) => {
      record(info);
      return HttpResponse.json({ id: 720, code: 'created' }, { status: 201 });
    }),
    http.get(COUPONS, (info) => {
      record(info);
      const code = new URL(info.request.url).searchParams.get('code')!;
      return HttpResponse.json([{ id: 720, code: code.toLowerCase(), meta_data: [{ id: 1, key: 'loyalty_hub_redemption_id', value: redemptionId() }] }]);
    }),
    http.delete(`${COUPONS}/:id`, (info) => {
      record(info);
      return deleteStatus === 200
        ? HttpResponse.json({ id: 720, code: 'deleted' })
        : HttpResponse.json({ code: 'woocommerce_rest_shop_coupon_invalid_id', message: 'Invalid ID.', data: { status: 404 } }, { status: 404 });
    }),
  );
  return seen;
}

describe('reversing an unused redemption whose reward asked for store codes', () => {
  const h = hubHarness({ connectors: [shopify, woocommerce], env: storeCodeEnv });

  async function dispatch(): Promise<void> {
    const dispatcher = h.hub.notifications.dispatcher;
    await dispatcher.runOnce();
    await dispatcher.runOnce();
  }
  async function storeDeliveries() {
    const { deliveries } = tablesOf(h.hub.store.db);
    return (await h.hub.store.db.select().from(deliveries)).filter((d) => d.route.startsWith('store-code:'));
  }

  it('deletes the Shopify discount code (codeDiscountNodeByCode, then discountCodeDelete) and the WooCommerce coupon (GET by code, DELETE force=true)', async () => {
    let redemptionId = '';
    const shop = shopifyAdmin({ has: true });
    const woo = wooCoupons(() => redemptionId);
    const r = await redeem(h, ['shopify', 'woocommerce']);
    redemptionId = r.redemptionId;
    await dispatch();
    expect(shop.map((q) => q.query.match(/^(query|mutation) (\w+)/)![2])).toEqual(['LoyaltyHubStoreCode']);
    expect(woo.map((q) => q.method)).toEqual(['POST']);

    const res = await reverse(h, r.redemptionId);
    expect(res.status).toBe(200);
    expect(await voucher(h, r.code)).toMatchObject({ status: 'void' });
    const [reversed] = await loyaltyEvents(h, 'points.reversed');
    expect(reversed!.data).toMatchObject({ source: 'redemption', redemptionId: r.redemptionId, voucherCode: r.code, storeCodes: ['shopify', 'woocommerce'] });
    await dispatch();

    expect(shop.slice(1)).toEqual([
      { query: expect.stringMatching(/^query LoyaltyHubStoreCodeLookup\(\$code: String!\) \{\s+codeDiscountNodeByCode\(code: \$code\)/), variables: { code: r.code } },
      {
        query: expect.stringMatching(/^mutation LoyaltyHubStoreCodeDelete\(\$id: ID!\) \{\s+discountCodeDelete\(id: \$id\) \{\s+deletedCodeDiscountId/),
        variables: { id: 'gid://shopify/DiscountCodeNode/1057371242' },
      },
    ]);
    expect(woo.slice(1).map((q) => `${q.method} ${q.url.pathname}?${q.url.searchParams.toString()}`)).toEqual([
      `GET /wp-json/wc/v3/coupons?code=${encodeURIComponent(r.code)}`,
      'DELETE /wp-json/wc/v3/coupons/720?force=true',
    ]);
    const rows = await storeDeliveries();
    expect(rows).toHaveLength(4);
    expect(rows.every((d) => d.status === 'delivered')).toBe(true);

    // Reversing again answers the first reversal and asks the stores for nothing more.
    expect((await json(await reverse(h, r.redemptionId))).alreadyReversed).toBe(true);
    await dispatch();
    expect(shop).toHaveLength(3);
    expect(woo).toHaveLength(3);
  });

  it('counts a code the store no longer has as done (Shopify finds none, WooCommerce answers 404)', async () => {
    let redemptionId = '';
    const shop = shopifyAdmin({ has: false });
    const woo = wooCoupons(() => redemptionId, 404);
    const r = await redeem(h, ['shopify', 'woocommerce']);
    redemptionId = r.redemptionId;
    await dispatch();
    expect((await reverse(h, r.redemptionId)).status).toBe(200);
    await dispatch();
    expect(shop.map((q) => q.query.match(/^(query|mutation) (\w+)/)![2])).toEqual(['LoyaltyHubStoreCode', 'LoyaltyHubStoreCodeLookup']);
    expect(woo.map((q) => q.method)).toEqual(['POST', 'GET', 'DELETE']);
    expect((await storeDeliveries()).map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('sends nothing to a store the reward did not ask for', async () => {
    const shop = shopifyAdmin({ has: true });
    const r = await redeem(h, ['shopify']);
    await dispatch();
    expect((await reverse(h, r.redemptionId)).status).toBe(200);
    await dispatch();
    expect(shop).toHaveLength(3);
    expect((await storeDeliveries()).map((d) => d.route)).toEqual(['store-code:shopify', 'store-code:shopify']);
  });
});

describe('storeCodes of a reward: the store platforms the hub discovered', () => {
  const h = hubHarness({ connectors: [shopify], env: inboundEnv });

  it('refuses a platform that is no store connector of this hub, naming it (400 problem+json)', async () => {
    for (const unknown of ['magento', 'woocommerce']) {
      const res = await h.call('POST', '/v1/rewards', { body: { name: '$10 off', kind: 'fixed_discount', value: 1000, currency: 'USD', cost: 500, storeCodes: ['shopify', unknown] } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = await json<{ errors: { pointer: string; message: string }[] }>(res);
      expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/storeCodes/1', message: `unknown store platform "${unknown}"; the hub's store platforms: shopify` })]);
    }
    const patched = await h.call('POST', '/v1/rewards', { body: { name: '$10 off', kind: 'fixed_discount', value: 1000, currency: 'USD', cost: 500, storeCodes: ['shopify'] } });
    expect(patched.status).toBe(201);
    expect((await h.call('PATCH', `/v1/rewards/${(await json(patched)).id as string}`, { body: { storeCodes: ['magento'] } })).status).toBe(400);
  });

  it('lists them in the OpenAPI document', async () => {
    const doc = await json<{ components: { schemas: Record<string, { properties: Record<string, { items?: { enum?: string[] } }> }> } }>(await h.hub.app.request('/openapi.json'));
    expect(doc.components.schemas.RewardInput!.properties.storeCodes!.items!.enum).toEqual(['shopify']);
  });
});

describe('storeCodes of a reward on a hub without store connectors', () => {
  const h = hubHarness({ connectors: [] });

  it('refuses every platform, naming it, and still documents the field', async () => {
    const res = await h.call('POST', '/v1/rewards', { body: { name: '$10 off', kind: 'fixed_discount', value: 1000, currency: 'USD', cost: 500, storeCodes: ['shopify'] } });
    expect(res.status).toBe(400);
    expect((await json<{ errors: { message: string }[] }>(res)).errors).toEqual([
      expect.objectContaining({ message: `unknown store platform "shopify"; the hub's store platforms: none (no store connector is installed)` }),
    ]);
    const doc = await json<{ components: { schemas: Record<string, { properties: Record<string, unknown> }> } }>(await h.hub.app.request('/openapi.json'));
    expect(doc.components.schemas.RewardInput!.properties.storeCodes).toMatchObject({ type: 'array', items: { type: 'string' } });
  });
});

describe('adapter option schemas as data', () => {
  it('are read without building any adapter or setting any secret (mappings check)', async () => {
    const definitions = await discoverConnectors();
    const { adapters, unavailable } = adapterDescriptors(definitions, {});
    expect(unavailable).toEqual([]);
    const outbound = definitions.filter((d) => d.createAdapter);
    expect([...adapters.keys()].sort()).toEqual(outbound.map((d) => d.adapter!.name).sort());
    // Every shipped outbound connector is among them (the list grows with connectors/).
    expect(outbound.map((d) => d.name)).toEqual(expect.arrayContaining(['hubspot', 'salesforce', 'sendgrid', 'shopify', 'slack', 'square', 'twilio', 'webhook', 'woocommerce', 'zendesk']));
    for (const d of outbound) expect(adapters.get(d.adapter!.name)!.options).toBe(d.adapter!.options);
    expect(adapters.get('shopify')!.options).toBe(storeCodeOptions);
    expect(adapters.get('woocommerce')!.options).toBe(storeCodeOptions);

    // An adapter that cannot be built without its secrets is described all the same.
    const unbuildable: ConnectorDefinition = {
      name: 'acme',
      title: 'Acme',
      directions: ['outbound'],
      config: [{ env: 'ACME_KEY', secret: true, required: true, description: 'key' }],
      adapter: { name: 'acme', options: storeCodeOptions },
      createAdapter: () => {
        throw new Error('acme: set ACME_KEY');
      },
    };
    expect(adapterDescriptors([unbuildable], {}).adapters.get('acme')?.options).toBe(storeCodeOptions);
    expect(adapterDescriptors([{ ...unbuildable, adapter: undefined }], {}).unavailable).toEqual([{ connector: 'acme', reason: expect.stringMatching(/declares no adapter/) }]);
  });
});

/**
 * A store whose own adapter does something else (Square's mirrors points) declares a store-code
 * adapter of its own in the capability: it is named `<connector>-store-codes`, takes the shared
 * options and gets the member with each code (docs/adding-a-connector.md, "Store codes").
 */
describe('a store connector with a store-code adapter of its own', () => {
  const sent: { adapter: string; options: Json }[] = [];
  const recorder = (name: string, options: OutboundAdapter['options']): OutboundAdapter => ({
    name,
    options,
    send: async (o) => {
      sent.push({ adapter: name, options: o as Json });
      return { status: 'delivered' };
    },
  });
  const till = (storeAdapterName = 'till-store-codes', options: OutboundAdapter['options'] = storeCodeOptions): ConnectorDefinition => ({
    name: 'till',
    title: 'Till (test platform)',
    directions: ['outbound'],
    config: [{ env: 'TILL_TOKEN', secret: true, required: true, description: 'token' }],
    adapter: { name: 'till', options: storeCodeOptions.options[1] },
    createAdapter: () => recorder('till', storeCodeOptions.options[1]),
    capabilities: { storeCodes: { env: ['TILL_TOKEN'], createAdapter: () => recorder(storeAdapterName, options) } },
  });
  const h = hubHarness({ connectors: [till()], env: { TILL_TOKEN: 't' } });

  it('routes the redeemed reward to the store-code adapter with the member, and the reversal too', async () => {
    sent.length = 0;
    const r = await redeem(h, ['till']);
    await h.hub.notifications.dispatcher.runOnce();
    expect(sent).toEqual([{ adapter: 'till-store-codes', options: expect.objectContaining({ action: 'create', code: r.code, memberId: r.memberId, redemptionId: r.redemptionId }) }]);
    expect((await reverse(h, r.redemptionId)).status).toBe(200);
    await h.hub.notifications.dispatcher.runOnce();
    expect(sent.slice(1)).toEqual([{ adapter: 'till-store-codes', options: { action: 'delete', code: r.code, redemptionId: r.redemptionId } }]);
  });

  it('refuses to start when that adapter is misnamed or takes other options, naming the connector', async () => {
    for (const def of [till('till'), till('till-store-codes', storeCodeOptions.options[0])]) {
      const db = await tempDatabase();
      try {
        await expect(createHub({ connectors: [def], logger: silentLogger, env: { DATABASE_URL: db.url, TILL_TOKEN: 't' } })).rejects.toThrow(
          'connectors/till: its store-code adapter must be named "till-store-codes" and take storeCodeOptions',
        );
      } finally {
        await db.dispose();
      }
    }
  });
});
