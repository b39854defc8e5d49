import { fileURLToPath } from 'node:url';
import { identifyTrigger } from '../../core/triggers/order-identity.js';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorStatus, InboundPayloadError, type InboundHandler, type InboundRequest } from '../../core/connectors/definition.js';
import type { TriggerEvent } from '../../core/triggers/trigger-event.js';
import woocommerce from '../../connectors/woocommerce/index.js';

/** WooCommerce REST v3 examples (see the folder's README): unsigned, signed here. */
const SAMPLES = fileURLToPath(new URL('../fixtures/platform-samples/woocommerce', import.meta.url));
const SECRET = 'wc-webhook-secret-0123456789';

type Json = Record<string, unknown>;

function sampleText(name: string): string {
  return readFileSync(join(SAMPLES, name), 'utf8');
}

function sample(name: string): Json {
  return JSON.parse(sampleText(name)) as Json;
}

/** base64(HMAC-SHA256(raw body bytes, webhook secret)), as WooCommerce computes X-WC-Webhook-Signature. */
function sign(body: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('base64');
}

let deliveryCounter = 0;

/** A webhook delivery as WooCommerce sends it: a fresh X-WC-Webhook-Delivery-ID every time. */
function delivery(topic: string, payload: Json | string, headers: Record<string, string> = {}): InboundRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const [resource = '', event = ''] = topic.split('.');
  return {
    method: 'POST',
    url: 'https://loyalty.example.com/webhooks/woocommerce',
    headers: new Headers({
      'Content-Type': 'application/json',
      'User-Agent': 'WooCommerce/9.8.1 Hookshot (WordPress/6.8)',
      'X-WC-Webhook-Source': 'https://example.com/',
      'X-WC-Webhook-Topic': topic,
      'X-WC-Webhook-Resource': resource,
      'X-WC-Webhook-Event': event,
      'X-WC-Webhook-Signature': sign(body),
      'X-WC-Webhook-ID': '12',
      'X-WC-Webhook-Delivery-ID': String(++deliveryCounter),
      ...headers,
    }),
    rawBody: Buffer.from(body, 'utf8'),
    body,
  };
}

/** WooCommerce's activation ping: `webhook_id=<n>`, form-encoded, unsigned, no topic. */
function ping(body = 'webhook_id=12', headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' }): InboundRequest {
  return {
    method: 'POST',
    url: 'https://loyalty.example.com/webhooks/woocommerce',
    headers: new Headers({ 'User-Agent': 'WooCommerce/9.8.1 Hookshot (WordPress/6.8)', ...headers }),
    rawBody: Buffer.from(body, 'utf8'),
    body,
  };
}

function handler(env: Record<string, string> = {}): InboundHandler {
  return woocommerce.createInbound({ WOOCOMMERCE_WEBHOOK_SECRET: SECRET, ...env });
}

