import { fileURLToPath } from 'node:url';
import { identifyTrigger } from '../../core/triggers/order-identity.js';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { WebhooksHelper } from 'square';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus, InboundPayloadError, type InboundHandler, type InboundRequest } from '../../core/connectors/definition.js';
import { silentLogger } from '../../core/observability/logger.js';
import type { TriggerEvent } from '../../core/triggers/trigger-event.js';
import square from '../../connectors/square/index.js';
import { squareSignature } from '../../connectors/square/signature.js';
import { verifyHmacSignature } from '../../core/connectors/hmac-signature.js';
import { inboundServices } from '../helpers/inbound-services.js';

/** Square-authored webhook examples and signature vectors (see the folder's README). */
const SAMPLES = fileURLToPath(new URL('../fixtures/platform-samples/square', import.meta.url));
const KEY = 'Ibxx_5AKakO-3qeNVR61Dw-loyalty';
const PUBLIC_URL = 'https://loyalty.example.com';
const NOTIFICATION_URL = `${PUBLIC_URL}/webhooks/square`;
const API = 'http://square.test';
const TOKEN = 'EAAAl-loyalty-hub-test-token';

/** The sale of payment_updated.json. */
const PAYMENT = 'hYy9pRFVxpDsO1FB05SunFWUe9JZY';
const ORDER = '03O3USaPaAaFnI6kkwB1JxGgBsUZY';

type Json = Record<string, unknown>;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function sample(name: string): Json {
  return JSON.parse(readFileSync(join(SAMPLES, `${name}.json`), 'utf8')) as Json;
}

/** base64(HMAC-SHA256(signature key, notification URL + body)), as Square signs. */
function sign(body: string, url = NOTIFICATION_URL, key = KEY): string {
  return createHmac('sha256', key).update(url + body).digest('base64');
}

/** A delivery as the core hands it over, signed for `signedUrl` unless told otherwise. */
function delivery(payload: Json | string, options: { signedUrl?: string; key?: string; signature?: string | null } = {}): InboundRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = options.signature === undefined ? sign(body, options.signedUrl, options.key) : options.signature;
  return {
    method: 'POST',
    url: NOTIFICATION_URL,
    headers: new Headers({ 'content-type': 'application/json', 'square-environment': 'Production', ...(signature === null ? {} : { 'x-square-hmacsha256-signature': signature }) }),
    rawBody: Buffer.from(body, 'utf8'),
    body,
  };
}

function handler(env: Record<string, string> = {}, publicUrl = PUBLIC_URL): InboundHandler {
  return square.createInbound({ SQUARE_WEBHOOK_SIGNATURE_KEY: KEY, SQUARE_API_URL: API, ...env }, inboundServices(silentLogger, { publicUrl }));
}

const withToken = () => handler({ SQUARE_ACCESS_TOKEN: TOKEN });

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

/** payment_updated.json with its payment changed. */
function paymentEvent(payment: Json = {}, envelope: Json = {}): Json {
  const base = sample('payment_updated');
  const data = base.data as { object: { payment: Json } };
  return { ...base, ...envelope, data: { ...data, object: { payment: { ...data.object.payment, ...payment } } } };
}

function refundEvent(name: 'refund_created' | 'refund_updated', refund: Json = {}, envelope: Json = {}): Json {
  const base = sample(name);
  const data = base.data as { object: { refund: Json } };
  return { ...base, ...envelope, data: { ...data, object: { refund: { ...data.object.refund, ...refund } } } };
}

