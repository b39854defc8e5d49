/**
 * The Lightspeed X-Series handler alone: the signature as documented (hex HMAC-SHA256 of the raw
 * form body with the app's client secret), and `sale.update` deliveries captured from a store
 * (tests/fixtures/platform-samples/lightspeed) turned into trigger events, with the API 2.0
 * look-ups stood up by msw as the API reference shows them.
 */
import { createHmac } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import lightspeed from '../../connectors/lightspeed/index.js';
import { connectorStatus, InboundPayloadError, type InboundHandler, type InboundRequest, type NormalizeResult } from '../../core/connectors/definition.js';
import { silentLogger } from '../../core/observability/logger.js';
import { formBody, LIGHTSPEED_API, LIGHTSPEED_SECRET, LIGHTSPEED_STORE, lightspeedSignature, saleFields, type FormFields } from '../inbound/lightspeed-sign.js';
import { sample } from '../inbound/webhook-helpers.js';
import { inboundServices } from '../helpers/inbound-services.js';

const TOKEN = 'lightspeed-test-access-token';
const SALE = '5687606e-dbc9-8897-11e9-af1dac63fb78';
const CUSTOMER = '0af7b240-abf0-11e9-fb5b-af18c1b19c1a';
const OUTLET = '0af7b240-abc5-11e9-fb5b-ad7e3c8de6bb';
const RETURN = '0af7b240-abf0-11e9-fb5b-afdbc97ad87b';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function delivery(fields: FormFields | string, signature: string | null = undefined as unknown as string): InboundRequest {
  const body = typeof fields === 'string' ? fields : formBody(fields);
  const header = signature === undefined ? lightspeedSignature(body) : signature;
  return {
    method: 'POST',
    url: 'https://loyalty.example.com/webhooks/lightspeed',
    headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded', ...(header === null ? {} : { 'x-signature': header }) }),
    rawBody: Buffer.from(body, 'utf8'),
    body,
  };
}

function handler(env: Record<string, string> = { LIGHTSPEED_CURRENCY: 'USD' }): InboundHandler {
  return lightspeed.createInbound({ LIGHTSPEED_CLIENT_SECRET: LIGHTSPEED_SECRET, LIGHTSPEED_DOMAIN_PREFIX: LIGHTSPEED_STORE, ...env }, inboundServices(silentLogger));
}

function events(result: NormalizeResult) {
  expect(result.status).toBe('events');
  return (result as Extract<NormalizeResult, { status: 'events' }>).events;
}

/** Records the API requests msw answers. */
function api(path: string, answer: () => Response): Request[] {
  const seen: Request[] = [];
  server.use(
    http.get(`${LIGHTSPEED_API}${path}`, ({ request }) => {
      seen.push(request);
      return answer();
    }),
  );
  return seen;
}

describe('Lightspeed X-Series signature', () => {
  const body = formBody(saleFields('sale_update_customer'));
  const hex = createHmac('sha256', LIGHTSPEED_SECRET).update(body).digest('hex');

  it('accepts signature=<hex HMAC-SHA256 of the raw form body>,algorithm=HMAC-SHA256, as documented', () => {
    expect(handler().verify(delivery(body, `signature=${hex},algorithm=HMAC-SHA256`))).toEqual({ ok: true });
    expect(handler().verify(delivery(body, `algorithm=HMAC-SHA256, signature=${hex.toUpperCase()}`))).toEqual({ ok: true });
  });

  it.each([
    ['a tampered payload', delivery(body.replace('877.40000', '8774.00000'), `signature=${hex},algorithm=HMAC-SHA256`), /does not match the body signed with LIGHTSPEED_CLIENT_SECRET/],
    ['another secret', delivery(body, lightspeedSignature(body, 'another-client-secret')), /does not match/],
    ['a signature over the decoded payload only (not what Lightspeed signs)', delivery(body, lightspeedSignature(saleFields('sale_update_customer').payload!)), /does not match/],
    ['the signature in base64', delivery(body, `signature=${Buffer.from(hex, 'hex').toString('base64')},algorithm=HMAC-SHA256`), /does not match/],
    ['no X-Signature', delivery(body, null), /missing X-Signature/],
    ['no signature= in it', delivery(body, 'algorithm=HMAC-SHA256'), /carries no signature=/],
    ['another algorithm', delivery(body, `signature=${hex},algorithm=HMAC-SHA1`), /algorithm is not HMAC-SHA256/],
    ['no algorithm', delivery(body, `signature=${hex}`), /algorithm once/],
    ['the algorithm twice', delivery(body, `signature=${hex},algorithm=HMAC-SHA256,algorithm=HMAC-SHA1`), /algorithm once/],
  ])('refuses %s', (_what, request, reason) => {
    const result = handler().verify(request);
    expect(result).toMatchObject({ ok: false });
    expect((result as { reason: string }).reason).toMatch(reason);
  });
});

