/**
 * Recipes end to end (docs/recipes.md): the shipped Lemon Squeezy recipe with Lemon Squeezy's
 * documented order payloads (tests/fixtures/platform-samples/lemonsqueezy, sources in its
 * README), signed as Lemon Squeezy documents — hex HMAC-SHA256 of the raw body in `X-Signature`
 * (https://docs.lemonsqueezy.com/help/webhooks/signing-requests) — through
 * `POST /webhooks/lemonsqueezy` of a real hub; and a merchant's own recipe from a
 * `LOYALTY_RECIPES` folder, with a timestamped, prefixed signature, decimal amounts and lines.
 */
import { createHmac } from 'node:crypto';
import { runReplay } from '../helpers/replay-cli.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRecipes, shippedRecipesFolder } from '../../core/connectors/recipe.js';
import { createHub } from '../../core/hub.js';
import { silentLogger } from '../../core/observability/logger.js';
import { tempDatabase } from '../helpers/temp-database.js';
import { hubHarness, type HubHarness } from '../helpers/test-hub.js';
import {
  balance,
  deliver,
  earnedAndReversed,
  expectOnlySignatureAlert,
  expectRejected,
  expectUnauthorized,
  inbox,
  memberByAlias,
  onlyOutcome,
  pointsOf,
  type Json,
} from './webhook-helpers.js';

const LS_SECRET = 'lemon-signing-secret-0123';