describe('square inbound: signature', () => {
  it('matches Square\'s own signature vectors (square-nodejs-sdk tests)', () => {
    const vectors = sample('signed_vector_webhooks_test_notification') as Json & { extraVectors: Json[] };
    for (const v of [vectors, ...vectors.extraVectors] as { notificationUrl: string; signatureKey: string; requestBody: string; signatureHeader: string }[]) {
      const signed = (body: string) => ({ method: 'POST', url: v.notificationUrl, headers: new Headers({ 'x-square-hmacsha256-signature': v.signatureHeader }), rawBody: Buffer.from(body), body });
      expect(verifyHmacSignature(signed(v.requestBody), squareSignature(v.notificationUrl), { secrets: v.signatureKey })).toEqual({ ok: true });
      expect(verifyHmacSignature(signed(`${v.requestBody} `), squareSignature(v.notificationUrl), { secrets: v.signatureKey })).toMatchObject({ ok: false });
    }
  });

  it('accepts a notification signed for PUBLIC_URL/webhooks/square — the same signature Square\'s SDK accepts', async () => {
    const request = delivery(paymentEvent());
    expect(await handler().verify(request)).toEqual({ ok: true });
    const sdk = await WebhooksHelper.verifySignature({ requestBody: request.body, signatureHeader: request.headers.get('x-square-hmacsha256-signature')!, signatureKey: KEY, notificationUrl: NOTIFICATION_URL });
    expect(sdk).toBe(true);
  });

  it('refuses a signature made with another key', async () => {
    expect((await handler().verify(delivery(paymentEvent(), { key: 'another-subscription-key' }))).ok).toBe(false);
  });

  it('refuses a notification without the signature header', async () => {
    expect(await handler().verify(delivery(paymentEvent(), { signature: null }))).toEqual({ ok: false, reason: 'missing x-square-hmacsha256-signature header' });
  });

  it.each([
    ['another host', 'https://shop.example.com/webhooks/square'],
    ['http instead of https', 'http://loyalty.example.com/webhooks/square'],
    ['a trailing slash', 'https://loyalty.example.com/webhooks/square/'],
    ['another path', 'https://loyalty.example.com/webhooks/stripe'],
  ])('refuses a signature over a different notification URL (%s)', async (_what, url) => {
    expect(await handler().verify(delivery(paymentEvent(), { signedUrl: url }))).toEqual({ ok: false, reason: `x-square-hmacsha256-signature does not match the request signed for ${NOTIFICATION_URL}` });
  });

  it('refuses a body changed after it was signed', async () => {
    const original = JSON.stringify(paymentEvent());
    const request = { ...delivery(original), body: original.replace('"amount":100', '"amount":100000'), rawBody: Buffer.from(original.replace('"amount":100', '"amount":100000')) };
    expect((await handler().verify(request)).ok).toBe(false);
  });

  it('takes PUBLIC_URL with or without a trailing slash', async () => {
    expect(await handler({}, `${PUBLIC_URL}/`).verify(delivery(paymentEvent()))).toEqual({ ok: true });
  });

  it('is disabled without the signature key or PUBLIC_URL (Square signs the URL)', () => {
    expect(connectorStatus(square, {})).toMatchObject({ enabled: false, missing: ['SQUARE_WEBHOOK_SIGNATURE_KEY', 'PUBLIC_URL'] });
    expect(connectorStatus(square, { SQUARE_WEBHOOK_SIGNATURE_KEY: KEY, PUBLIC_URL })).toMatchObject({ enabled: true, missing: [] });
  });
});

describe('square inbound: delivery id and topic', () => {
  it('names the delivery by event_id and its topic by type', () => {
    const request = delivery(sample('payment_updated'));
    expect(handler().deliveryId(request)).toBe('6a8f5f28-54a1-4eb0-a98a-3111513fd4fc');
    expect(handler().topic(request)).toBe('payment.updated');
  });
});

