import { fileURLToPath } from 'node:url';
import { identifyTrigger } from '../../core/triggers/order-identity.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus, InboundPayloadError, type InboundHandler, type InboundRequest } from '../../core/connectors/definition.js';
import { silentLogger } from '../../core/observability/logger.js';
import type { TriggerEvent } from '../../core/triggers/trigger-event.js';
import stripe from '../../connectors/stripe/index.js';
import { createStripeInbound } from '../../connectors/stripe/inbound.js';
import { inboundServices } from '../helpers/inbound-services.js';

/** Stripe's own fixture objects (see the folder's README): schema-complete, states adjusted per test. */
const SAMPLES = fileURLToPath(new URL('../fixtures/platform-samples/stripe', import.meta.url));
const SECRET = 'whsec_test_0123456789abcdefghijklmnopqrstuv';
const API = 'http://stripe.test';
const API_KEY = 'sk_test_51LoyaltyHubExampleKey';

const PI = 'pi_3PurchaseB7WZ01zgkW0000001';
const CUSTOMER = 'cus_QXg1o8vcGmoR32';
const NOW_MS = Date.UTC(2025, 5, 1, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

type Json = Record<string, unknown>;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function sample(name: string): Json {
  return JSON.parse(readFileSync(join(SAMPLES, `${name}.json`), 'utf8')) as Json;
}

let eventSeq = 0;

/** A snapshot event in the envelope of `event_envelope_plan_created.json`, around `object`. */
function event(type: string, object: Json, id = `evt_1Test${String(++eventSeq).padStart(6, '0')}`): Json {
  return { ...sample('event_envelope_plan_created'), id, type, created: NOW_S - 5, api_version: '2025-03-31.basil', data: { object } };
}

interface Signing {
  secret?: string;
  /** Seconds; default NOW. */
  timestamp?: number;
  /** Send these bytes instead of the signed ones (a body altered after signing). */
  tamperedBody?: string;
  omitSignature?: boolean;
}

/** A delivery as the core hands it over, signed the way Stripe signs (the SDK's test helper). */
function delivery(payload: Json | string, signing: Signing = {}): InboundRequest {
  const signed = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const header = Stripe.webhooks.generateTestHeaderString({ payload: signed, secret: signing.secret ?? SECRET, timestamp: signing.timestamp ?? NOW_S });
  const body = signing.tamperedBody ?? signed;
  return {
    method: 'POST',
    url: 'https://loyalty.example.com/webhooks/stripe',
    headers: new Headers({ 'content-type': 'application/json; charset=utf-8', ...(signing.omitSignature ? {} : { 'stripe-signature': header }) }),
    rawBody: Buffer.from(body, 'utf8'),
    body,
  };
}

/** The handler with a clock pinned at NOW (the timestamp tolerance is measured against it). */
function handler(env: { apiKey?: string } = {}): InboundHandler {
  return createStripeInbound({ webhookSecret: SECRET, apiKey: env.apiKey, apiUrl: API, logger: silentLogger, now: () => NOW_MS });
}

async function onlyEvent(request: InboundRequest, h = handler()): Promise<TriggerEvent> {
  const result = await h.normalize(request);
  if (result.status !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  expect(result.events).toHaveLength(1);
  return identifyTrigger(result.events[0]!);
}

function orderOf(trigger: TriggerEvent) {
  if (trigger.type !== 'order.paid') throw new Error(`expected order.paid, got ${trigger.type}`);
  return trigger.order;
}

// --- one purchase, as its four announcements carry it -------------------------------------------

function paidSession(overrides: Json = {}): Json {
  return {
    ...sample('checkout_session'),
    status: 'complete',
    payment_status: 'paid',
    amount_subtotal: 4200,
    amount_total: 4200,
    currency: 'usd',
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    payment_intent: PI,
    customer: CUSTOMER,
    customer_details: { ...(sample('checkout_session').customer_details as Json), email: 'ann@example.com', name: 'Ann Lee' },
    ...overrides,
  };
}

function succeededIntent(overrides: Json = {}): Json {
  return { ...sample('payment_intent'), id: PI, status: 'succeeded', amount: 4200, amount_received: 4200, currency: 'usd', customer: CUSTOMER, receipt_email: 'ann@example.com', latest_charge: 'ch_3PurchaseB7WZ01zgkW0000001', ...overrides };
}

function succeededCharge(overrides: Json = {}): Json {
  const charge = sample('charge');
  return {
    ...charge,
    id: 'ch_3PurchaseB7WZ01zgkW0000001',
    amount: 4200,
    amount_captured: 4200,
    captured: true,
    paid: true,
    status: 'succeeded',
    currency: 'usd',
    payment_intent: PI,
    customer: CUSTOMER,
    billing_details: { ...(charge.billing_details as Json), email: 'ann@example.com', name: 'Ann Lee' },
    ...overrides,
  };
}

function paidInvoice(overrides: Json = {}): Json {
  return {
    ...sample('invoice'),
    status: 'paid',
    amount_due: 4200,
    amount_paid: 4200,
    amount_remaining: 0,
    total: 4200,
    subtotal: 4200,
    currency: 'usd',
    customer: CUSTOMER,
    customer_email: 'ann@example.com',
    total_taxes: [],
    // Expanded on this endpoint: since API 2025-03-31.basil the PaymentIntent lives only here.
    payments: { object: 'list', data: [{ object: 'invoice_payment', status: 'paid', payment: { type: 'payment_intent', payment_intent: PI } }], has_more: false, url: '/v1/invoice_payments' },
    ...overrides,
  };
}

describe('stripe inbound: signature', () => {
  it('accepts a delivery signed with the endpoint secret', async () => {
    expect(await handler().verify(delivery(event('payment_intent.succeeded', succeededIntent())))).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret', async () => {
    const result = await handler().verify(delivery(event('payment_intent.succeeded', succeededIntent()), { secret: 'whsec_someone_elses_secret' }));
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/Stripe-Signature does not match the request signed with STRIPE_WEBHOOK_SECRET/) });
  });

  it('refuses a delivery without Stripe-Signature', async () => {
    expect(await handler().verify(delivery(event('payment_intent.succeeded', succeededIntent()), { omitSignature: true }))).toEqual({ ok: false, reason: 'missing Stripe-Signature header' });
  });

  it('refuses a body changed after it was signed (a raised amount)', async () => {
    const original = JSON.stringify(event('payment_intent.succeeded', succeededIntent()));
    const request = delivery(original, { tamperedBody: original.replace('"amount_received":4200', '"amount_received":420000') });
    expect(request.body).not.toBe(original);
    expect((await handler().verify(request)).ok).toBe(false);
  });

  it('refuses a signature older than 300 seconds (a replay) and accepts one just inside the window', async () => {
    const body = event('payment_intent.succeeded', succeededIntent());
    expect(await handler().verify(delivery(body, { timestamp: NOW_S - 301 }))).toEqual({ ok: false, reason: 'Stripe-Signature t= is 301 s old (at most 300 s either way)' });
    expect(await handler().verify(delivery(body, { timestamp: NOW_S - 299 }))).toEqual({ ok: true });
  });

  it('is the definition the hub discovers: disabled without the signing secret, enabled with it', async () => {
    expect(connectorStatus(stripe, {})).toMatchObject({ enabled: false, missing: ['STRIPE_WEBHOOK_SECRET'] });
    expect(connectorStatus(stripe, { STRIPE_WEBHOOK_SECRET: SECRET })).toMatchObject({ enabled: true, missing: [] });
    // Built from the environment, it checks signatures against the real clock.
    const live = stripe.createInbound({ STRIPE_WEBHOOK_SECRET: SECRET }, inboundServices(silentLogger));
    const fresh = Stripe.webhooks.generateTestHeaderString({ payload: '{"id":"evt_1","type":"x"}', secret: SECRET });
    const request = { ...delivery('{"id":"evt_1","type":"x"}'), headers: new Headers({ 'stripe-signature': fresh }) };
    expect(await live.verify(request)).toEqual({ ok: true });
  });
});

