/**
 * Identity across platforms, end to end: one person buying on Shopify and paying through Stripe
 * is one member with both aliases; a Stripe payment that names only its customer is matched by
 * the e-mail the Stripe API returns (msw at the network edge); a guest order is credited when its
 * e-mail enrolls later ("I bought before I joined").
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import stripe from '../../connectors/stripe/index.js';
import woocommerce from '../../connectors/woocommerce/index.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, STRIPE_SECRET, WOO_SECRET, shopifyDelivery, stripeDelivery, wooDelivery } from './sign.js';
import { CUSTOMER, stripeEvent, succeededIntent } from './stripe-objects.js';
import { balance, daysAgo, deliver, history, memberByAlias, members, onlyOutcome, sample, type Json, type MemberView } from './webhook-helpers.js';

const API = 'http://stripe.test';
const API_KEY = 'sk_test_51LoyaltyHubIdentityKey';
const SHOPIFY_ALIAS = 'shopify:1073339468';
const STRIPE_ALIAS = `stripe:${CUSTOMER}`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** order_paid_with_customer.json: 199.00 USD by Shopify customer 1073339468, foo@example.com. */
const shopifyOrder = (changes: Json = {}) => ({ ...sample('shopify', 'order_paid_with_customer'), ...changes });

/** order_paid_no_customer_eur.json (224.97 EUR of goods, `customer: null`) checked out as a guest with `email`. */
const guestOrder = (email: string, processedAt: string, id = 1073459976) => ({
  ...sample('shopify', 'order_paid_no_customer_eur'),
  id,
  email,
  contact_email: email,
  processed_at: processedAt,
  created_at: processedAt,
});

async function enroll(h: ReturnType<typeof hubHarness>, email: string): Promise<MemberView> {
  const res = await h.call('POST', '/v1/members', { scope: 'write', body: { email } });
  expect(res.status).toBe(201);
  return json<MemberView>(res);
}

describe('one member across platforms', () => {
  const h = hubHarness({
    connectors: [shopify, stripe, woocommerce],
    env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET, STRIPE_WEBHOOK_SECRET: STRIPE_SECRET, STRIPE_API_KEY: API_KEY, STRIPE_API_URL: API, WOOCOMMERCE_WEBHOOK_SECRET: WOO_SECRET },
  });

  it('a Shopify customer and a Stripe payment with the same e-mail land on one member with both aliases', async () => {
    await deliver(h, 'shopify', shopifyDelivery('orders/paid', shopifyOrder()));
    const paid = await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent({ email: 'Foo@Example.com' }))));
    const shopper = (await memberByAlias(h, SHOPIFY_ALIAS))!;
    expect(onlyOutcome(paid)).toMatchObject({ status: 'applied', memberId: shopper.id, points: 42 });

    expect(await members(h)).toHaveLength(1);
    expect((await memberByAlias(h, STRIPE_ALIAS))?.id).toBe(shopper.id);
    expect((await memberByAlias(h, SHOPIFY_ALIAS))!.aliases).toEqual(expect.arrayContaining([SHOPIFY_ALIAS, STRIPE_ALIAS, 'email:foo@example.com']));
    expect(await balance(h, shopper.id)).toMatchObject({ available: 199 + 42 });
  });

  it('the other way round too: a Stripe buyer found by e-mail when they shop on Shopify', async () => {
    await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent({ email: 'foo@example.com' }))));
    await deliver(h, 'shopify', shopifyDelivery('orders/paid', shopifyOrder()));
    const [only, ...others] = await members(h);
    expect(others).toEqual([]);
    expect(only!.aliases).toEqual(expect.arrayContaining([SHOPIFY_ALIAS, STRIPE_ALIAS]));
    expect(await balance(h, only!.id)).toMatchObject({ available: 241 });
  });

  it('a Stripe payment naming only its customer is matched by the e-mail the Stripe API returns', async () => {
    const seen: Request[] = [];
    server.use(
      http.get(`${API}/v1/customers/:id`, ({ request, params }) => {
        seen.push(request.clone());
        return HttpResponse.json({ ...sample('stripe', 'customer'), id: params.id, email: 'foo@example.com', name: 'Foo Bar' });
      }),
    );
    await deliver(h, 'shopify', shopifyDelivery('orders/paid', shopifyOrder()));
    const paid = await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent({ email: null }))));
    expect(paid.status).toBe('accepted');
    expect(seen.map((r) => [new URL(r.url).pathname, r.headers.get('authorization')])).toEqual([[`/v1/customers/${CUSTOMER}`, `Bearer ${API_KEY}`]]);

    const [only, ...others] = await members(h);
    expect(others).toEqual([]);
    expect(only!.aliases).toEqual(expect.arrayContaining([SHOPIFY_ALIAS, STRIPE_ALIAS]));
    expect(await balance(h, only!.id)).toMatchObject({ available: 241 });
  });

  it('a new customer\'s Shopify order and Stripe payment arriving at the same moment still make one member', async () => {
    const [order, payment] = await Promise.all([
      deliver(h, 'shopify', shopifyDelivery('orders/paid', shopifyOrder())),
      deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent({ email: 'foo@example.com' })))),
    ]);
    expect([order.status, payment.status]).toEqual(['accepted', 'accepted']);
    const [only, ...others] = await members(h);
    expect(others).toEqual([]);
    expect(await balance(h, only!.id)).toMatchObject({ available: 241 });
  });

  it('two orders of one new WooCommerce customer saved at the same moment both earn, on one member', async () => {
    // WooCommerce never retries a failed delivery: an error here would lose the points for good.
    const base = { ...sample('woocommerce', 'order_processing'), customer_id: 25 };
    const answers = await Promise.all([
      deliver(h, 'woocommerce', wooDelivery('order.created', base)),
      deliver(h, 'woocommerce', wooDelivery('order.created', { ...base, id: 728, number: '728', order_key: 'wc_order_58d2d042d1d', total: '49.35' })),
    ]);
    expect(answers.map((a) => [a.httpStatus, a.status])).toEqual([
      [200, 'accepted'],
      [200, 'accepted'],
    ]);
    const [only, ...others] = await members(h);
    expect(others).toEqual([]);
    expect(await balance(h, only!.id)).toMatchObject({ available: 18 + 38 });
  });
});