describe('Lightspeed X-Series sale.update', () => {
  it('a CLOSED sale earns on its tax-exclusive total: 877.40 USD, at the point of sale, outlet as location', async () => {
    const h = handler();
    const request = delivery(saleFields('sale_update_customer'));
    expect(h.deliveryId(request)).toBeUndefined();
    expect(h.topic(request)).toBe('sale.update');
    expect(events(await h.normalize(request))).toEqual([
      {
        type: 'order.paid',
        source: 'lightspeed',
        occurredAt: Date.parse('2019-07-26T17:31:24Z'),
        customer: { platformId: CUSTOMER, email: 'john@pockeyt.com', firstName: 'John', lastName: 'Smith', consentEmail: true },
        order: {
          id: SALE,
          channel: 'pos',
          location: OUTLET,
          currency: 'USD',
          amount: 87740,
          // 877.40 + 65.805 of tax, each rounded to the cent: 877.40 + 65.81.
          total: 94321,
          discountCodes: [],
          lineItems: [
            { id: '5687606e-dbc9-8897-11e9-afcb0e27b83d', productId: '0af7b240-abf0-11e9-fb5b-ad7e3d5bd0b7', quantity: 3, unitPrice: 6990, total: 20970 },
            { id: '5687606e-dbc9-8897-11e9-afcb1759d881', productId: '0af7b240-abf0-11e9-fb5b-ad7e3d8f16e1', quantity: 2, unitPrice: 19890, total: 39780 },
            { id: '5687606e-dbc9-8897-11e9-afcb19d2c7c5', productId: '0af7b240-abf0-11e9-fb5b-ad7e3cb470d8', quantity: 1, unitPrice: 26990, total: 26990 },
          ],
        },
        attributes: { lightspeedInvoiceNumber: '11' },
      },
    ]);
  });

  it('a sale to the store\'s WALKIN customer is a guest\'s', async () => {
    const [event] = events(await handler().normalize(delivery(saleFields('sale_update_walkin'))));
    expect(event).toMatchObject({ type: 'order.paid', order: { id: '5687606e-dbc9-b0a6-11e9-ae5bfe3709e3', amount: 46880 } });
    expect(event).not.toHaveProperty('customer');
  });

  it('a CLOSED return takes back the value of its returned lines from the sale it names', async () => {
    expect(events(await handler().normalize(delivery(saleFields('sale_update_partial_return'))))).toEqual([
      {
        type: 'order.refunded',
        source: 'lightspeed',
        occurredAt: Date.parse('2019-07-26T19:31:36Z'),
        customer: expect.objectContaining({ platformId: CUSTOMER }),
        refund: { orderId: SALE, refundId: RETURN, currency: 'USD', amount: 26880, measuredAgainst: 'amount' },
      },
    ]);
  });

  it('an exchange (a return that also sells) takes back what came back and earns on what was sold', async () => {
    const fields = saleFields('sale_update_partial_return', (sale) => {
      const lines = sale.register_sale_products as Record<string, unknown>[];
      lines[0] = { ...lines[0], is_return: false, quantity: 1, price_total: '269.90000' };
    });
    const [refund, paid] = events(await handler().normalize(delivery(fields)));
    expect(refund).toMatchObject({ type: 'order.refunded', refund: { orderId: SALE, refundId: RETURN, amount: 26880 } });
    expect(paid).toMatchObject({ type: 'order.paid', order: { id: RETURN, amount: 26990, lineItems: [{ quantity: 1, total: 26990 }] } });
    expect(paid).not.toHaveProperty('order.total');
  });

  it.each([
    ['a SAVED (parked) return', saleFields('sale_update_return_saved'), /SAVED: points are earned once it is CLOSED/],
    ['a LAYBY not yet paid off', saleFields('sale_update_customer', (s) => void (s.status = 'LAYBY')), /LAYBY/],
    ['goods returned without naming their sale', saleFields('sale_update_full_return', (s) => void (s.return_for = null)), /without naming the sale/],
    ['a sale of another store of the same app', { ...saleFields('sale_update_customer'), domain_prefix: 'anotherstore' }, /store anotherstore; this hub serves pockeyttest/],
    ['a product.update', { ...saleFields('sale_update_customer'), type: 'product.update' }, /product.update is not used/],
    ['a voided return (not undone)', saleFields('sale_update_full_return', (s) => void (s.status = 'VOIDED')), /a return is not undone/],
    ['a parked sale discarded unpaid (VOIDED without payments)', saleFields('sale_update_return_saved', (s) => Object.assign(s, { status: 'VOIDED', return_for: null })), /voided before it took a payment/],
  ])('ignores %s', async (_what, fields, reason) => {
    const result = await handler().normalize(delivery(fields));
    expect(result).toMatchObject({ status: 'ignored' });
    expect((result as { reason: string }).reason).toMatch(reason);
  });

  it('earns on LAYBY_CLOSED and ONACCOUNT_CLOSED like CLOSED', async () => {
    for (const status of ['LAYBY_CLOSED', 'ONACCOUNT_CLOSED']) {
      const [event] = events(await handler().normalize(delivery(saleFields('sale_update_customer', (s) => void (s.status = status)))));
      expect(event).toMatchObject({ type: 'order.paid', order: { id: SALE, amount: 87740 } });
    }
  });

  it('a voided sale that was paid is cancelled', async () => {
    expect(events(await handler().normalize(delivery(saleFields('sale_update_customer', (s) => void (s.status = 'VOIDED')))))).toEqual([
      { type: 'order.cancelled', source: 'lightspeed', occurredAt: Date.parse('2019-07-26T17:31:24Z'), order: { id: SALE } },
    ]);
  });

  it('reads a delivery without its type field as a sale when the payload is one', async () => {
    const { type: _type, domain_prefix: _store, ...rest } = saleFields('sale_update_customer');
    const request = delivery(rest);
    expect(handler().topic(request)).toBeUndefined();
    expect(events(await handler().normalize(request))[0]).toMatchObject({ type: 'order.paid', order: { id: SALE } });
  });

  it('rounds Lightspeed\'s five decimals to the currency, half away from zero, never through a float', async () => {
    const cases: [string, string, number][] = [
      ['4.34783', 'USD', 435],
      ['4.34499', 'USD', 434],
      ['1000.50000', 'JPY', 1001],
      ['1.23450', 'KWD', 1235],
    ];
    for (const [price, currency, minor] of cases) {
      const fields = saleFields('sale_update_customer', (s) => {
        s.register_sale_products = [{ id: 'l1', quantity: 1, price, price_total: price }];
      });
      const [event] = events(await handler({ LIGHTSPEED_CURRENCY: currency }).normalize(delivery(fields)));
      expect(event).toMatchObject({ order: { currency, amount: minor } });
    }
  });

  it.each([
    ['a payload that is not JSON', { ...saleFields('sale_update_customer'), payload: '{"id":' }, '/payload'],
    ['a sale without its id', saleFields('sale_update_customer', (s) => void delete s.id), '/payload/id'],
    ['a line total that is not an amount', saleFields('sale_update_customer', (s) => void ((s.register_sale_products as Record<string, unknown>[])[1]!.price_total = 'lots')), '/payload/register_sale_products/1/price_total'],
    ['a sale date that is not a date', saleFields('sale_update_customer', (s) => void (s.sale_date = 'yesterday')), '/payload/sale_date'],
  ])('answers 400 with a pointer to %s', async (_what, fields, pointer) => {
    const error = await handler().normalize(delivery(fields)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InboundPayloadError);
    expect((error as InboundPayloadError).errors.map((e) => e.pointer)).toContain(pointer);
  });
});