describe('stripe inbound: delivery id and topic', () => {
  it('names the delivery by the event id and its topic by the event type', () => {
    const request = delivery(event('charge.refunded', succeededCharge(), 'evt_1PgcRefund0000000000001'));
    expect(handler().deliveryId(request)).toBe('evt_1PgcRefund0000000000001');
    expect(handler().topic(request)).toBe('charge.refunded');
  });

  it('has neither for a body that is not JSON', () => {
    const request = delivery('not json');
    expect(handler().deliveryId(request)).toBeUndefined();
    expect(handler().topic(request)).toBeUndefined();
  });
});

describe('stripe inbound: a purchase', () => {
  it('announced four times (session, payment intent, charge, invoice) is one order.paid: same id, same amount', async () => {
    const triggers = [
      await onlyEvent(delivery(event('checkout.session.completed', paidSession()))),
      await onlyEvent(delivery(event('payment_intent.succeeded', succeededIntent()))),
      await onlyEvent(delivery(event('charge.succeeded', succeededCharge()))),
      await onlyEvent(delivery(event('invoice.paid', paidInvoice()))),
    ];
    expect(triggers.map((t) => t.id)).toEqual(Array(4).fill(`stripe:order:${PI}`));
    expect(triggers.map((t) => orderOf(t).id)).toEqual(Array(4).fill(PI));
    expect(triggers.map((t) => [orderOf(t).amount, orderOf(t).currency])).toEqual(Array(4).fill([4200, 'USD']));
    expect(triggers[1]).toEqual({
      type: 'order.paid',
      id: `stripe:order:${PI}`,
      source: 'stripe',
      occurredAt: (NOW_S - 5) * 1000,
      customer: { platformId: CUSTOMER, email: 'ann@example.com' },
      order: { id: PI, channel: 'online', currency: 'USD', amount: 4200, total: 4200, discountCodes: [], lineItems: [] },
    });
    expect(triggers[0]!.customer).toEqual({ platformId: CUSTOMER, email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' });
  });

  it('earns a checkout session on what was bought: shipping and tax taken out, the whole charge kept as total', async () => {
    const session = paidSession({ amount_subtotal: 4700, amount_total: 5500, total_details: { amount_discount: 500, amount_shipping: 500, amount_tax: 800 } });
    const order = orderOf(await onlyEvent(delivery(event('checkout.session.completed', session))));
    expect(order).toMatchObject({ amount: 4200, total: 5500, currency: 'USD' });
  });

  it('earns an invoice without its tax, and keys it by the PaymentIntent Stripe looks up when the payload lacks it', async () => {
    const seen: Request[] = [];
    server.use(
      http.get(`${API}/v1/invoice_payments`, ({ request }) => {
        seen.push(request);
        return HttpResponse.json({ object: 'list', data: [{ id: 'inpay_1', object: 'invoice_payment', status: 'paid', payment: { type: 'payment_intent', payment_intent: PI } }], has_more: false, url: '/v1/invoice_payments' });
      }),
    );
    const invoice = paidInvoice({ payments: undefined, amount_paid: 4500, total_taxes: [{ amount: 300, tax_behavior: 'exclusive' }] });
    const trigger = await onlyEvent(delivery(event('invoice.paid', invoice)), handler({ apiKey: API_KEY }));
    expect(trigger.id).toBe(`stripe:order:${PI}`);
    expect(orderOf(trigger)).toMatchObject({ amount: 4200, total: 4500 });
    expect(seen).toHaveLength(1);
    const url = new URL(seen[0]!.url);
    expect(url.pathname).toBe('/v1/invoice_payments');
    expect(url.searchParams.get('invoice')).toBe('in_1Pgc6tB7WZ01zgkWu9fdqL6I');
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
  });

  it('keys an invoice by itself when nothing names its PaymentIntent and there is no API key', async () => {
    const trigger = await onlyEvent(delivery(event('invoice.paid', paidInvoice({ payments: undefined }))));
    expect(trigger.id).toBe('stripe:order:in_1Pgc6tB7WZ01zgkWu9fdqL6I');
  });

  it('keys a Charges-API charge without a PaymentIntent by the charge', async () => {
    const trigger = await onlyEvent(delivery(event('charge.succeeded', succeededCharge({ payment_intent: null }))));
    expect(trigger.id).toBe('stripe:order:ch_3PurchaseB7WZ01zgkW0000001');
  });

  it.each([
    ['USD', 'usd', 1099, 1099],
    ['EUR', 'eur', 2550, 2550],
    // Zero-decimal: Stripe's 10000 is ¥10,000, not ¥100.
    ['JPY', 'jpy', 10000, 10000],
    // Stripe keeps ISK two-decimal (100 = 1 króna); ISO 4217 has no minor unit.
    ['ISK', 'isk', 50000, 500],
  ])('reads %s amounts exactly (%s %i → %i)', async (code, stripeCode, stripeAmount, minor) => {
    const intent = succeededIntent({ currency: stripeCode, amount: stripeAmount, amount_received: stripeAmount });
    expect(orderOf(await onlyEvent(delivery(event('payment_intent.succeeded', intent))))).toMatchObject({ currency: code, amount: minor, total: minor });
  });

  it('marks a Stripe Terminal payment as point of sale', async () => {
    const intent = succeededIntent({ payment_method_types: ['card_present'] });
    expect(orderOf(await onlyEvent(delivery(event('payment_intent.succeeded', intent)))).channel).toBe('pos');
  });

  it.each([
    ['an unpaid checkout session', 'checkout.session.completed', () => paidSession({ payment_status: 'unpaid' }), /is unpaid/],
    ['a payment intent not yet succeeded', 'payment_intent.succeeded', () => succeededIntent({ status: 'processing' }), /is processing/],
    ['a charge only authorized', 'charge.succeeded', () => succeededCharge({ captured: false, amount_captured: 0 }), /not captured/],
    ['a failed charge', 'charge.succeeded', () => succeededCharge({ paid: false, status: 'failed' }), /is failed/],
    ['a draft invoice', 'invoice.paid', () => paidInvoice({ status: 'draft' }), /is draft/],
  ])('earns nothing for %s', async (_what, type, object, reason) => {
    const result = await handler().normalize(delivery(event(type, object())));
    expect(result).toEqual({ status: 'ignored', reason: expect.stringMatching(reason) });
  });
});

describe('stripe inbound: refunds', () => {
  it('turns charge.refunded into the cumulative amount refunded on the purchase\'s order', async () => {
    const partial = await onlyEvent(delivery(event('charge.refunded', succeededCharge({ amount_refunded: 1500, refunded: false }))));
    expect(partial).toEqual({
      type: 'order.refunded',
      id: `stripe:refund:${PI}:total:1500`,
      source: 'stripe',
      occurredAt: (NOW_S - 5) * 1000,
      customer: { platformId: CUSTOMER, email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' },
      refund: { orderId: PI, refundId: `${PI}:total:1500`, currency: 'USD', refundedTotal: 1500, measuredAgainst: 'total' },
    });
    // The purchase was keyed by the same PaymentIntent, so the core finds the order.
    const purchase = await onlyEvent(delivery(event('payment_intent.succeeded', succeededIntent())));
    expect(partial.type === 'order.refunded' && partial.refund.orderId).toBe(orderOf(purchase).id);
  });

  it('says when the charge is refunded in full, and a later total is a new fact', async () => {
    const full = await onlyEvent(delivery(event('charge.refunded', succeededCharge({ amount_refunded: 4200, refunded: true }))));
    expect(full.id).toBe(`stripe:refund:${PI}:total:4200`);
    expect(full.type === 'order.refunded' && full.refund).toEqual({ orderId: PI, refundId: `${PI}:total:4200`, currency: 'USD', refundedTotal: 4200, full: true, measuredAgainst: 'total' });
  });

  it('reads a yen refund without scaling it', async () => {
    const refund = await onlyEvent(delivery(event('charge.refunded', succeededCharge({ currency: 'jpy', amount: 10000, amount_captured: 10000, amount_refunded: 2500 }))));
    expect(refund.type === 'order.refunded' && refund.refund).toMatchObject({ currency: 'JPY', refundedTotal: 2500 });
  });
});

describe('stripe inbound: customer look-ups', () => {
  function customerEndpoint(answer: () => Response) {
    const seen: Request[] = [];
    server.use(
      http.get(`${API}/v1/customers/:id`, ({ request }) => {
        seen.push(request);
        return answer();
      }),
    );
    return seen;
  }

  const noEmailIntent = () => succeededIntent({ receipt_email: null });

  it('fetches the e-mail of a customer the event names only by id', async () => {
    const seen = customerEndpoint(() => HttpResponse.json({ ...sample('customer'), email: 'jenny.rosen@example.com', name: 'Jenny Rosen', phone: '+15555550123' }));
    const trigger = await onlyEvent(delivery(event('payment_intent.succeeded', noEmailIntent())), handler({ apiKey: API_KEY }));
    expect(trigger.customer).toEqual({ platformId: CUSTOMER, email: 'jenny.rosen@example.com', phone: '+15555550123', firstName: 'Jenny', lastName: 'Rosen' });
    expect(seen).toHaveLength(1);
    expect(new URL(seen[0]!.url).pathname).toBe(`/v1/customers/${CUSTOMER}`);
    expect(seen[0]!.method).toBe('GET');
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
  });

  it('asks nothing when the event has the e-mail, or when no API key is set', async () => {
    const seen = customerEndpoint(() => HttpResponse.json(sample('customer')));
    const withEmail = await onlyEvent(delivery(event('payment_intent.succeeded', succeededIntent())), handler({ apiKey: API_KEY }));
    const withoutKey = await onlyEvent(delivery(event('payment_intent.succeeded', noEmailIntent())));
    expect(seen).toHaveLength(0);
    expect(withEmail.customer?.email).toBe('ann@example.com');
    expect(withoutKey.customer).toEqual({ platformId: CUSTOMER });
  });

  it('throws when Stripe cannot answer (5xx), so the core answers 5xx and Stripe retries', async () => {
    customerEndpoint(() => HttpResponse.json({ error: { type: 'api_error', message: 'An unknown error occurred' } }, { status: 500 }));
    const outcome = handler({ apiKey: API_KEY }).normalize(delivery(event('payment_intent.succeeded', noEmailIntent())));
    await expect(outcome).rejects.toThrow(/Stripe look-up customers\/cus_QXg1o8vcGmoR32 failed.*Stripe retries/);
    await expect(outcome).rejects.not.toBeInstanceOf(InboundPayloadError);
  });

  it('goes on without the e-mail when the customer is gone (404): retrying would not bring it back', async () => {
    customerEndpoint(() => HttpResponse.json({ error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${CUSTOMER}'` } }, { status: 404 }));
    const trigger = await onlyEvent(delivery(event('payment_intent.succeeded', noEmailIntent())), handler({ apiKey: API_KEY }));
    expect(trigger.customer).toEqual({ platformId: CUSTOMER });
    expect(orderOf(trigger).amount).toBe(4200);
  });
});

describe('stripe inbound: customers and other events', () => {
  it('turns customer.created into customer.created for the cus_ id', async () => {
    const trigger = await onlyEvent(delivery(event('customer.created', { ...sample('customer'), email: 'jenny.rosen@example.com', name: 'Jenny Rosen' })));
    expect(trigger).toEqual({
      type: 'customer.created',
      id: `stripe:customer:${CUSTOMER}`,
      source: 'stripe',
      occurredAt: (NOW_S - 5) * 1000,
      customer: { platformId: CUSTOMER, email: 'jenny.rosen@example.com', firstName: 'Jenny', lastName: 'Rosen' },
    });
  });

  it('ignores event types that do not concern loyalty', async () => {
    const result = await handler().normalize(delivery(sample('event_envelope_plan_created')));
    expect(result).toEqual({ status: 'ignored', reason: 'Stripe event plan.created is not used for loyalty' });
  });

  it('rejects a signed body that is not JSON as a payload error (400), not as a signature failure', async () => {
    const request = delivery('{"id": "evt_1", "type": ');
    expect(await handler().verify(request)).toEqual({ ok: true });
    await expect(handler().normalize(request)).rejects.toBeInstanceOf(InboundPayloadError);
  });

  it('rejects an amount the currency cannot hold (a fractional króna) rather than rounding it', async () => {
    const intent = succeededIntent({ currency: 'isk', amount: 4010, amount_received: 4010 });
    await expect(handler().normalize(delivery(event('payment_intent.succeeded', intent)))).rejects.toBeInstanceOf(InboundPayloadError);
  });

  it('rejects a paid object missing what it must have, naming the field', async () => {
    const { currency: _dropped, ...intent } = succeededIntent();
    const error = await handler()
      .normalize(delivery(event('payment_intent.succeeded', intent)))
      .then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(InboundPayloadError);
    expect((error as InboundPayloadError).errors).toEqual([{ pointer: '/data/object/currency', detail: expect.any(String) }]);
  });
});
