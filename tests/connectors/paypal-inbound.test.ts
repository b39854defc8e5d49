/**
 * The PayPal handler alone: the signature PayPal itself made (three deliveries of PayPal's
 * Webhooks simulator, with the certificate they were signed under) verifies byte for byte, and
 * every way a delivery can fail to be PayPal's is refused before anything is read; then the
 * translation of PayPal's sample events into trigger events. PayPal's side (certificate host,
 * OAuth, Orders API) is stubbed with msw at the network edge.
 */
import { generateKeyPairSync } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import paypal from '../../connectors/paypal/index.js';
import { createPayPalCertificates } from '../../connectors/paypal/certificates.js';
import { createPayPalInbound } from '../../connectors/paypal/inbound.js';
import { connectorStatus, InboundPayloadError, type InboundHandler, type InboundRequest } from '../../core/connectors/definition.js';
import { silentLogger } from '../../core/observability/logger.js';
import { PAYPAL_API, PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID, TEST_CERT_URL, captureCompleted, captureRefunded, orderAnswer, paypalDelivery, paypalFixture, type PayPalSigning, paypalServer } from '../inbound/paypal-sign.js';
import { sample, sampleText, type Json } from '../inbound/webhook-helpers.js';

const paypalSide = paypalServer();
const { server, seen } = paypalSide;
const stubPayPal = paypalSide.stub;