function lemonSample(name: 'order_created' | 'order_refunded'): Json {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/platform-samples/lemonsqueezy/${name}.json`, import.meta.url)), 'utf8')) as Json;
}

/** The documented order (id "1", customer 1), at 119.99 USD with 20.00 tax: 99.99 earns 99 points. */
function lemonOrder(name: 'order_created' | 'order_refunded', attributes: Json = {}): Json {
  const sample = lemonSample(name);
  const data = sample.data as Json;
  return { ...sample, data: { ...data, attributes: { ...(data.attributes as Json), subtotal: 9999, tax: 2000, total: 11999, ...attributes } } };
}

/** As Lemon Squeezy sends it: JSON body, `X-Event-Name`, `X-Signature` = hex HMAC-SHA256(secret, body). */
function lemonDelivery(event: string, payload: Json | string, options: { secret?: string; omitSignature?: boolean; tamperedBody?: string } = {}): RequestInit {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = createHmac('sha256', options.secret ?? LS_SECRET).update(body).digest('hex');
  return {
    method: 'POST',
    body: options.tamperedBody ?? body,
    headers: { 'content-type': 'application/json', 'x-event-name': event, ...(options.omitSignature ? {} : { 'x-signature': signature }) },
  };
}

const shipped = loadRecipes([shippedRecipesFolder], []);
const lemonsqueezy = shipped.recipes.find((r) => r.recipe.name === 'lemonsqueezy')!.definition;

describe('the shipped Lemon Squeezy recipe', () => {
  it('is valid', () => {
    expect(shipped.problems).toEqual([]);
    expect(lemonsqueezy).toMatchObject({ name: 'lemonsqueezy', directions: ['inbound'], config: [{ env: 'LEMONSQUEEZY_WEBHOOK_SECRET', secret: true, required: true }] });
  });

  describe('POST /webhooks/lemonsqueezy', () => {
    const h = hubHarness({ connectors: [lemonsqueezy], env: { LEMONSQUEEZY_WEBHOOK_SECRET: LS_SECRET } });

    it('earns once per order: a redelivery is a duplicate, and the order announced again earns nothing more', async () => {
      const delivery = lemonDelivery('order_created', lemonOrder('order_created'));
      const answer = await deliver(h, 'lemonsqueezy', delivery);
      expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'lemonsqueezy:order:1' });
      expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 99 });
      const member = await memberByAlias(h, 'lemonsqueezy:1');
      expect(member).toMatchObject({ email: 'johndoe@example.com' });

      // The same delivery again (Lemon Squeezy retries, or "resend" in its dashboard).
      expect(await deliver(h, 'lemonsqueezy', lemonDelivery('order_created', lemonOrder('order_created')))).toMatchObject({ httpStatus: 200, status: 'duplicate' });
      // Another delivery about the same order (a changed body): kept in the inbox, but the order earns once.
      const again = await deliver(h, 'lemonsqueezy', lemonDelivery('order_created', lemonOrder('order_created', { updated_at: '2021-08-17T10:00:00.000000Z' })));
      expect(again).toMatchObject({ httpStatus: 200, status: 'duplicate' });
      expect(onlyOutcome(again)).toMatchObject({ eventId: 'lemonsqueezy:order:1', status: 'duplicate' });

      expect(await balance(h, member!.id)).toMatchObject({ available: 99 });
      expect((await inbox(h)).map((r) => [r.topic, r.status])).toEqual([
        ['order_created', 'accepted'],
        ['order_created', 'accepted'],
      ]);
    });

    it('takes back partial refunds in proportion to the total, from the cumulative refunded_amount', async () => {
      await deliver(h, 'lemonsqueezy', lemonDelivery('order_created', lemonOrder('order_created')));
      expect(await pointsOf(h, 'lemonsqueezy:1')).toBe(99);

      // 30.00 of 119.99 refunded: 99 × 3000/11999 = 24.75 → 24 back.
      const first = await deliver(h, 'lemonsqueezy', lemonDelivery('order_refunded', lemonOrder('order_refunded', { refunded_amount: 3000 })));
      expect(onlyOutcome(first)).toMatchObject({ eventId: 'lemonsqueezy:refund:1:total:3000', status: 'applied', points: -24 });
      expect(await pointsOf(h, 'lemonsqueezy:1')).toBe(75);

      // Another 30.00 (refunded_amount is now 60.00): 49 due in all, 25 more.
      await deliver(h, 'lemonsqueezy', lemonDelivery('order_refunded', lemonOrder('order_refunded', { refunded_amount: 6000, updated_at: '2021-08-19T10:00:00.000000Z' })));
      expect(await pointsOf(h, 'lemonsqueezy:1')).toBe(50);
      // The first refund announced again changes nothing.
      await deliver(h, 'lemonsqueezy', lemonDelivery('order_refunded', lemonOrder('order_refunded', { refunded_amount: 3000, updated_at: '2021-08-20T10:00:00.000000Z' })));
      expect(await pointsOf(h, 'lemonsqueezy:1')).toBe(50);

      // Refunded in full: the rest goes back, and never more than the 99 earned.
      await deliver(h, 'lemonsqueezy', lemonDelivery('order_refunded', lemonOrder('order_refunded', { refunded_amount: 11999, refunded: true, status: 'refunded' })));
      const member = (await memberByAlias(h, 'lemonsqueezy:1'))!;
      expect(await balance(h, member.id)).toMatchObject({ available: 0, debt: 0 });
      expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 99, reversed: 99 });
    });

    describe('refuses what Lemon Squeezy did not sign, and writes nothing', () => {
      const body = JSON.stringify(lemonOrder('order_created'));
      it.each([
        ['signed with another secret', lemonDelivery('order_created', body, { secret: 'another-secret' }), /does not match/],
        ['without X-Signature', lemonDelivery('order_created', body, { omitSignature: true }), /missing X-Signature/],
        ['with the body changed after signing', lemonDelivery('order_created', body, { tamperedBody: body.replace('"total":11999', '"total":1199900') }), /does not match/],
        ['with a base64 signature where hex is documented', { ...lemonDelivery('order_created', body), headers: { 'content-type': 'application/json', 'x-event-name': 'order_created', 'x-signature': createHmac('sha256', LS_SECRET).update(body).digest('base64') } }, /does not match/],
      ])('%s → 401', async (_what, init, reason) => {
        expectUnauthorized(await deliver(h, 'lemonsqueezy', init), reason);
        await expectOnlySignatureAlert(h, 'lemonsqueezy');
      });
    });

    it('answers 400 to a signed order whose paths find no currency, keeps it as rejected and tells support', async () => {
      const order = lemonOrder('order_created');
      const { currency: _c, ...attributes } = (order.data as Json).attributes as Json;
      const answer = await deliver(h, 'lemonsqueezy', lemonDelivery('order_created', { ...order, data: { ...(order.data as Json), attributes } }));
      await expectRejected(h, 'lemonsqueezy', answer, '/data/attributes/currency');
    });

    it('names every missing field at once: no order id and an amount that is not minor units', async () => {
      const order = lemonOrder('order_created', { total: '119.99' });
      const { id: _id, ...data } = order.data as Json;
      const answer = await deliver(h, 'lemonsqueezy', lemonDelivery('order_created', { ...order, data }));
      await expectRejected(h, 'lemonsqueezy', answer, '/data/id');
      expect(answer.errors?.map((e) => e.pointer).sort()).toEqual(['/data/attributes/total', '/data/attributes/total', '/data/id']);
    });

    it('ignores an order that is not paid, and a topic the recipe does not list', async () => {
      const pending = await deliver(h, 'lemonsqueezy', lemonDelivery('order_created', lemonOrder('order_created', { status: 'pending' })));
      expect(pending).toMatchObject({ httpStatus: 200, status: 'ignored' });
      const other = await deliver(h, 'lemonsqueezy', lemonDelivery('subscription_created', lemonOrder('order_created')));
      expect(other).toMatchObject({ httpStatus: 200, status: 'ignored' });
      expect((await inbox(h)).map((r) => r.status)).toEqual(['ignored', 'ignored']);
      expect(await memberByAlias(h, 'lemonsqueezy:1')).toBeUndefined();
    });
  });

  describe('without its secret', () => {
    const h = hubHarness({ connectors: [lemonsqueezy] });
    it('is disabled like a coded connector: 404 naming the variable', async () => {
      const answer = await deliver(h, 'lemonsqueezy', lemonDelivery('order_created', lemonOrder('order_created')));
      expect(answer.httpStatus).toBe(404);
      expect(answer.detail).toContain('LEMONSQUEEZY_WEBHOOK_SECRET');
      expect(h.hub.connectors.find((c) => c.name === 'lemonsqueezy')).toMatchObject({ enabled: false, missing: ['LEMONSQUEEZY_WEBHOOK_SECRET'] });
    });
  });
});

/** A merchant's in-house point of sale, wired by a recipe of its own (docs/recipes.md's example). */
const ACME_RECIPE = `# The in-house POS
name: acme-pos
title: Acme POS
secret_env: ACME_POS_SECRET
signature:
  header: X-Acme-Signature
  encoding: hex
  prefix: "sha256="
  separator: ","
  signed: [timestamp, { literal: "." }, body]
  timestamp: { header: X-Acme-Timestamp, unit: s, tolerance_seconds: 300 }
delivery_id: { header: X-Acme-Delivery }
topic: { path: event }
amounts: decimal
topics:
  sale.completed:
    trigger: order.paid
    order_id: sale.number
    amount: sale.net
    total: sale.gross
    currency: sale.currency
    channel: "'pos'"
    location: sale.store
    occurred_at: sale.completed_at
    customer:
      platform_id: sale.customer.id
      email: sale.customer.email
      first_name: sale.customer.first_name
    line_items:
      each: sale.lines
      sku: sku
      quantity: qty
      unit_price: price
      total: amount
  sale.refunded:
    trigger: order.refunded
    order_id: refund.sale_number
    refund_id: refund.id
    amount: refund.amount
    currency: refund.currency
  sale.voided:
    trigger: order.cancelled
    order_id: sale.number
  customer.saved:
    trigger: customer.updated
    occurred_at: customer.updated_at
    customer:
      platform_id: customer.id
      email: customer.email
      phone: customer.phone
      last_name: customer.last_name
`;
const ACME_SECRET = 'acme-pos-secret-0123';

describe('a recipe in the LOYALTY_RECIPES folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loyalty-recipes-'));
  writeFileSync(join(dir, 'acme-pos.yaml'), ACME_RECIPE);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const h = hubHarness({ env: { LOYALTY_RECIPES: dir, ACME_POS_SECRET: ACME_SECRET } });

  let deliveries = 0;
  function acme(payload: Json, options: { at?: number; deliveryId?: string; secret?: string } = {}): RequestInit {
    const body = JSON.stringify(payload);
    const at = String(Math.floor((options.at ?? Date.now()) / 1000));
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
    return {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-acme-timestamp': at,
        'x-acme-delivery': options.deliveryId ?? `dlv-${++deliveries}`,
        // Two signatures while the secret rotates: the old one's and the current one's.
        'x-acme-signature': `${sign('the-old-secret')},${sign(options.secret ?? ACME_SECRET)}`,
      },
    };
  }
  const sale = {
    event: 'sale.completed',
    sale: {
      number: 'S-1001',
      net: '123.45',
      gross: '146.90',
      currency: 'eur',
      store: 'berlin-1',
      completed_at: '2025-06-02T09:14:03Z',
      customer: { id: 'c-77', email: 'ann.lee@example.com', first_name: 'Ann' },
      lines: [
        { sku: 'MUG-1', qty: 2, price: '12.00', amount: '24.00' },
        { sku: 'TEE-3', qty: 1, price: '99.45', amount: '99.45' },
      ],
    },
  };

  it('gets its /webhooks route: earns in decimal amounts, once per delivery id and once per sale', async () => {
    const delivery = acme(sale, { deliveryId: 'dlv-sale-1' });
    const answer = await deliver(h, 'acme-pos', delivery);
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'acme-pos:order:S-1001' });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 123 });
    expect(await deliver(h, 'acme-pos', acme(sale, { deliveryId: 'dlv-sale-1' }))).toMatchObject({ status: 'duplicate' });
    const [row] = await inbox(h);
    expect(row!.events![0]).toMatchObject({
      order: {
        channel: 'pos',
        location: 'berlin-1',
        currency: 'EUR',
        amount: 12345,
        total: 14690,
        lineItems: [
          { sku: 'MUG-1', quantity: 2, unitPrice: 1200, total: 2400 },
          { sku: 'TEE-3', quantity: 1, unitPrice: 9945, total: 9945 },
        ],
      },
      customer: { platformId: 'c-77', email: 'ann.lee@example.com', firstName: 'Ann' },
      occurredAt: '2025-06-02T09:14:03.000Z', // ISO 8601, as every time the API shows (SPEC §3)
    });

    // 23.45 of 123.45 refunded: 123 × 2345/12345 = 23.4 → 23 back.
    const refund = await deliver(h, 'acme-pos', acme({ event: 'sale.refunded', refund: { id: 'R-9', sale_number: 'S-1001', amount: '23.45', currency: 'EUR' } }));
    expect(onlyOutcome(refund)).toMatchObject({ eventId: 'acme-pos:refund:R-9', status: 'applied', points: -23 });
    expect(await pointsOf(h, 'acme-pos:c-77')).toBe(100);
  });

  it('enrolls customers, and a voided sale takes back everything it earned', async () => {
    const saved = { event: 'customer.saved', customer: { id: 'c-90', email: 'cy@example.com', phone: '+14155550123', last_name: 'Yu', updated_at: 1748855643 } };
    const answer = await deliver(h, 'acme-pos', acme(saved));
    expect(onlyOutcome(answer)).toMatchObject({ eventId: 'acme-pos:customer:c-90:updated:1748855643000', status: 'applied' });
    expect(await memberByAlias(h, 'acme-pos:c-90')).toMatchObject({ email: 'cy@example.com' });

    const paid = { ...sale, sale: { ...sale.sale, number: 'S-3003', customer: { id: 'c-90' } } };
    await deliver(h, 'acme-pos', acme(paid));
    expect(await pointsOf(h, 'acme-pos:c-90')).toBe(123);
    const voided = await deliver(h, 'acme-pos', acme({ event: 'sale.voided', sale: { number: 'S-3003' } }));
    expect(onlyOutcome(voided)).toMatchObject({ eventId: 'acme-pos:cancel:S-3003', status: 'applied', points: -123 });
    expect(await pointsOf(h, 'acme-pos:c-90')).toBe(0);
  });

  it('refuses a stale timestamp and a wrong secret with 401, writing nothing', async () => {
    expectUnauthorized(await deliver(h, 'acme-pos', acme(sale, { at: Date.now() - 3_600_000 })), /X-Acme-Timestamp is \d+ s old/);
    await expectOnlySignatureAlert(h, 'acme-pos');
    expectUnauthorized(await deliver(h, 'acme-pos', acme(sale, { secret: 'not-the-secret' })), /does not match/);
  });

  it('answers 400 with pointers into the line that lacks a quantity and a decimal that is not money', async () => {
    const lines = [{ sku: 'MUG-1', price: '12.00', amount: '24.00' }, { sku: 'TEE-3', qty: 1, amount: '99.455' }];
    const answer = await deliver(h, 'acme-pos', acme({ ...sale, sale: { ...sale.sale, lines } }));
    await expectRejected(h, 'acme-pos', answer, '/sale/lines/0/qty');
    expect(answer.errors?.map((e) => e.pointer)).toEqual(['/sale/lines/0/qty', '/sale/lines/1/amount']);
  });
});

/** Signs as the Acme recipe declares: `sha256=` hex HMAC of `<timestamp>.<body>`. */
function acmeSigned(payload: Json, deliveryId: string): RequestInit {
  const body = JSON.stringify(payload);
  const at = String(Math.floor(Date.now() / 1000));
  const signature = `sha256=${createHmac('sha256', ACME_SECRET).update(`${at}.${body}`).digest('hex')}`;
  return { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-acme-timestamp': at, 'x-acme-delivery': deliveryId, 'x-acme-signature': signature } };
}

describe('a recipe fixed after deliveries were rejected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loyalty-recipes-'));
  // The recipe as first written: the currency is read from a field the POS does not send.
  writeFileSync(join(dir, 'acme-pos.yaml'), ACME_RECIPE.replace('currency: sale.currency', 'currency: sale.curr'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const h = hubHarness({ env: { LOYALTY_RECIPES: dir, ACME_POS_SECRET: ACME_SECRET } });

  /** `loyalty-hub replay ARGS` as the command runs it, configured by the environment. */
  function replay(harness: HubHarness, ...args: string[]): Promise<{ code: number; out: string }> {
    return runReplay(harness, { LOYALTY_RECIPES: dir, ACME_POS_SECRET: ACME_SECRET }, ...args);
  }

  it('replays the rejected delivery with the fixed recipe, and never earns twice', async () => {
    const sale = { event: 'sale.completed', sale: { number: 'S-2002', net: '50.00', currency: 'EUR', customer: { id: 'c-88', email: 'bo@example.com' }, lines: [] } };
    await expectRejected(h, 'acme-pos', await deliver(h, 'acme-pos', acmeSigned(sale, 'dlv-replay-1')), '/sale/curr');

    writeFileSync(join(dir, 'acme-pos.yaml'), ACME_RECIPE);
    const first = await replay(h, '--source', 'acme-pos');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/acme-pos sale\.completed: accepted \(50 points\)/);
    expect(await pointsOf(h, 'acme-pos:c-88')).toBe(50);

    const again = await replay(h, '--source', 'acme-pos', '--status', 'accepted');
    expect(again.out).toMatch(/acme-pos sale\.completed: duplicate/);
    expect(await pointsOf(h, 'acme-pos:c-88')).toBe(50);
  });
});

describe('the hub refuses to start on a bad recipe', () => {
  const start = async (recipes: Record<string, string>, connectors: Parameters<typeof createHub>[0] = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'loyalty-recipes-'));
    for (const [file, text] of Object.entries(recipes)) writeFileSync(join(dir, file), text);
    const database = await tempDatabase();
    try {
      const hub = await createHub({ logger: silentLogger, connectors: [], ...connectors, env: { DATABASE_URL: database.url, ADMIN_API_KEY: 'test-admin-key-0123456789', LOYALTY_RECIPES: dir } });
      await hub.close();
      return { dir, error: undefined };
    } catch (error) {
      return { dir, error: error as Error };
    } finally {
      await database.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('names the file, the line and the reason', async () => {
    const broken = ACME_RECIPE.replace('trigger: order.refunded', 'trigger: order.refund').replace('encoding: hex', 'encoding: sha256');
    const { dir, error } = await start({ 'acme-pos.yaml': broken });
    expect(error?.message).toContain(`${join(dir, 'acme-pos.yaml')}:7: signature.encoding: "sha256": expected \`base64\` or \`hex\``);
    expect(error?.message).toContain(`${join(dir, 'acme-pos.yaml')}:36: topics["sale.refunded"].trigger: unknown trigger "order.refund"`);
  });

  it('refuses a recipe named like a coded connector', async () => {
    const { error } = await start({ 'woo.yaml': ACME_RECIPE.replace('name: acme-pos', 'name: woocommerce') }, { connectors: [(await import('../../connectors/woocommerce/index.js')).default] });
    expect(error?.message).toMatch(/woo\.yaml:2: name: "woocommerce" is a coded connector/);
  });

  it('starts with a good one', async () => {
    expect((await start({ 'acme-pos.yaml': ACME_RECIPE })).error).toBeUndefined();
  });
});
