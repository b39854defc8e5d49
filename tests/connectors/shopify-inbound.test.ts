import { fileURLToPath } from 'node:url';
import { identifyTrigger } from '../../core/triggers/order-identity.js';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorStatus, InboundPayloadError, type InboundHandler, type InboundRequest, type NormalizeResult } from '../../core/connectors/definition.js';
import type { TriggerEvent } from '../../core/triggers/trigger-event.js';
import shopify from '../../connectors/shopify/index.js';
import { parseJsonKeepingLargeIntegers } from '../../core/connectors/lossless-json.js';

/** Shopify-authored example resources (see the folder's README): unsigned, signed here. */
const SAMPLES = fileURLToPath(new URL('../fixtures/platform-samples/shopify', import.meta.url));
const SECRET = 'shpss_0123456789abcdef0123456789abcdef';

type Json = Record<string, unknown>;

function sampleText(name: string): string {
  return readFileSync(join(SAMPLES, name), 'utf8');
}

function sample(name: string): Json {
  return JSON.parse(sampleText(name)) as Json;
}

/** base64(HMAC-SHA256(raw body bytes, client secret)), as Shopify computes X-Shopify-Hmac-Sha256. */
function sign(body: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('base64');
}

/** A delivery as the core hands it over: exactly these bytes, signed unless headers say otherwise. */
function delivery(topic: string, payload: Json | string, headers: Record<string, string> = {}): InboundRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    method: 'POST',
    url: 'https://loyalty.example.com/webhooks/shopify',
    headers: new Headers({
      'Content-Type': 'application/json',
      'X-Shopify-Hmac-Sha256': sign(body),
      'X-Shopify-Topic': topic,
      'X-Shopify-Shop-Domain': 'jsmith.myshopify.com',
      'X-Shopify-API-Version': '2026-07',
      'X-Shopify-Webhook-Id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      'X-Shopify-Event-Id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
      'X-Shopify-Triggered-At': '2025-04-02T16:31:02.000Z',
      ...headers,
    }),
    rawBody: Buffer.from(body, 'utf8'),
    body,
  };
}

function handler(): InboundHandler {
  return shopify.createInbound({ SHOPIFY_API_SECRET: SECRET });
}