/** A handler with its own certificate cache (so each test sees its own downloads). */
function handler(options: { webhookId?: string; clock?: () => number } = {}): InboundHandler {
  return createPayPalInbound({
    webhookId: options.webhookId ?? PAYPAL_WEBHOOK_ID,
    clientId: PAYPAL_CLIENT_ID,
    clientSecret: PAYPAL_CLIENT_SECRET,
    apiUrl: PAYPAL_API,
    logger: silentLogger,
    certificates: createPayPalCertificates(),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/** A delivery as the core hands it over. */
function request(init: RequestInit): InboundRequest {
  const body = String(init.body);
  return { method: 'POST', url: 'https://loyalty.example.com/webhooks/paypal', headers: new Headers(init.headers as Record<string, string>), rawBody: Buffer.from(body, 'utf8'), body };
}

const signed = (payload: Json | string, signing: PayPalSigning = {}) => request(paypalDelivery(payload, signing));

describe('PayPal signature, as PayPal made it', () => {
  // Deliveries of PayPal's Webhooks simulator, which signs with the webhook id "WEBHOOK_ID".
  const transmissions = JSON.parse(paypalFixture('simulator-transmissions.json')) as Record<string, Record<string, string>> & { webhookId: string };
  const realCertificate = paypalFixture('messageverificationcerts-paypal-com-2024.pem');

  it.each(['payment-capture-completed', 'payment-capture-refunded', 'payment-sale-refunded'])('%s verifies with the certificate PayPal signed it under', async (name) => {
    const headers = transmissions[name]!;
    server.use(http.get(headers['paypal-cert-url']!, () => new HttpResponse(realCertificate)));
    const sentAt = Date.parse(headers['paypal-transmission-time']!);
    const check = handler({ webhookId: transmissions.webhookId, clock: () => sentAt + 10_000 });
    const body = sampleText('paypal', name);
    const delivery = { method: 'POST', url: '', headers: new Headers(headers), rawBody: Buffer.from(body, 'utf8'), body };
    expect(await check.verify(delivery)).toEqual({ ok: true });

    // The same bytes with one character of the summary changed, or checked for another webhook: refused.
    const changed = body.replace('"summary":"', '"summary":" ');
    expect(changed).not.toBe(body);
    expect(await check.verify({ ...delivery, body: changed, rawBody: Buffer.from(changed, 'utf8') })).toMatchObject({ ok: false, reason: /does not match/ });
    expect(await handler({ webhookId: PAYPAL_WEBHOOK_ID, clock: () => sentAt + 10_000 }).verify(delivery)).toMatchObject({ ok: false, reason: /does not match/ });
  });

  it('refuses the real delivery once its transmission time is more than 5 minutes away, either way', async () => {
    const headers = transmissions['payment-capture-completed']!;
    server.use(http.get(headers['paypal-cert-url']!, () => new HttpResponse(realCertificate)));
    const sentAt = Date.parse(headers['paypal-transmission-time']!);
    const body = sampleText('paypal', 'payment-capture-completed');
    const delivery = { method: 'POST', url: '', headers: new Headers(headers), rawBody: Buffer.from(body, 'utf8'), body };
    expect(await handler({ webhookId: 'WEBHOOK_ID', clock: () => sentAt + 301_000 }).verify(delivery)).toMatchObject({ ok: false, reason: /301 s old/ });
    expect(await handler({ webhookId: 'WEBHOOK_ID', clock: () => sentAt - 301_000 }).verify(delivery)).toMatchObject({ ok: false, reason: /301 s in the future/ });
  });
});

describe('PayPal signature, refusals', () => {
  const body = JSON.stringify(captureCompleted());
  const expired = paypalFixture('test-expired-cert.pem');
  const otherSubject = paypalFixture('test-other-subject-cert.pem');

  it('accepts a delivery signed for PAYPAL_WEBHOOK_ID with the certificate at a PayPal URL, downloading it once', async () => {
    stubPayPal();
    const check = handler();
    expect(await check.verify(signed(body))).toEqual({ ok: true });
    const again = await Promise.all(Array.from({ length: 5 }, () => check.verify(signed(body))));
    expect(again).toEqual(Array(5).fill({ ok: true }));
    expect(paypalSide.traffic.certificates).toEqual([TEST_CERT_URL]);
  });

  it.each([
    ['signed for another webhook', { webhookId: 'ANOTHERWEBHOOK0001' }, /does not match the delivery signed for PAYPAL_WEBHOOK_ID/],
    ['with the body changed after signing', { tamperedBody: body.replace('"30.00"', '"3000.00"') }, /does not match/],
    ['signed with a key that is not the certificate\'s', { privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, /does not match/],
    ['sent 10 minutes ago', { transmissionTime: new Date(Date.now() - 600_000).toISOString() }, /60\d s old/],
    ['dated 10 minutes ahead', { transmissionTime: new Date(Date.now() + 600_000).toISOString() }, /\d+ s in the future/],
    ['with a transmission time that is not RFC 3339', { transmissionTime: 'yesterday' }, /not an RFC 3339 time/],
    ['without PAYPAL-TRANSMISSION-SIG', { omit: 'paypal-transmission-sig' }, /missing PAYPAL-TRANSMISSION-SIG/],
    ['without PAYPAL-CERT-URL', { omit: 'paypal-cert-url' }, /missing PAYPAL-CERT-URL/],
  ] as [string, PayPalSigning, RegExp][])('refuses a delivery %s', async (_what, signing, reason) => {
    stubPayPal();
    expect(await handler().verify(signed(body, signing))).toMatchObject({ ok: false, reason });
  });

  it.each([
    ['another host', 'https://certs.example.com/v1/notifications/certs/CERT-360caa42-fca2a594-1a5f47cb'],
    ['a host that only ends like PayPal\'s', 'https://evilapi.paypal.com.example.net/v1/notifications/certs/CERT-1'],
    ['a PayPal host over plain HTTP', 'http://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1a5f47cb'],
    ['a PayPal host on another port', 'https://api.paypal.com:8443/v1/notifications/certs/CERT-360caa42-fca2a594-1a5f47cb'],
    ['a PayPal host with credentials', 'https://user:pw@api.paypal.com/v1/notifications/certs/CERT-1'],
    ['another path on a PayPal host', 'https://api.paypal.com/v1/oauth2/token'],
    ['a path climbing out of the certificates', 'https://api.paypal.com/v1/notifications/certs/../../oauth2/token'],
    ['a query string', 'https://api.paypal.com/v1/notifications/certs/CERT-1?next=https://example.com'],
  ])('refuses a certificate URL on %s without requesting it', async (_what, certUrl) => {
    stubPayPal();
    expect(await handler().verify(signed(body, { certUrl }))).toMatchObject({ ok: false, reason: /PAYPAL-CERT-URL is not/ });
    expect(seen).toEqual([]);
  });

  it('refuses an algorithm other than SHA256withRSA without fetching anything', async () => {
    stubPayPal();
    for (const authAlgo of ['SHA1withRSA', 'none', 'constructor', 'sha256withrsa']) {
      expect(await handler().verify(signed(body, { authAlgo }))).toMatchObject({ ok: false, reason: /PAYPAL-AUTH-ALGO .* is not an algorithm the hub accepts/ });
    }
    expect(seen).toEqual([]);
  });

  it('refuses a certificate that is expired, or not issued to messageverificationcerts.paypal.com', async () => {
    const urls = { expired: `${TEST_CERT_URL}-expired`, other: `${TEST_CERT_URL}-other` };
    server.use(
      http.get(urls.expired, () => new HttpResponse(expired)),
      http.get(urls.other, () => new HttpResponse(otherSubject)),
    );
    const expiredKey = paypalFixture('test-expired-key.pem');
    const otherKey = paypalFixture('test-other-subject-key.pem');
    expect(await handler().verify(signed(body, { certUrl: urls.expired, privateKey: expiredKey }))).toMatchObject({ ok: false, reason: /not valid now \(valid 2020-01-01T00:00:00.000Z to 2021-01-01T00:00:00.000Z\)/ });
    expect(await handler().verify(signed(body, { certUrl: urls.other, privateKey: otherKey }))).toMatchObject({ ok: false, reason: /not issued to messageverificationcerts.paypal.com/ });
  });

  it('cannot check while PayPal\'s certificate host fails (unavailable: PayPal retries), and verifies once it answers (a failure is not cached)', async () => {
    let available = false;
    server.use(http.get(TEST_CERT_URL, () => (available ? new HttpResponse(paypalFixture('test-signing-cert.pem')) : new HttpResponse('busy', { status: 503 }))));
    const check = handler();
    expect(await check.verify(signed(body))).toEqual({ ok: false, reason: expect.stringMatching(/could not be used: HTTP 503/), unavailable: true });
    server.use(http.get(TEST_CERT_URL, () => HttpResponse.error()));
    expect(await check.verify(signed(body))).toEqual({ ok: false, reason: expect.stringMatching(/could not be reached/), unavailable: true });
    // A certificate PayPal says does not exist is a refusal, not an outage.
    server.use(http.get(TEST_CERT_URL, () => new HttpResponse('no such certificate', { status: 404 })));
    expect(await check.verify(signed(body))).toEqual({ ok: false, reason: expect.stringMatching(/could not be used: HTTP 404/) });
    available = true;
    server.resetHandlers(http.get(TEST_CERT_URL, () => new HttpResponse(paypalFixture('test-signing-cert.pem'))));
    expect(await check.verify(signed(body))).toEqual({ ok: true });
  });

  it('refuses what is not a certificate', async () => {
    server.use(http.get(TEST_CERT_URL, () => HttpResponse.json({ certificate: 'none' })));
    expect(await handler().verify(signed(body))).toMatchObject({ ok: false, reason: /not a PEM certificate/ });
  });
});

describe('PayPal events → trigger events', () => {
  it('PAYMENT.CAPTURE.COMPLETED → order.paid of the capture, its payer from the checkout order', async () => {
    stubPayPal();
    const result = await handler().normalize(signed(sampleText('paypal', 'payment-capture-completed')));
    expect(result).toEqual({
      status: 'events',
      events: [
        {
          type: 'order.paid',
          source: 'paypal',
          occurredAt: Date.parse('2019-02-14T21:50:07.940Z'),
          order: { id: '12A34567BC123456S', channel: 'online', currency: 'USD', amount: 3000, total: 3000, discountCodes: [], lineItems: [] },
          attributes: { paypalOrderId: '1AB234567A1234567', invoiceId: '5840243-146' },
          customer: { platformId: 'QYR5Z8XDVJNXQ', email: 'customer@example.com', firstName: 'John', lastName: 'Doe' },
        },
      ],
    });
    expect(paypalSide.traffic.orders.map((r) => new URL(r.url).pathname)).toEqual(['/v2/checkout/orders/1AB234567A1234567']);
    const token = paypalSide.traffic.tokens[0]!;
    expect(token.headers.get('authorization')).toBe(`Basic ${Buffer.from(`${PAYPAL_CLIENT_ID}:${PAYPAL_CLIENT_SECRET}`).toString('base64')}`);
    expect(await token.text()).toBe('grant_type=client_credentials');
    expect(paypalSide.traffic.orders[0]!.headers.get('authorization')).toBe(`Bearer ${(JSON.parse(paypalFixture('token.json')) as { access_token: string }).access_token}`);
  });

  it('CHECKOUT.ORDER.COMPLETED → order.paid of each COMPLETED capture it lists, under the capture id, its payer from the order itself', async () => {
    stubPayPal();
    expect(await handler().normalize(signed(sample('paypal', 'checkout-order-completed')))).toEqual({
      status: 'events',
      events: [
        {
          type: 'order.paid',
          source: 'paypal',
          occurredAt: Date.parse('2023-12-13T08:36:03.961Z'),
          order: { id: '40A1323403146010F', channel: 'online', currency: 'USD', amount: 128513, total: 128513, discountCodes: [], lineItems: [] },
          attributes: { paypalOrderId: '5WX67707S1265192L', invoiceId: 'fq30028' },
          customer: { platformId: '4X5WHWAP5GQ3Y', email: 'sb-0kvkf26397832@personal.example.com', firstName: 'John', lastName: 'Doe' },
        },
      ],
    });
    expect([paypalSide.traffic.tokens, paypalSide.traffic.orders]).toEqual([[], []]);
    const approved = sample('paypal', 'checkout-order-completed');
    (approved.resource as Json).purchase_units = [{ reference_id: 'default', amount: { currency_code: 'USD', value: '1.00' } }];
    expect(await handler().normalize(signed(approved))).toMatchObject({ status: 'ignored', reason: /no COMPLETED capture/ });
  });

  it('keeps the OAuth token for the next look-ups, and fetches a new one when PayPal refuses it', async () => {
    let refuse = false;
    stubPayPal(() => (refuse ? new HttpResponse(null, { status: 401 }) : orderAnswer()));
    const h = handler();
    await h.normalize(signed(captureCompleted()));
    await h.normalize(signed(captureCompleted()));
    expect([paypalSide.traffic.tokens.length, paypalSide.traffic.orders.length]).toEqual([1, 2]);
    refuse = true;
    await expect(h.normalize(signed(captureCompleted()))).rejects.toThrow(/HTTP 401/);
    refuse = false;
    await h.normalize(signed(captureCompleted()));
    expect([paypalSide.traffic.tokens.length, paypalSide.traffic.orders.length]).toEqual([2, 4]);
  });

  it('prefers payment_source.paypal over the deprecated payer, and earns as a guest when neither names anyone', async () => {
    stubPayPal((id) =>
      id === 'GUESTORDER1'
        ? orderAnswer({ id, payment_source: { card: { last_digits: '7704' } }, payer: undefined })
        : orderAnswer({ payer: { email_address: 'old@example.com', payer_id: 'OLDPAYERID123' } }),
    );
    const [withWallet] = ((await handler().normalize(signed(captureCompleted()))) as { events: Json[] }).events;
    expect(withWallet!.customer).toMatchObject({ platformId: 'QYR5Z8XDVJNXQ', email: 'customer@example.com' });
    const guest = await handler().normalize(signed(captureCompleted({ supplementary_data: { related_ids: { order_id: 'GUESTORDER1' } } })));
    expect((guest as { events: Json[] }).events[0]).not.toHaveProperty('customer');
  });

  it('throws (the core answers 503) when the Orders API is down or times out; a 404 order earns as a guest', async () => {
    stubPayPal(() => new HttpResponse(null, { status: 503 }));
    await expect(handler().normalize(signed(captureCompleted()))).rejects.toThrow(/order look-up 1AB234567A1234567 failed \(HTTP 503\)/);
    stubPayPal(() => HttpResponse.error() as Response);
    await expect(handler().normalize(signed(captureCompleted()))).rejects.toThrow(/failed/);
    stubPayPal(() => new HttpResponse(null, { status: 404 }));
    const result = (await handler().normalize(signed(captureCompleted()))) as { events: Json[] };
    expect(result.events[0]).not.toHaveProperty('customer');
  });

  it('throws (503) rather than rejecting the delivery when PayPal\'s answer cannot be read', async () => {
    stubPayPal(() => ({ status: 'COMPLETED' }));
    const error = await handler().normalize(signed(captureCompleted())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(InboundPayloadError);
    expect((error as Error).message).toMatch(/PayPal's order answer cannot be read \(\/id: /);
  });

  it('ignores a capture that is not COMPLETED, without a look-up', async () => {
    stubPayPal();
    expect(await handler().normalize(signed(captureCompleted({ status: 'PENDING' })))).toMatchObject({ status: 'ignored', reason: /is PENDING/ });
    expect(paypalSide.traffic.orders).toEqual([]);
  });

  it('PAYMENT.CAPTURE.REFUNDED → order.refunded of the capture its up link names', async () => {
    const result = await handler().normalize(signed(sampleText('paypal', 'payment-capture-refunded')));
    expect(result).toEqual({
      status: 'events',
      events: [
        {
          type: 'order.refunded',
          source: 'paypal',
          occurredAt: Date.parse('2018-08-15T19:14:04.543Z'),
          refund: { orderId: '0JF852973C016714D', refundId: '1Y107995YT783435V', measuredAgainst: 'total', currency: 'USD', amount: 99 },
        },
      ],
    });
    const reversed = await handler().normalize(signed(captureRefunded('12A34567BC123456S', '30.00', {}, { event_type: 'PAYMENT.CAPTURE.REVERSED' })));
    expect(reversed).toMatchObject({ events: [{ refund: { orderId: '12A34567BC123456S', amount: 3000 } }] });
    expect(await handler().normalize(signed(captureRefunded('12A34567BC123456S', '1.00', { status: 'PENDING' })))).toMatchObject({ status: 'ignored' });
  });

  it('PAYMENT.SALE.COMPLETED (v1) → order.paid of the sale on its subtotal, its payer from the sale\'s payment; PAYMENT.SALE.REFUNDED (negative total) → order.refunded of that sale', async () => {
    stubPayPal();
    expect(await handler().normalize(signed(sampleText('paypal', 'payment-sale-completed')))).toEqual({
      status: 'events',
      events: [
        {
          type: 'order.paid',
          source: 'paypal',
          occurredAt: Date.parse('2016-10-05T14:57:40Z'),
          order: { id: '8RS6210148826604N', channel: 'online', currency: 'USD', amount: 300, total: 601, discountCodes: [], lineItems: [] },
          attributes: { paypalPaymentId: 'PAY-11X29866PC6848407K72RIQA' },
          customer: { platformId: 'CR87QHB7JTRSC', email: 'bbuyer@example.com', firstName: 'Betsy', lastName: 'Buyer' },
        },
      ],
    });
    expect(paypalSide.traffic.payments.map((r) => new URL(r.url).pathname)).toEqual(['/v1/payments/payment/PAY-11X29866PC6848407K72RIQA']);
    expect(await handler().normalize(signed(sampleText('paypal', 'payment-sale-refunded')))).toMatchObject({
      events: [{ type: 'order.refunded', refund: { orderId: '9T0916710M1105906', refundId: '6YX43824R4443062K', amount: 1, currency: 'USD' }, attributes: { paypalPaymentId: 'PAY-5437236047802405NKRJ22UA' } }],
    });
  });

  it.each([
    ['USD', '123.45', 12345],
    ['JPY', '1500', 1500],
    ['KWD', '1.250', 1250],
  ])('converts %s %s exactly to %i minor units', async (currency, value, minor) => {
    stubPayPal();
    const result = (await handler().normalize(signed(captureCompleted({ amount: { currency_code: currency, value } })))) as { events: { order: { amount: number; currency: string } }[] };
    expect(result.events[0]!.order).toMatchObject({ currency, amount: minor });
  });

  it('answers 400 with a pointer to what it cannot read', async () => {
    stubPayPal();
    const cases: [Json, string][] = [
      [captureCompleted({ amount: { currency_code: 'USD', value: '12.345' } }), '/resource/amount/value'],
      [captureCompleted({ amount: { currency_code: 'ZZZ', value: '1.00' } }), '/resource/amount/currency_code'],
      [captureCompleted({ id: 42 }), '/resource/id'],
      [{ ...captureCompleted(), resource: 'nothing' }, '/resource'],
    ];
    for (const [payload, pointer] of cases) {
      const error = await handler().normalize(signed(payload)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InboundPayloadError);
      expect((error as InboundPayloadError).errors.map((e) => e.pointer)).toContain(pointer);
    }
  });

  it('ignores the event types loyalty does not use', async () => {
    expect(await handler().normalize(signed({ ...captureCompleted(), event_type: 'CHECKOUT.ORDER.APPROVED' }))).toMatchObject({ status: 'ignored', reason: /CHECKOUT.ORDER.APPROVED is not used/ });
  });

  it('names the event id as the delivery id and the event type as the topic, without throwing on junk', () => {
    const h = handler();
    const event = captureCompleted();
    expect(h.deliveryId(signed(event))).toBe(event.id);
    expect(h.topic(signed(event))).toBe('PAYMENT.CAPTURE.COMPLETED');
    expect(h.deliveryId(signed('not json'))).toBeUndefined();
  });
});

describe('PayPal connector definition', () => {
  it('is enabled with PAYPAL_WEBHOOK_ID, PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET, and names what is missing', () => {
    expect(connectorStatus(paypal, { PAYPAL_WEBHOOK_ID: 'W', PAYPAL_CLIENT_ID: 'C', PAYPAL_CLIENT_SECRET: 'S' })).toMatchObject({ enabled: true, missing: [] });
    expect(connectorStatus(paypal, { PAYPAL_CLIENT_ID: 'C' })).toMatchObject({ enabled: false, missing: ['PAYPAL_WEBHOOK_ID', 'PAYPAL_CLIENT_SECRET'] });
  });
});