describe('guest orders ("I bought before I joined")', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

  it('keeps a guest order without enrolling anyone, and credits it when that e-mail enrolls through the API', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', guestOrder('gail@example.com', daysAgo(h, 3))));
    expect(onlyOutcome(answer)).toMatchObject({ status: 'guest', memberId: null, points: 0 });
    expect(await members(h)).toEqual([]);

    const gail = await enroll(h, 'Gail@Example.com');
    // 224.97 EUR of goods (the 13.50 tax excluded) → 224 points.
    expect(await balance(h, gail.id)).toMatchObject({ available: 224 });
    expect((await history(h, gail.id)).map((t) => [t.kind, t.amount, t.eventId])).toEqual([['earn', 224, 'shopify:order:1073459976']]);

    // Shopify retries the order later: still 224, and nobody else enrolled.
    const again = await deliver(h, 'shopify', shopifyDelivery('orders/paid', guestOrder('gail@example.com', daysAgo(h, 3))));
    expect(again.status).toBe('duplicate');
    expect(await balance(h, gail.id)).toMatchObject({ available: 224 });
    expect(await members(h)).toHaveLength(1);
  });

  it('credits a guest order to an existing member with that e-mail straight away', async () => {
    const gail = await enroll(h, 'gail@example.com');
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', guestOrder('GAIL@example.com', daysAgo(h, 1))));
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', memberId: gail.id, points: 224 });
  });

  it('does not credit a guest order placed longer ago than the program\'s window (30 days)', async () => {
    await deliver(h, 'shopify', shopifyDelivery('orders/paid', guestOrder('old@example.com', daysAgo(h, 31))));
    const late = await enroll(h, 'old@example.com');
    expect(await balance(h, late.id)).toMatchObject({ available: 0 });
  });

  it('a guest order without any e-mail (Shopify\'s own sample) is kept, and credits nobody', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_no_customer_eur')));
    expect(onlyOutcome(answer)).toMatchObject({ status: 'guest', points: 0 });
    expect(await members(h)).toEqual([]);
  });
});