async function events(request: InboundRequest, h = handler()): Promise<TriggerEvent[]> {
  const result = await h.normalize(request);
  if (result.status !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  return result.events.map(identifyTrigger);
}

async function payloadError(request: InboundRequest): Promise<InboundPayloadError> {
  const error: unknown = await handler().normalize(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InboundPayloadError);
  return error as InboundPayloadError;
}

function orderPaid(event: TriggerEvent | undefined) {
  if (event?.type !== 'order.paid') throw new Error(`expected order.paid, got ${event?.type}`);
  return event.order;
}

const john = { email: 'john.doe@example.com', phone: '(555) 555-5555', firstName: 'John', lastName: 'Doe' };
const joao = { platformId: '26', email: 'joao.silva@example.com', phone: '(11) 1111-1111', firstName: 'João', lastName: 'Silva' };

describe('woocommerce connector definition', () => {
  it('is an inbound connector enabled by WOOCOMMERCE_WEBHOOK_SECRET, with optional paid statuses', () => {
    expect(woocommerce.name).toBe('woocommerce');
    expect(woocommerce.directions).toEqual(['inbound', 'outbound']);
    expect(woocommerce.config.slice(0, 2)).toEqual([
      expect.objectContaining({ env: 'WOOCOMMERCE_WEBHOOK_SECRET', secret: true, required: true }),
      expect.objectContaining({ env: 'WOOCOMMERCE_PAID_STATUSES', secret: false, required: false }),
    ]);
    // The store-code variables (see woocommerce-store-codes.test.ts) are all optional.
    expect(woocommerce.config.filter((v) => v.required).map((v) => v.env)).toEqual(['WOOCOMMERCE_WEBHOOK_SECRET']);
    expect(connectorStatus(woocommerce, {})).toMatchObject({ enabled: false, missing: ['WOOCOMMERCE_WEBHOOK_SECRET'] });
    expect(connectorStatus(woocommerce, { WOOCOMMERCE_WEBHOOK_SECRET: SECRET })).toMatchObject({ enabled: true });
  });
});

describe('woocommerce signature', () => {
  it('accepts a delivery signed with the webhook secret over the exact bytes (UTF-8 included)', async () => {
    // The order with refunds bills "João Silva": the HMAC is over UTF-8 bytes.
    expect(await handler().verify(delivery('order.updated', sampleText('order_completed_with_refunds.json')))).toEqual({ ok: true });
  });

  it('refuses a delivery without the signature header', async () => {
    const request = delivery('order.updated', sampleText('order_processing.json'));
    request.headers.delete('X-WC-Webhook-Signature');
    expect(await handler().verify(request)).toEqual({ ok: false, reason: expect.stringContaining('missing') });
  });

  it('refuses a signature made with another secret', async () => {
    const body = sampleText('order_processing.json');
    expect((await handler().verify(delivery('order.updated', body, { 'X-WC-Webhook-Signature': sign(body, 'other') }))).ok).toBe(false);
  });

  it('refuses a signature over a different body', async () => {
    const original = sampleText('order_processing.json');
    const tampered = original.replace('"total": "29.35"', '"total": "2935.00"');
    expect(tampered).not.toBe(original);
    expect((await handler().verify(delivery('order.updated', tampered, { 'X-WC-Webhook-Signature': sign(original) }))).ok).toBe(false);
  });

  it('refuses a malformed signature of another length without throwing', async () => {
    expect((await handler().verify(delivery('order.updated', '{}', { 'X-WC-Webhook-Signature': '==' }))).ok).toBe(false);
  });
});

describe('woocommerce activation ping', () => {
  it('answers the unsigned webhook_id ping with 200 ignored', async () => {
    const response = handler().preflight?.(ping());
    expect(response?.status).toBe(200);
    expect(await response?.json()).toEqual({ status: 'ignored', reason: 'ping' });
    expect(handler().preflight?.(ping('webhook_id=7', {}))?.status).toBe(200);
  });

  it('lets everything that is not exactly the ping go on to verification', () => {
    const h = handler();
    expect(h.preflight?.(delivery('order.updated', sampleText('order_processing.json')))).toBeUndefined();
    expect(h.preflight?.(ping('webhook_id=12&total=100'))).toBeUndefined();
    expect(h.preflight?.(ping('{"webhook_id":12}', { 'Content-Type': 'application/json' }))).toBeUndefined();
    expect(h.preflight?.(ping('webhook_id=12', { 'Content-Type': 'application/json' }))).toBeUndefined();
    expect(h.preflight?.(ping('webhook_id=12', { 'Content-Type': 'application/x-www-form-urlencoded', 'X-WC-Webhook-Signature': 'x' }))).toBeUndefined();
    expect(h.preflight?.(ping('webhook_id=12', { 'Content-Type': 'application/x-www-form-urlencoded', 'X-WC-Webhook-Topic': 'order.updated' }))).toBeUndefined();
  });
});

describe('woocommerce delivery id and topic', () => {
  it('derives the delivery id from topic and body, not from X-WC-Webhook-Delivery-ID', () => {
    const h = handler();
    const body = sampleText('order_processing.json');
    const first = h.deliveryId(delivery('order.updated', body));
    const resent = h.deliveryId(delivery('order.updated', body, { 'X-WC-Webhook-Delivery-ID': '999' }));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(resent).toBe(first);
    expect(h.deliveryId(delivery('order.created', body))).not.toBe(first);
    expect(h.deliveryId(delivery('order.updated', sampleText('order_completed.json')))).not.toBe(first);
  });

  it('reads the topic from X-WC-Webhook-Topic', () => {
    expect(handler().topic(delivery('customer.created', '{}'))).toBe('customer.created');
  });
});

describe('woocommerce paid orders', () => {
  it('turns a processing guest order into order.paid on total less shipping and tax', async () => {
    expect(await events(delivery('order.created', sampleText('order_processing.json')))).toEqual([
      {
        type: 'order.paid',
        id: 'woocommerce:order:727',
        source: 'woocommerce',
        occurredAt: Date.UTC(2017, 2, 22, 19, 28, 8), // date_paid_gmt, read as UTC
        customer: john, // customer_id 0: a guest, known by the billing e-mail, no platform id
        order: {
          id: '727',
          channel: 'online',
          currency: 'USD',
          amount: 1800, // 29.35 − 10.00 shipping − 1.35 tax
          total: 2935,
          discountCodes: [],
          lineItems: [
            { id: '315', productId: '93', quantity: 2, unitPrice: 300, total: 600 },
            { id: '316', sku: 'Bar3', productId: '22', quantity: 1, unitPrice: 1200, total: 1200 },
          ],
        },
      },
    ]);
  });

  it('reads the zone-less *_gmt dates as UTC whatever the server time zone', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      const [event] = await events(delivery('order.created', sampleText('order_processing.json')));
      expect(event?.occurredAt).toBe(Date.UTC(2017, 2, 22, 19, 28, 8));
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('gives every order.updated of one paid order the same order.paid id, so it earns once', async () => {
    const processing = sample('order_processing.json');
    const saves: Json[] = [
      processing,
      { ...processing, date_modified_gmt: '2017-03-22T19:40:00', customer_note: 'leave at the door' },
      { ...processing, date_modified_gmt: '2017-03-23T08:00:00', meta_data: [{ id: 1, key: '_tracking', value: '1Z999' }] },
      sample('order_completed.json'),
      { ...sample('order_completed.json'), date_modified_gmt: '2017-03-24T10:00:00' },
    ];
    const h = handler();
    const requests = saves.map((order) => delivery('order.updated', order));
    const paid = await Promise.all(requests.map(async (request) => (await events(request, h)).map((e) => `${e.type} ${e.id}`)));
    expect(paid).toEqual(Array(5).fill(['order.paid woocommerce:order:727']));
    // Five different deliveries (none is a duplicate of another); one business fact.
    expect(new Set(requests.map((r) => h.deliveryId(r))).size).toBe(5);
  });

  it('ignores an order that is not paid yet', async () => {
    for (const status of ['pending', 'on-hold', 'failed', 'checkout-draft']) {
      const order = { ...sample('order_processing.json'), status, date_paid_gmt: null };
      expect(await handler().normalize(delivery('order.created', order))).toEqual({
        status: 'ignored',
        reason: expect.stringContaining(`"${status}" is not paid`),
      });
    }
  });

  it('earns only in the statuses WOOCOMMERCE_PAID_STATUSES lists', async () => {
    const onlyCompleted = handler({ WOOCOMMERCE_PAID_STATUSES: 'wc-completed, shipped' });
    expect(await onlyCompleted.normalize(delivery('order.updated', sampleText('order_processing.json')))).toMatchObject({ status: 'ignored' });
    expect((await events(delivery('order.updated', sampleText('order_completed.json')), onlyCompleted))[0]?.id).toBe('woocommerce:order:727');
    const shipped = { ...sample('order_processing.json'), status: 'shipped' };
    expect((await events(delivery('order.updated', shipped), onlyCompleted))[0]?.type).toBe('order.paid');
  });

  it('converts totals and prices exactly: USD 123.45 → 12345, JPY 10000 → 10000, EUR', async () => {
    const usd = { ...sample('order_processing.json'), total: '138.45', shipping_total: '10.00', total_tax: '5.00' };
    expect(orderPaid((await events(delivery('order.created', usd)))[0])).toMatchObject({ currency: 'USD', amount: 12345, total: 13845 });

    const base = sample('order_processing.json');
    const [line] = base.line_items as Json[];
    const yen = {
      ...base,
      currency: 'JPY',
      total: '10800',
      shipping_total: '0',
      total_tax: '800',
      line_items: [{ ...line, quantity: 1, price: 10000, subtotal: '10000', total: '10000' }],
    };
    expect(orderPaid((await events(delivery('order.created', yen)))[0])).toMatchObject({
      currency: 'JPY',
      amount: 10000,
      total: 10800,
      lineItems: [expect.objectContaining({ unitPrice: 10000, total: 10000 })],
    });

    const eur = { ...base, currency: 'eur', total: '21.40', shipping_total: '4.90', total_tax: '3.42', line_items: [{ ...line, quantity: 1, price: 18.5, total: '13.08' }] };
    expect(orderPaid((await events(delivery('order.created', eur)))[0])).toMatchObject({
      currency: 'EUR',
      amount: 1308,
      lineItems: [expect.objectContaining({ unitPrice: 1850, total: 1308 })],
    });
  });

  it('lists coupon codes; the discount is already out of total', async () => {
    const order = { ...sample('order_processing.json'), discount_total: '5.00', total: '24.35', coupon_lines: [{ id: 1, code: 'spring5', discount: '5.00' }] };
    expect(orderPaid((await events(delivery('order.created', order)))[0])).toMatchObject({ amount: 1300, discountCodes: ['spring5'] });
  });

  it('derives a unit price from the line total when WooCommerce sends an inexact float price', async () => {
    const base = sample('order_processing.json');
    const [line] = base.line_items as Json[];
    const order = { ...base, line_items: [{ ...line, quantity: 3, price: 10 / 3, subtotal: '10.00', total: '10.00' }] };
    expect(orderPaid((await events(delivery('order.created', order)))[0]).lineItems).toEqual([
      expect.objectContaining({ quantity: 3, unitPrice: 333, total: 1000 }),
    ]);
  });

  it('marks a point-of-sale order as channel pos', async () => {
    const order = { ...sample('order_processing.json'), created_via: 'pos-rest-api' };
    expect(orderPaid((await events(delivery('order.created', order)))[0]).channel).toBe('pos');
  });

  it('rejects an order without id or status, naming both fields', async () => {
    const { id: _id, status: _s, ...order } = sample('order_processing.json');
    expect((await payloadError(delivery('order.created', order))).errors.map((e) => e.pointer)).toEqual(['/id', '/status']);
  });

  it('rejects a paid order without currency or with a malformed total', async () => {
    const { currency: _c, ...noCurrency } = sample('order_processing.json');
    expect((await payloadError(delivery('order.created', noCurrency))).errors.map((e) => e.pointer)).toEqual(['/currency']);
    const badTotal = { ...sample('order_processing.json'), total: '29,35' };
    expect((await payloadError(delivery('order.created', badTotal))).errors.map((e) => e.pointer)).toEqual(['/total']);
  });

  it('rejects a body that is not JSON', async () => {
    await payloadError(delivery('order.updated', 'webhook_id=12'));
  });

  it('names every field of the wrong type of a paid order at once, each by its pointer', async () => {
    const base = sample('order_processing.json');
    const [line] = base.line_items as Json[];
    const order = { ...base, coupon_lines: ['SAVE10'], line_items: [{ ...line, quantity: '2' }, { ...line, quantity: -1 }] };
    expect((await payloadError(delivery('order.created', order))).errors).toEqual([
      { pointer: '/coupon_lines/0', detail: expect.any(String) },
      { pointer: '/line_items/0/quantity', detail: 'a non-negative whole number is required' },
      { pointer: '/line_items/1/quantity', detail: 'a non-negative whole number is required' },
    ]);
  });

  it('does not read the lines of an order that is not paid, so odd lines never hold it up', async () => {
    const base = sample('order_processing.json');
    const order = { ...base, status: 'pending', date_paid_gmt: null, line_items: [{ quantity: 'two' }], total: 'n/a' };
    expect(await handler().normalize(delivery('order.updated', order))).toEqual({ status: 'ignored', reason: expect.stringContaining('"pending" is not paid') });
  });

  it('counts a blank billing e-mail or phone and customer_id 0 as absent', async () => {
    const base = sample('order_processing.json');
    const order = { ...base, customer_id: 0, billing: { ...(base.billing as Json), email: '  ', phone: '' } };
    const [paid] = await events(delivery('order.created', order));
    expect(paid?.customer).toEqual({ firstName: 'John', lastName: 'Doe' });
  });
});

describe('woocommerce refunds and cancellations', () => {
  it('emits order.paid first, then one order.refunded per refund with its absolute amount', async () => {
    const all = await events(delivery('order.updated', sampleText('order_completed_with_refunds.json')));
    const refund = (refundId: string, amount: number) => ({
      type: 'order.refunded',
      id: `woocommerce:refund:${refundId}`,
      source: 'woocommerce',
      occurredAt: Date.UTC(2017, 2, 21, 19, 54, 51), // the order's date_modified_gmt
      customer: joao,
      refund: { orderId: '723', refundId, currency: 'USD', amount, measuredAgainst: 'total' },
    });
    expect(all.map((e) => e.id)).toEqual(['woocommerce:order:723', 'woocommerce:refund:726', 'woocommerce:refund:724']);
    expect(orderPaid(all[0])).toMatchObject({ id: '723', amount: 2900, total: 3900 });
    expect(all[0]?.customer).toEqual(joao);
    expect(all.slice(1)).toEqual([refund('726', 1000), refund('724', 900)]);
  });

  it('keeps refund ids stable as refunds[] grows, so only the new refund is new', async () => {
    const full = sample('order_completed_with_refunds.json');
    const [newest, oldest] = full.refunds as Json[];
    const before = await events(delivery('order.updated', { ...full, refunds: [oldest] }));
    const after = await events(delivery('order.updated', full));
    const refundsOf = (list: TriggerEvent[]) => list.filter((e) => e.type === 'order.refunded');
    expect(refundsOf(before).map((e) => e.id)).toEqual(['woocommerce:refund:724']);
    expect(refundsOf(after).map((e) => e.id)).toEqual(['woocommerce:refund:726', 'woocommerce:refund:724']);
    expect(refundsOf(after)[1]).toEqual(refundsOf(before)[0]);
    expect(newest).toMatchObject({ id: 726 });
  });

  it('reads the current {id, reason, total} refund shape as well', async () => {
    const order = { ...sample('order_completed_with_refunds.json'), refunds: [{ id: 731, reason: 'damaged', total: '-4.50' }] };
    expect((await events(delivery('order.updated', order)))[1]).toMatchObject({
      id: 'woocommerce:refund:731',
      refund: { orderId: '723', refundId: '731', currency: 'USD', amount: 450, measuredAgainst: 'total' },
    });
  });

  it('adds a full refund when the order status is refunded, and earns nothing for it', async () => {
    const order = { ...sample('order_completed_with_refunds.json'), status: 'refunded', refunds: [{ id: 740, reason: '', total: '-39.00' }] };
    const all = await events(delivery('order.updated', order));
    expect(all.map((e) => e.type)).toEqual(['order.refunded', 'order.refunded']);
    expect(all[1]).toEqual({
      type: 'order.refunded',
      id: 'woocommerce:refund:723:full',
      source: 'woocommerce',
      occurredAt: Date.UTC(2017, 2, 21, 19, 54, 51),
      customer: joao,
      refund: { orderId: '723', refundId: '723:full', currency: 'USD', full: true },
    });
  });

  it('turns status cancelled into order.cancelled', async () => {
    const order = { ...sample('order_processing.json'), status: 'cancelled' };
    expect(await events(delivery('order.updated', order))).toEqual([
      {
        type: 'order.cancelled',
        id: 'woocommerce:cancel:727',
        source: 'woocommerce',
        occurredAt: Date.UTC(2017, 2, 22, 19, 28, 8),
        customer: john,
        order: { id: '727' },
      },
    ]);
  });

  it('ignores the cancellation of an order that was never paid', async () => {
    const abandoned = { ...sample('order_processing.json'), status: 'cancelled', date_paid: null, date_paid_gmt: null };
    expect(await handler().normalize(delivery('order.updated', abandoned))).toEqual({
      status: 'ignored',
      reason: expect.stringContaining('cancelled before it was paid'),
    });
  });

  it('rejects a refund without an id', async () => {
    const order = { ...sample('order_completed_with_refunds.json'), refunds: [{ reason: '', total: '-1.00' }] };
    expect((await payloadError(delivery('order.updated', order))).errors.map((e) => e.pointer)).toEqual(['/refunds/0/id']);
  });
});

describe('woocommerce customers', () => {
  const customer = { platformId: '25', email: 'john.doe@example.com', phone: '(555) 555-5555', firstName: 'John', lastName: 'Doe' };

  it('turns customer.created into customer.created, once per customer', async () => {
    expect(await events(delivery('customer.created', sampleText('customer.json')))).toEqual([
      { type: 'customer.created', id: 'woocommerce:customer:25:created', source: 'woocommerce', occurredAt: Date.UTC(2017, 2, 21, 19, 9, 28), customer },
    ]);
  });

  it('keys customer.updated by date_modified_gmt: distinct updates stay distinct', async () => {
    const [first] = await events(delivery('customer.updated', sampleText('customer.json')));
    expect(first).toEqual({
      type: 'customer.updated',
      id: `woocommerce:customer:25:updated:${Date.UTC(2017, 2, 21, 19, 9, 30)}`,
      source: 'woocommerce',
      occurredAt: Date.UTC(2017, 2, 21, 19, 9, 30),
      customer,
    });
    const renamed = { ...sample('customer.json'), last_name: 'Roe', date_modified_gmt: '2017-04-01T10:00:00' };
    const [later] = await events(delivery('customer.updated', renamed));
    expect(later?.id).not.toBe(first?.id);
    expect(later?.customer?.lastName).toBe('Roe');
  });

  it('rejects a customer without an id', async () => {
    const { id: _id, ...customerPayload } = sample('customer.json');
    expect((await payloadError(delivery('customer.created', customerPayload))).errors.map((e) => e.pointer)).toEqual(['/id']);
  });
});

describe('woocommerce topics not about loyalty', () => {
  it('answers product, coupon and deletion topics as ignored', async () => {
    for (const topic of ['product.updated', 'coupon.created', 'order.deleted', 'action.woocommerce_add_to_cart']) {
      expect(await handler().normalize(delivery(topic, '{"id":1}'))).toEqual({ status: 'ignored', reason: expect.stringContaining(topic) });
    }
  });

  it('ignores a delivery without a topic header', async () => {
    const request = delivery('order.updated', sampleText('order_processing.json'));
    request.headers.delete('X-WC-Webhook-Topic');
    expect(await handler().normalize(request)).toMatchObject({ status: 'ignored' });
  });
});