describe('square inbound: payments', () => {
  it('turns a COMPLETED payment into order.paid, keyed by the payment, at its location', async () => {
    const trigger = await onlyEvent(delivery(sample('payment_updated')));
    expect(trigger).toEqual({
      type: 'order.paid',
      id: `square:order:${PAYMENT}`,
      source: 'square',
      occurredAt: Date.parse('2020-02-06T21:27:34.308Z'),
      attributes: { squareOrderId: ORDER },
      order: { id: PAYMENT, channel: 'pos', location: 'S8GWD5R9QB376', currency: 'USD', amount: 100, total: 100, discountCodes: [], lineItems: [] },
    });
  });

  it('earns nothing on a payment only APPROVED (authorized, not captured)', async () => {
    const result = await handler().normalize(delivery(sample('payment_created')));
    expect(result).toEqual({ status: 'ignored', reason: expect.stringMatching(/is APPROVED: points are earned once it is COMPLETED/) });
  });

  it('gives payment.created and payment.updated of one payment the same id, so it earns once', async () => {
    const created = await onlyEvent(delivery(paymentEvent({}, { type: 'payment.created', event_id: '13b867cf-db3d-4b1c-90b6-2f32a9d78124' })));
    const updated = await onlyEvent(delivery(paymentEvent()));
    expect(created.id).toBe(updated.id);
  });

  it('earns on the amount without the tip, keeping the whole payment as total', async () => {
    const tipped = paymentEvent({ amount_money: { amount: 1000, currency: 'USD' }, tip_money: { amount: 200, currency: 'USD' }, total_money: { amount: 1200, currency: 'USD' } });
    expect(orderOf(await onlyEvent(delivery(tipped)))).toMatchObject({ amount: 1000, total: 1200 });
  });

  it.each([
    ['USD', 4599],
    ['EUR', 2550],
    ['JPY', 10000],
  ])('reads %s amounts exactly (%i minor units stay as they are)', async (currency, amount) => {
    const event = paymentEvent({ amount_money: { amount, currency }, total_money: { amount, currency } });
    expect(orderOf(await onlyEvent(delivery(event)))).toMatchObject({ currency, amount, total: amount });
  });

  it('names the buyer by Square customer id and receipt e-mail', async () => {
    const trigger = await onlyEvent(delivery(paymentEvent({ customer_id: 'QPTXM8PQNX3Q726ZYHPMNP46XC', buyer_email_address: 'jenkins+smorly@squareup.com' })));
    expect(trigger.customer).toEqual({ platformId: 'QPTXM8PQNX3Q726ZYHPMNP46XC', email: 'jenkins+smorly@squareup.com' });
  });

  it('calls a Square Online payment online, a register payment pos', async () => {
    const online = await onlyEvent(delivery(paymentEvent({ application_details: { square_product: 'ONLINE_STORE', application_id: 'sq0idp-w46nJ_NCNDMSOywaCY0mwA' } })));
    const register = await onlyEvent(delivery(paymentEvent({ application_details: { square_product: 'SQUARE_POS', application_id: 'sq0idp-w46nJ_NCNDMSOywaCY0mwA' } })));
    expect([orderOf(online).channel, orderOf(register).channel]).toEqual(['online', 'pos']);
  });

  it('rejects a payment without amount_money as a payload error naming the field', async () => {
    const event = paymentEvent();
    delete ((event.data as { object: { payment: Json } }).object.payment as Json).amount_money;
    const error = await handler()
      .normalize(delivery(event))
      .then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(InboundPayloadError);
    expect((error as InboundPayloadError).errors).toEqual([{ pointer: '/data/object/payment/amount_money', detail: expect.any(String) }]);
  });
});