async function events(request: InboundRequest): Promise<TriggerEvent[]> {
  const result = await handler().normalize(request);
  if (result.status !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  // What the core stores: order facts named from (source, order id) (core/triggers/order-identity.ts).
  return result.events.map(identifyTrigger);
}

async function onlyEvent(request: InboundRequest): Promise<TriggerEvent> {
  const all = await events(request);
  expect(all).toHaveLength(1);
  return all[0]!;
}

async function payloadError(request: InboundRequest): Promise<InboundPayloadError> {
  const error: unknown = await handler().normalize(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InboundPayloadError);
  return error as InboundPayloadError;
}

function orderPaid(event: TriggerEvent) {
  if (event.type !== 'order.paid') throw new Error(`expected order.paid, got ${event.type}`);
  return event.order;
}

describe('shopify connector definition', () => {
  it('is an inbound connector enabled by SHOPIFY_API_SECRET, a secret (store-code variables are optional)', () => {
    expect(shopify.name).toBe('shopify');
    expect(shopify.directions).toEqual(['inbound', 'outbound']);
    expect(shopify.config.filter((v) => v.required)).toEqual([expect.objectContaining({ env: 'SHOPIFY_API_SECRET', secret: true, required: true })]);
    expect(connectorStatus(shopify, {})).toMatchObject({ enabled: false, missing: ['SHOPIFY_API_SECRET'] });
    expect(connectorStatus(shopify, { SHOPIFY_API_SECRET: SECRET })).toMatchObject({ enabled: true, missing: [] });
  });
});

describe('shopify signature', () => {
  it('accepts a delivery signed with the client secret over the exact bytes (UTF-8 included)', async () => {
    // customer.json contains "Léon, Noël": the HMAC is over UTF-8 bytes, not characters.
    expect(await handler().verify(delivery('customers/create', sampleText('customer.json')))).toEqual({ ok: true });
  });

  it('refuses a delivery without the signature header', async () => {
    const request = delivery('orders/paid', sampleText('order_paid_with_customer.json'));
    request.headers.delete('X-Shopify-Hmac-Sha256');
    expect(await handler().verify(request)).toEqual({ ok: false, reason: expect.stringContaining('missing') });
  });

  it('refuses a signature made with another secret', async () => {
    const body = sampleText('order_paid_with_customer.json');
    const result = await handler().verify(delivery('orders/paid', body, { 'X-Shopify-Hmac-Sha256': sign(body, 'another-secret') }));
    expect(result.ok).toBe(false);
  });

  it('refuses a signature over a different body, even the same JSON re-serialized', async () => {
    const original = sampleText('order_paid_with_customer.json');
    const reserialized = JSON.stringify(JSON.parse(original));
    const result = await handler().verify(delivery('orders/paid', reserialized, { 'X-Shopify-Hmac-Sha256': sign(original) }));
    expect(result.ok).toBe(false);
  });

  it('refuses a tampered amount with the original signature', async () => {
    const original = sampleText('order_paid_with_customer.json');
    const tampered = original.replace('"current_subtotal_price": "199.00"', '"current_subtotal_price": "99999.00"');
    expect(tampered).not.toBe(original);
    const result = await handler().verify(delivery('orders/paid', tampered, { 'X-Shopify-Hmac-Sha256': sign(original) }));
    expect(result.ok).toBe(false);
  });

  it('refuses a malformed signature of another length without throwing', async () => {
    const result = await handler().verify(delivery('orders/paid', sampleText('customer.json'), { 'X-Shopify-Hmac-Sha256': 'abc' }));
    expect(result.ok).toBe(false);
  });
});

describe('shopify delivery id and topic', () => {
  it('uses X-Shopify-Event-Id, the same on every retry of one event', () => {
    const body = sampleText('order_paid_with_customer.json');
    const first = delivery('orders/paid', body, { 'X-Shopify-Webhook-Id': 'attempt-1' });
    const retry = delivery('orders/paid', body, { 'X-Shopify-Webhook-Id': 'attempt-2' });
    expect(handler().deliveryId(first)).toBe('orders/paid:98880550-7158-44d4-b7cd-2c97c8a091b5');
    expect(handler().deliveryId(retry)).toBe(handler().deliveryId(first));
  });

  it('falls back to X-Shopify-Webhook-Id when there is no event id', () => {
    const request = delivery('orders/paid', sampleText('order_paid_with_customer.json'));
    request.headers.delete('X-Shopify-Event-Id');
    expect(handler().deliveryId(request)).toBe('orders/paid:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
    request.headers.delete('X-Shopify-Webhook-Id');
    expect(handler().deliveryId(request)).toBeUndefined();
  });

  it('keeps orders/paid distinct from an orders/updated raised by the same change', () => {
    const body = sampleText('order_paid_with_customer.json');
    expect(handler().deliveryId(delivery('orders/paid', body))).not.toBe(handler().deliveryId(delivery('orders/updated', body)));
  });

  it('reads the topic from X-Shopify-Topic', () => {
    expect(handler().topic(delivery('refunds/create', '{}'))).toBe('refunds/create');
  });
});

describe('shopify orders/paid', () => {
  it('turns a paid order with a customer into one order.paid keyed by the order', async () => {
    expect(await onlyEvent(delivery('orders/paid', sampleText('order_paid_with_customer.json')))).toEqual({
      type: 'order.paid',
      id: 'shopify:order:1073459970',
      source: 'shopify',
      occurredAt: Date.parse('2025-04-02T11:31:02-05:00'),
      customer: { platformId: '1073339468', email: 'foo@example.com', consentEmail: false },
      order: {
        id: '1073459970',
        channel: 'online',
        currency: 'USD',
        amount: 19900,
        total: 19900,
        discountCodes: [],
        lineItems: [{ id: '1071823182', sku: 'IPOD2008BLACK', productId: '632910392', quantity: 1, unitPrice: 19900, total: 19900 }],
      },
    });
  });

  it('earns on the EUR subtotal without tax, for a guest with no e-mail (no customer at all)', async () => {
    const event = await onlyEvent(delivery('orders/paid', sampleText('order_paid_no_customer_eur.json')));
    expect(event).toEqual({
      type: 'order.paid',
      id: 'shopify:order:1073459976',
      source: 'shopify',
      occurredAt: Date.parse('2025-04-02T11:31:26-05:00'),
      order: {
        id: '1073459976',
        channel: 'online',
        currency: 'EUR',
        amount: 22497, // 224.97 subtotal; the 13.50 tax is not earned on
        total: 23847,
        discountCodes: [],
        lineItems: [{ id: '1071823188', quantity: 3, unitPrice: 7499, total: 22497 }],
      },
    });
    expect(event).not.toHaveProperty('customer');
  });

  it('keeps a guest checkout identifiable by the order e-mail, without a platform id', async () => {
    const order = { ...sample('order_paid_no_customer_eur.json'), email: 'guest@example.com', phone: '+4915112345678' };
    expect((await onlyEvent(delivery('orders/paid', order))).customer).toEqual({ email: 'guest@example.com', phone: '+4915112345678' });
    const contactOnly = { ...sample('order_paid_no_customer_eur.json'), email: '', contact_email: 'contact@example.com' };
    expect((await onlyEvent(delivery('orders/paid', contactOnly))).customer).toEqual({ email: 'contact@example.com' });
  });

  it('converts decimal strings to exact minor units: USD 123.45 → 12345, JPY 10000 → 10000', async () => {
    const usd = { ...sample('order_paid_with_customer.json'), current_subtotal_price: '123.45', current_total_price: '130.86' };
    expect(orderPaid(await onlyEvent(delivery('orders/paid', usd)))).toMatchObject({ currency: 'USD', amount: 12345, total: 13086 });

    const base = sample('order_paid_with_customer.json');
    const yen = {
      ...base,
      currency: 'jpy',
      current_subtotal_price: '10000',
      current_total_price: '11000',
      line_items: [{ ...(base.line_items as Json[])[0], price: '10000' }],
    };
    expect(orderPaid(await onlyEvent(delivery('orders/paid', yen)))).toMatchObject({
      currency: 'JPY',
      amount: 10000,
      total: 11000,
      lineItems: [expect.objectContaining({ unitPrice: 10000, total: 10000 })],
    });
  });

  it('subtracts line discounts in integer minor units and lists the discount codes', async () => {
    // The partially refunded order, as it was paid: 3 × 199.00 with TENOFF spread 3.34 / 3.33 / 3.33.
    const order = orderPaid(await onlyEvent(delivery('orders/paid', sampleText('order_partially_refunded.json'))));
    expect(order.discountCodes).toEqual(['TENOFF']);
    expect(order.lineItems.map((l) => [l.id, l.unitPrice, l.total])).toEqual([
      ['466157049', 19900, 19566],
      ['518995019', 19900, 19567],
      ['703073504', 19900, 19567],
    ]);
    expect(order.amount).toBe(19567); // current_subtotal_price 195.67, tax excluded (taxes_included false)
  });

  it('takes the goods tax out of a tax-inclusive subtotal, but not the tax charged on shipping', async () => {
    const order = {
      ...sample('order_paid_with_customer.json'),
      taxes_included: true,
      current_subtotal_price: '119.00', // goods 100.00 + 19.00 VAT
      current_total_tax: '19.95', // 19.00 on goods + 0.95 on shipping
      current_total_price: '124.95',
      shipping_lines: [{ price: '5.95', tax_lines: [{ price: '0.95', rate: 0.19, title: 'MwSt' }] }],
    };
    expect(orderPaid(await onlyEvent(delivery('orders/paid', order)))).toMatchObject({ amount: 10000, total: 12495 });
  });

  it('falls back to subtotal_price and total_price on API versions without current_* fields', async () => {
    const { current_subtotal_price: _s, current_total_price: _t, ...order } = sample('order_cancelled.json');
    expect(orderPaid(await onlyEvent(delivery('orders/paid', order)))).toMatchObject({ amount: 59700, total: 59894 });
  });

  it('keeps order, line, product and customer ids beyond 2^53 exact', async () => {
    const raw = sampleText('order_paid_with_customer.json')
      .replace('"id": 1073459970,', '"id": 9007199254740993,')
      .replaceAll('"id": 1071823182,', '"id": 12345678901234567891,')
      .replaceAll('"product_id": 632910392,', '"product_id": 9223372036854775807,')
      .replace('"id": 1073339468,', '"id": 18014398509481985,');
    expect(raw).toContain('9007199254740993');
    const event = await onlyEvent(delivery('orders/paid', raw));
    expect(event.id).toBe('shopify:order:9007199254740993');
    const order = orderPaid(event);
    expect(order.id).toBe('9007199254740993');
    expect(order.lineItems[0]).toMatchObject({ id: '12345678901234567891', productId: '9223372036854775807' });
    expect(event.customer?.platformId).toBe('18014398509481985');
  });

  it('marks a Shopify POS sale as channel pos with its location', async () => {
    const pos = { ...sample('order_paid_with_customer.json'), source_name: 'pos', location_id: 655441491 };
    expect(orderPaid(await onlyEvent(delivery('orders/paid', pos)))).toMatchObject({ channel: 'pos', location: '655441491' });
    const sourceOnly = orderPaid(await onlyEvent(delivery('orders/paid', { ...sample('order_paid_with_customer.json'), source_name: 'pos' })));
    expect(sourceOnly.channel).toBe('pos');
    expect(sourceOnly).not.toHaveProperty('location');
    const locationOnly = { ...sample('order_paid_with_customer.json'), location_id: 48752903 };
    expect(orderPaid(await onlyEvent(delivery('orders/paid', locationOnly)))).toMatchObject({ channel: 'pos', location: '48752903' });
  });

  it('reports the e-mail consent of a subscribed customer', async () => {
    const base = sample('order_paid_with_customer.json');
    const order = {
      ...base,
      customer: { ...(base.customer as Json), email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in' } },
    };
    expect((await onlyEvent(delivery('orders/paid', order))).customer).toMatchObject({ consentEmail: true });
  });

  it('rejects a paid order without id or currency, naming both fields', async () => {
    const { id: _id, currency: _c, presentment_currency: _p, ...order } = sample('order_paid_with_customer.json');
    const error = await payloadError(delivery('orders/paid', order));
    expect(error.errors.map((e) => e.pointer)).toEqual(['/id', '/currency']);
  });

  it('rejects an amount that is not a decimal, pointing at it', async () => {
    const order = { ...sample('order_paid_with_customer.json'), current_subtotal_price: '199,00' };
    expect((await payloadError(delivery('orders/paid', order))).errors).toEqual([{ pointer: '/current_subtotal_price', detail: expect.any(String) }]);
  });

  it('rejects a body that is not JSON', async () => {
    await payloadError(delivery('orders/paid', '<order id="1"/>'));
  });

  it('ignores an orders/paid whose order is not paid without reading its lines', async () => {
    const order = { ...sample('order_paid_with_customer.json'), financial_status: 'pending', line_items: [{ quantity: 'one' }] };
    expect(await handler().normalize(delivery('orders/paid', order))).toEqual({ status: 'ignored', reason: expect.stringContaining('pending') });
  });

  it('counts a blank id and a blank currency as absent', async () => {
    const order = { ...sample('order_paid_with_customer.json'), id: '  ', currency: '', presentment_currency: null };
    expect((await payloadError(delivery('orders/paid', order))).errors.map((e) => e.pointer)).toEqual(['/id', '/currency']);
  });

  it('names every field of the wrong type at once, each by its pointer', async () => {
    const base = sample('order_paid_with_customer.json');
    const [line] = base.line_items as Json[];
    const order = {
      ...base,
      line_items: [{ ...line, quantity: '1' }, { ...line, quantity: 1.5 }],
      discount_codes: ['TENOFF'],
      customer: { ...(base.customer as Json), email: 42 },
    };
    const error = await payloadError(delivery('orders/paid', order));
    expect(error.errors).toEqual([
      { pointer: '/discount_codes/0', detail: expect.any(String) },
      { pointer: '/line_items/0/quantity', detail: 'a non-negative whole number is required' },
      { pointer: '/line_items/1/quantity', detail: 'a non-negative whole number is required' },
      { pointer: '/customer/email', detail: expect.any(String) },
    ]);
  });
});

describe('shopify refunds/create', () => {
  it('takes the amount from the successful refund transaction when the line subtotal is 0.00', async () => {
    expect(await onlyEvent(delivery('refunds/create', sampleText('refund_partial_line_item.json')))).toEqual({
      type: 'order.refunded',
      id: 'shopify:refund:929361472',
      source: 'shopify',
      occurredAt: Date.parse('2025-04-02T11:38:34-05:00'),
      refund: {
        orderId: '450789469',
        refundId: '929361472',
        currency: 'USD',
        amount: 4194,
        lineItems: [{ lineItemId: '518995019', sku: 'IPOD2008RED', quantity: 1, amount: 0 }],
      },
    });
  });

  it('does not take points back for a refund of shipping only', async () => {
    const result = await handler().normalize(delivery('refunds/create', sampleText('refund_shipping_only_no_line_items.json')));
    expect(result).toEqual({ status: 'ignored', reason: expect.stringContaining('shipping') });
  });

  it('subtracts shipping refunded alongside goods, once, from the money paid back', async () => {
    const shippingOnly = sample('refund_shipping_only_no_line_items.json');
    const refund = {
      ...shippingOnly,
      transactions: [{ ...(shippingOnly.transactions as Json[])[0], amount: '30.00' }],
    };
    // 30.00 paid back, 5.00 of it shipping (listed in refund_shipping_lines and order_adjustments).
    expect(await onlyEvent(delivery('refunds/create', refund))).toMatchObject({ refund: { amount: 2500, lineItems: [] } });
  });

  it('subtracts the refunded lines tax and reports each line with its subtotal', async () => {
    // The refund inside the partially refunded order: 209.00 paid back, 2 × 3.98 tax on the lines.
    const refund = (sample('order_partially_refunded.json').refunds as Json[])[0]!;
    expect(await onlyEvent(delivery('refunds/create', refund))).toMatchObject({
      id: 'shopify:refund:509562969',
      refund: {
        orderId: '450789469',
        currency: 'USD',
        amount: 20104,
        lineItems: [
          { lineItemId: '703073504', sku: 'IPOD2008BLACK', quantity: 1, amount: 19566 },
          { lineItemId: '466157049', sku: 'IPOD2008GREEN', quantity: 1, amount: 19567 },
        ],
      },
    });
  });

  it('counts only successful refund transactions', async () => {
    const base = sample('refund_partial_line_item.json');
    const [paid] = base.transactions as Json[];
    const refund = { ...base, transactions: [{ ...paid, id: 2, status: 'failure', amount: '100.00' }, paid, { ...paid, id: 3, kind: 'sale', amount: '7.00' }] };
    expect(await onlyEvent(delivery('refunds/create', refund))).toMatchObject({ refund: { amount: 4194 } });

    const nothingPaid = { ...base, transactions: [{ ...paid, status: 'pending' }] };
    expect(await handler().normalize(delivery('refunds/create', nothingPaid))).toMatchObject({ status: 'ignored' });
  });

  it('reads refund amounts from the money bag in the refund currency, else from the plain field', async () => {
    const refund = (sample('order_partially_refunded.json').refunds as Json[])[0]!;
    const [first, second] = refund.refund_line_items as Json[];
    // The shop money is in another currency: the plain numbers (195.66 and 3.98) count instead.
    const euroBag = (amount: string) => ({ shop_money: { amount, currency_code: 'EUR' }, presentment_money: null });
    const lines = [{ ...first, subtotal_set: euroBag('1.00'), total_tax_set: euroBag('1.00') }, second];
    expect(await onlyEvent(delivery('refunds/create', { ...refund, refund_line_items: lines }))).toMatchObject({
      refund: { amount: 20104, lineItems: [expect.objectContaining({ amount: 19566 }), expect.objectContaining({ amount: 19567 })] },
    });
  });

  it('rejects a refund without its order id', async () => {
    const { order_id: _o, ...refund } = sample('refund_partial_line_item.json');
    expect((await payloadError(delivery('refunds/create', refund))).errors.map((e) => e.pointer)).toEqual(['/order_id']);
  });
});

describe('shopify orders/cancelled', () => {
  it('turns a cancellation into order.cancelled keyed by the order', async () => {
    expect(await onlyEvent(delivery('orders/cancelled', sampleText('order_cancelled.json')))).toEqual({
      type: 'order.cancelled',
      id: 'shopify:cancel:450789469',
      source: 'shopify',
      occurredAt: Date.parse('2025-04-02T11:31:25-05:00'),
      customer: {
        platformId: '207119551',
        email: 'bob.norman@mail.example.com',
        phone: '+16136120707',
        firstName: 'Bob',
        lastName: 'Norman',
        consentEmail: false,
        consentSms: false,
      },
      order: { id: '450789469' },
    });
  });

  it('ignores the cancellation of an order that was never paid', async () => {
    for (const financial_status of ['pending', 'authorized', 'voided']) {
      const order = { ...sample('order_cancelled.json'), financial_status };
      expect(await handler().normalize(delivery('orders/cancelled', order))).toEqual({ status: 'ignored', reason: expect.stringContaining('never paid') });
    }
    const paidThenCancelled = { ...sample('order_cancelled.json'), financial_status: 'paid' };
    expect((await onlyEvent(delivery('orders/cancelled', paidThenCancelled))).id).toBe('shopify:cancel:450789469');
  });
});

describe('shopify customers/*', () => {
  const bob = {
    platformId: '207119551',
    email: 'bob.norman@mail.example.com',
    phone: '+16136120707',
    firstName: 'Bob',
    lastName: 'Norman',
    consentEmail: false,
    consentSms: false,
  };

  it('turns customers/create into customer.created, once per customer', async () => {
    expect(await onlyEvent(delivery('customers/create', sampleText('customer.json')))).toEqual({
      type: 'customer.created',
      id: 'shopify:customer:207119551:created',
      source: 'shopify',
      occurredAt: Date.parse('2025-04-02T11:25:58-05:00'),
      customer: bob,
    });
  });

  it('keys customers/update by updated_at: distinct updates stay distinct, a redelivery does not', async () => {
    const first = await onlyEvent(delivery('customers/update', sampleText('customer.json')));
    expect(first).toEqual({
      type: 'customer.updated',
      id: `shopify:customer:207119551:updated:${Date.parse('2025-04-02T11:25:58-05:00')}`,
      source: 'shopify',
      occurredAt: Date.parse('2025-04-02T11:25:58-05:00'),
      customer: bob,
    });
    const again = await onlyEvent(delivery('customers/update', sampleText('customer.json')));
    expect(again.id).toBe(first.id);
    const subscribed = {
      ...sample('customer.json'),
      updated_at: '2025-04-03T09:00:00-05:00',
      email_marketing_consent: { state: 'subscribed', opt_in_level: 'confirmed_opt_in' },
    };
    const later = await onlyEvent(delivery('customers/update', subscribed));
    expect(later.id).not.toBe(first.id);
    expect(later.customer).toMatchObject({ consentEmail: true });
  });

  it('rejects a customer without an id', async () => {
    const { id: _id, ...customer } = sample('customer.json');
    expect((await payloadError(delivery('customers/create', customer))).errors.map((e) => e.pointer)).toEqual(['/id']);
  });
});

describe('shopify topics not about loyalty', () => {
  it('answers orders/updated and products/update as ignored without reading them', async () => {
    const ignored: NormalizeResult[] = [
      await handler().normalize(delivery('orders/updated', sampleText('order_paid_with_customer.json'))),
      await handler().normalize(delivery('products/update', 'not even JSON')),
    ];
    expect(ignored).toEqual([
      { status: 'ignored', reason: expect.stringContaining('orders/updated') },
      { status: 'ignored', reason: expect.stringContaining('products/update') },
    ]);
  });

  it('ignores a delivery without a topic header', async () => {
    const request = delivery('orders/paid', sampleText('order_paid_with_customer.json'));
    request.headers.delete('X-Shopify-Topic');
    expect(await handler().normalize(request)).toMatchObject({ status: 'ignored' });
  });
});

describe('large integer parsing', () => {
  it('quotes only integers a double cannot hold, never digits inside strings', () => {
    const text =
      '{"a":9007199254740993,"b":[-9007199254740993, 12],"c":"id 9007199254740993 \\" 99999999999999999999","d":1.5e300,"e":9007199254740991,' +
      '"f":0.12345678901234567890,"g":1e-12345678901234567,"h":{"9007199254740993":-12345678901234567}}';
    expect(parseJsonKeepingLargeIntegers(text)).toEqual({
      a: '9007199254740993',
      b: ['-9007199254740993', 12],
      c: 'id 9007199254740993 " 99999999999999999999',
      d: 1.5e300,
      e: 9007199254740991,
      f: 0.12345678901234568,
      g: 0,
      h: { '9007199254740993': '-12345678901234567' },
    });
  });
});