describe('Lightspeed X-Series look-ups through API 2.0', () => {
  const withToken = { LIGHTSPEED_ACCESS_TOKEN: TOKEN, LIGHTSPEED_CURRENCY: 'USD' };
  /** The sale as a delivery that names only its customer_id. */
  const thin = () => delivery(saleFields('sale_update_customer', (s) => void delete s.customer));
  const apiCustomer = () => HttpResponse.json({ data: { ...(sample('lightspeed', 'api_customer').data as Record<string, unknown>), id: CUSTOMER } });

  it('looks up a customer the sale names only by id, with the access token', async () => {
    const seen = api('/customers/:id', apiCustomer);
    const [event] = events(await handler(withToken).normalize(thin()));
    expect(seen.map((r) => [new URL(r.url).pathname, r.headers.get('authorization')])).toEqual([[`/api/2.0/customers/${CUSTOMER}`, `Bearer ${TOKEN}`]]);
    expect(event).toMatchObject({ customer: { platformId: CUSTOMER, email: 'tony@stark.com', firstName: 'Anthony', lastName: 'Stark', phone: '+001 485 23456789', consentEmail: true } });
  });

  it.each([
    ['a 5xx', () => HttpResponse.json({ error: 'oops' }, { status: 502 }), /HTTP 502/],
    ['a 429', () => HttpResponse.json({ error: 'slow down' }, { status: 429 }), /HTTP 429/],
    ['a network failure', () => HttpResponse.error(), /TypeError/],
    ['an answer that is not a customer', () => HttpResponse.json({ data: [] }), /not customer/],
  ])('throws on %s, so the core answers 503 and Lightspeed retries', async (_what, answer, message) => {
    api('/customers/:id', answer);
    const error = await handler(withToken).normalize(thin()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(InboundPayloadError);
    expect((error as Error).message).toMatch(message);
  });

  it('earns for the alias alone when the customer is gone (404), or without a token', async () => {
    api('/customers/:id', () => HttpResponse.json({ error: 'not found' }, { status: 404 }));
    expect(events(await handler(withToken).normalize(thin()))[0]).toMatchObject({ customer: { platformId: CUSTOMER } });
    expect(events(await handler().normalize(thin()))[0]!.customer).toEqual({ platformId: CUSTOMER });
  });

  it('a looked-up WALKIN customer is a guest', async () => {
    api('/customers/:id', () => HttpResponse.json({ data: { id: CUSTOMER, customer_code: 'WALKIN', email: null } }));
    expect(events(await handler(withToken).normalize(thin()))[0]).not.toHaveProperty('customer');
  });

  it('reads the currency from the sale\'s outlet without LIGHTSPEED_CURRENCY, once per outlet', async () => {
    const seen = api('/outlets/:id', () => HttpResponse.json({ data: { ...(sample('lightspeed', 'api_outlet').data as Record<string, unknown>), id: OUTLET } }));
    const h = handler({ LIGHTSPEED_ACCESS_TOKEN: TOKEN });
    for (let i = 0; i < 2; i++) expect(events(await h.normalize(delivery(saleFields('sale_update_customer'))))[0]).toMatchObject({ order: { currency: 'NZD', amount: 87740 } });
    expect(seen.map((r) => new URL(r.url).pathname)).toEqual([`/api/2.0/outlets/${OUTLET}`]);
  });

  it('cannot value a sale with neither LIGHTSPEED_CURRENCY nor a token: fails (503) rather than guess', async () => {
    const error = await handler({}).normalize(delivery(saleFields('sale_update_customer'))).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(InboundPayloadError);
    expect((error as Error).message).toMatch(/set LIGHTSPEED_CURRENCY, or LIGHTSPEED_ACCESS_TOKEN/);
  });

  it('honours LIGHTSPEED_API_URL', async () => {
    const seen: string[] = [];
    server.use(http.get('http://lightspeed.stub/api/2.0/customers/:id', ({ request }) => (seen.push(request.url), apiCustomer())));
    await handler({ ...withToken, LIGHTSPEED_API_URL: 'http://lightspeed.stub/api/2.0/' }).normalize(thin());
    expect(seen).toEqual([`http://lightspeed.stub/api/2.0/customers/${CUSTOMER}`]);
  });
});

describe('Lightspeed X-Series configuration', () => {
  it('is enabled with the client secret and the domain prefix, and names what is missing otherwise', () => {
    expect(connectorStatus(lightspeed, { LIGHTSPEED_CLIENT_SECRET: 's', LIGHTSPEED_DOMAIN_PREFIX: 'shop' })).toMatchObject({ enabled: true, missing: [] });
    expect(connectorStatus(lightspeed, { LIGHTSPEED_DOMAIN_PREFIX: 'shop' })).toMatchObject({ enabled: false, missing: ['LIGHTSPEED_CLIENT_SECRET'] });
    expect(connectorStatus(lightspeed, {})).toMatchObject({ enabled: false, missing: ['LIGHTSPEED_CLIENT_SECRET', 'LIGHTSPEED_DOMAIN_PREFIX'] });
  });
});