describe('square inbound: line items from the Orders API', () => {
  /** GET /v2/orders/{id} as Square answers it (wire format). */
  function orderResponse(overrides: Json = {}): Json {
    return {
      order: {
        id: ORDER,
        location_id: 'S8GWD5R9QB376',
        state: 'COMPLETED',
        line_items: [
          {
            uid: 'line-espresso',
            catalog_object_id: 'W62UWFY35CWMYGVWK6TWJDNI',
            name: 'Espresso beans 1kg',
            quantity: '2',
            base_price_money: { amount: 1500, currency: 'USD' },
            gross_sales_money: { amount: 3000, currency: 'USD' },
            total_tax_money: { amount: 240, currency: 'USD' },
            total_discount_money: { amount: 0, currency: 'USD' },
            total_money: { amount: 3240, currency: 'USD' },
          },
          {
            uid: 'line-loose-tea',
            catalog_object_id: 'AA27W3M2GGTF3H6AVPNB77CK',
            name: 'Loose tea',
            quantity: '0.5',
            base_price_money: { amount: 1000, currency: 'USD' },
            gross_sales_money: { amount: 500, currency: 'USD' },
            total_tax_money: { amount: 40, currency: 'USD' },
            total_discount_money: { amount: 0, currency: 'USD' },
            total_money: { amount: 540, currency: 'USD' },
          },
        ],
        tenders: [{ id: PAYMENT, type: 'CARD', amount_money: { amount: 3780, currency: 'USD' }, payment_id: PAYMENT }],
        total_money: { amount: 3780, currency: 'USD' },
        total_tax_money: { amount: 280, currency: 'USD' },
        total_service_charge_money: { amount: 0, currency: 'USD' },
        ...overrides,
      },
    };
  }

  function ordersEndpoint(answer: () => Response) {
    const seen: Request[] = [];
    server.use(
      http.get(`${API}/v2/orders/:orderId`, ({ request }) => {
        seen.push(request);
        return answer();
      }),
    );
    return seen;
  }

  const paid = () => paymentEvent({ amount_money: { amount: 3780, currency: 'USD' }, total_money: { amount: 3780, currency: 'USD' } });

  it('fetches the order of a completed payment with the access token and earns on its lines, tax taken out', async () => {
    const seen = ordersEndpoint(() => HttpResponse.json(orderResponse()));
    const order = orderOf(await onlyEvent(delivery(paid()), withToken()));
    expect(seen).toHaveLength(1);
    expect(new URL(seen[0]!.url).pathname).toBe(`/v2/orders/${ORDER}`);
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(order.lineItems).toEqual([
      { id: 'line-espresso', productId: 'W62UWFY35CWMYGVWK6TWJDNI', quantity: 2, unitPrice: 1500, total: 3000 },
      { id: 'line-loose-tea', productId: 'AA27W3M2GGTF3H6AVPNB77CK', quantity: 0.5, unitPrice: 1000, total: 500 },
    ]);
    expect(order).toMatchObject({ amount: 3500, total: 3780 });
  });

  it('leaves the lines off a payment that paid only part of the order (split tender)', async () => {
    ordersEndpoint(() => HttpResponse.json(orderResponse({ tenders: [{ id: PAYMENT, type: 'CARD' }, { id: 'cash-tender', type: 'CASH' }] })));
    const order = orderOf(await onlyEvent(delivery(paymentEvent({ amount_money: { amount: 2000, currency: 'USD' }, total_money: { amount: 2000, currency: 'USD' } })), withToken()));
    expect(order).toMatchObject({ amount: 2000, lineItems: [] });
  });

  it('asks nothing without an access token', async () => {
    const seen = ordersEndpoint(() => HttpResponse.json(orderResponse()));
    const order = orderOf(await onlyEvent(delivery(paid())));
    expect(seen).toHaveLength(0);
    expect(order).toMatchObject({ amount: 3780, lineItems: [] });
  });

  it('throws when Square cannot answer (5xx), so the core answers 5xx and Square retries', async () => {
    ordersEndpoint(() => HttpResponse.json({ errors: [{ category: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR' }] }, { status: 503 }));
    const outcome = withToken().normalize(delivery(paid()));
    await expect(outcome).rejects.toThrow('Square order look-up 03O3USaPaAaFnI6kkwB1JxGgBsUZY failed (HTTP 503); answering 5xx so Square retries the notification');
    await expect(outcome).rejects.not.toBeInstanceOf(InboundPayloadError);
  });

  it('earns without lines when Square refuses the token (401): retrying would not help', async () => {
    ordersEndpoint(() => HttpResponse.json({ errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED' }] }, { status: 401 }));
    expect(orderOf(await onlyEvent(delivery(paid()), withToken()))).toMatchObject({ amount: 3780, lineItems: [] });
  });
});

describe('square inbound: refunds', () => {
  it('turns a COMPLETED refund into order.refunded against the payment it refunds', async () => {
    const trigger = await onlyEvent(delivery(sample('refund_updated')));
    expect(trigger).toEqual({
      type: 'order.refunded',
      id: 'square:refund:KkAkhdMsgzn59SM8A89WgKwekxLZY_ptNBVqHYxt5gAdfcobBe4u1AZsXhoz06KTtuq9Ls24P',
      source: 'square',
      occurredAt: Date.parse('2020-02-06T22:14:16.421Z'),
      attributes: { squareRefundOrderId: 'haOyDuHiqtAXMk0d8pDKXpL7Jg4F' },
      refund: { orderId: 'KkAkhdMsgzn59SM8A89WgKwekxLZY', refundId: 'KkAkhdMsgzn59SM8A89WgKwekxLZY_ptNBVqHYxt5gAdfcobBe4u1AZsXhoz06KTtuq9Ls24P', currency: 'USD', amount: 1000, measuredAgainst: 'total' },
    });
  });

  it('refunds the order its payment earned on', async () => {
    const purchase = await onlyEvent(delivery(paymentEvent()));
    const refund = await onlyEvent(delivery(refundEvent('refund_updated', { payment_id: PAYMENT, amount_money: { amount: 40, currency: 'USD' } })));
    expect(refund.type === 'order.refunded' && refund.refund.orderId).toBe(orderOf(purchase).id);
  });

  it('reads a yen refund exactly', async () => {
    const refund = await onlyEvent(delivery(refundEvent('refund_updated', { amount_money: { amount: 10000, currency: 'JPY' } })));
    expect(refund.type === 'order.refunded' && refund.refund).toMatchObject({ currency: 'JPY', amount: 10000 });
  });

  it('takes nothing back while the refund is PENDING', async () => {
    const result = await handler().normalize(delivery(sample('refund_created')));
    expect(result).toEqual({ status: 'ignored', reason: expect.stringMatching(/is PENDING: points are taken back once it is COMPLETED/) });
  });
});

describe('square inbound: customers and other events', () => {
  it('turns customer.created into customer.created with the profile and e-mail consent', async () => {
    expect(await onlyEvent(delivery(sample('customer_created')))).toEqual({
      type: 'customer.created',
      id: 'square:customer:QPTXM8PQNX3Q726ZYHPMNP46XC',
      source: 'square',
      occurredAt: Date.parse('2022-11-09T21:23:25Z'),
      customer: { platformId: 'QPTXM8PQNX3Q726ZYHPMNP46XC', email: 'jenkins+smorly@squareup.com', phone: '+12126668929', firstName: 'Jenkins', lastName: 'Smorly', consentEmail: true },
    });
  });

  it('turns each customer.updated into its own customer.updated', async () => {
    const trigger = await onlyEvent(delivery(sample('customer_updated')));
    expect(trigger).toMatchObject({ type: 'customer.updated', id: 'square:customer.updated:b4ce4698-00de-4b5d-a771-4941b3913b34', customer: { platformId: 'A0AP25A6SCVTH8JES9BX01GXM4', phone: '+13477947111' } });
  });

  it('ignores the thin order events: the payment carries the money', async () => {
    expect(await handler().normalize(delivery(sample('order_created')))).toEqual({ status: 'ignored', reason: 'thin order event; points are earned on payment.updated' });
    expect(await handler().normalize(delivery(sample('order_updated')))).toEqual({ status: 'ignored', reason: 'thin order event; points are earned on payment.updated' });
  });

  it('ignores event types that do not concern loyalty (Square\'s own loyalty program, test notifications)', async () => {
    expect(await handler().normalize(delivery(sample('loyalty_account_updated')))).toEqual({ status: 'ignored', reason: 'Square event loyalty.account.updated is not used for loyalty' });
    const test = (sample('signed_vector_webhooks_test_notification') as { requestBody: string }).requestBody;
    expect(await handler().normalize(delivery(test))).toEqual({ status: 'ignored', reason: 'Square event webhooks.test_notification is not used for loyalty' });
  });
});
