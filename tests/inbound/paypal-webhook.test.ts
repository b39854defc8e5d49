/**
 * PayPal end to end: PayPal's sample events (tests/fixtures/platform-samples/paypal), signed as
 * PayPal signs (RSA-SHA256 under a certificate served at a PayPal certificate URL), through
 * `POST /webhooks/paypal`. A COMPLETED capture earns on its amount for the payer the Orders API
 * names; refunds take back their share of the capture; PayPal's side is stubbed with msw.
 */
import { http, HttpResponse } from 'msw';
import { runReplay } from '../helpers/replay-cli.js';
import { beforeEach, describe, expect, it } from 'vitest';
import paypal from '../../connectors/paypal/index.js';
import { hubHarness, type HubHarness } from '../helpers/test-hub.js';
import { PAYPAL_API, PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID, TEST_CERT, TEST_CERT_URL, captureCompleted, captureRefunded, orderAnswer, paypalDelivery, paypalServer } from './paypal-sign.js';
import {
  balance,
  deliver,
  deliverConcurrently,
  earnedAndReversed,
  expectNothingWritten,
  expectOnlySignatureAlert,
  expectRejected,
  expectUnauthorized,
  inbox,
  memberByAlias,
  onlyOutcome,
  pointsOf,
  sample,
  sampleText,
  tally,
  type Json,
} from './webhook-helpers.js';

const CAPTURE = '12A34567BC123456S';
const ALIAS = 'paypal:QYR5Z8XDVJNXQ';
const ENV = { PAYPAL_WEBHOOK_ID, PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_API_URL: PAYPAL_API };

const paypalSide = paypalServer();
const { server, seen } = paypalSide;
const stubPayPal = paypalSide.stub;

describe('POST /webhooks/paypal', () => {
  const h = hubHarness({ connectors: [paypal], env: ENV });
  beforeEach(() => stubPayPal());

  it('credits a COMPLETED capture: 30.00 USD → 30 points for the payer of its checkout order', async () => {
    const answer = await deliver(h, 'paypal', paypalDelivery(sampleText('paypal', 'payment-capture-completed')));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: `paypal:order:${CAPTURE}` });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 30 });
    const member = await memberByAlias(h, ALIAS);
    expect(member).toMatchObject({ email: 'customer@example.com' });
    expect(await balance(h, member!.id)).toMatchObject({ available: 30 });
    const [row] = await inbox(h);
    expect(row).toMatchObject({ topic: 'PAYMENT.CAPTURE.COMPLETED', status: 'accepted', deliveryId: 'WH-58D329510W468432D-8HN650336L201105X' });
    expect(row!.events).toMatchObject([{ order: { id: CAPTURE, amount: 3000 }, attributes: { paypalOrderId: '1AB234567A1234567' } }]);
  });

  it('applies the same event once when it arrives 10 times at once', async () => {
    const answers = await deliverConcurrently(h, 'paypal', paypalDelivery(captureCompleted()), 10);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 9 });
    expect(await pointsOf(h, ALIAS)).toBe(30);
    expect(await inbox(h)).toHaveLength(1);
  });

  it('earns once for one capture announced by different events (a PENDING capture completing, a resent event), even at once', async () => {
    const pending = await deliver(h, 'paypal', paypalDelivery(captureCompleted({ status: 'PENDING' }, { event_type: 'PAYMENT.CAPTURE.PENDING' })));
    expect(pending.status).toBe('ignored');
    // PayPal retries resend the same event id, with a new transmission each time.
    const retried = captureCompleted();
    const announcements = [retried, retried, captureCompleted({ update_time: '2022-08-23T18:31:00Z' }), captureCompleted()];
    const answers = await Promise.all(announcements.map((event) => deliver(h, 'paypal', paypalDelivery(event))));
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 3 });
    expect(answers.map((a) => a.eventId)).toEqual(Array(4).fill(`paypal:order:${CAPTURE}`));
    expect(await pointsOf(h, ALIAS)).toBe(30);
    // The retried event is one delivery; every distinct event is in the inbox for support to see.
    expect((await inbox(h)).map((r) => r.status).sort()).toEqual(['accepted', 'accepted', 'accepted', 'ignored']);
  });

  it('earns once for a purchase announced by both PAYMENT.CAPTURE.COMPLETED and CHECKOUT.ORDER.COMPLETED, arriving at once', async () => {
    const orderCompleted = { ...sample('paypal', 'checkout-order-completed'), id: 'WH-3K2LOYALTYHUB-ORDERCOMPLETED', resource: orderAnswer() };
    const answers = await Promise.all([captureCompleted(), orderCompleted].map((event) => deliver(h, 'paypal', paypalDelivery(event))));
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 1 });
    expect(answers.map((a) => a.eventId)).toEqual([`paypal:order:${CAPTURE}`, `paypal:order:${CAPTURE}`]);
    expect(await pointsOf(h, ALIAS)).toBe(30);
    expect((await inbox(h)).map((r) => r.topic).sort()).toEqual(['CHECKOUT.ORDER.COMPLETED', 'PAYMENT.CAPTURE.COMPLETED']);
  });

  it('earns on each capture of an order captured in two parts', async () => {
    const first = await deliver(h, 'paypal', paypalDelivery(captureCompleted({ amount: { currency_code: 'USD', value: '20.00' }, final_capture: false })));
    const second = await deliver(h, 'paypal', paypalDelivery(captureCompleted({ id: '7TK53561MB803214N', amount: { currency_code: 'USD', value: '10.00' } })));
    expect([onlyOutcome(first).points, onlyOutcome(second).points]).toEqual([20, 10]);
    expect(await pointsOf(h, ALIAS)).toBe(30);
  });

  describe('refuses what PayPal did not sign just now for this webhook, and writes nothing', () => {
    const body = JSON.stringify(captureCompleted());
    it.each([
      ['signed for another webhook id', () => paypalDelivery(body, { webhookId: '5GP028458E2496506' }), /does not match the delivery signed for PAYPAL_WEBHOOK_ID/],
      ['with the body changed after signing', () => paypalDelivery(body, { tamperedBody: body.replace('"value":"30.00"', '"value":"3000.00"') }), /does not match/],
      ['sent 10 minutes ago (outside the 300 s tolerance)', () => paypalDelivery(body, { transmissionTime: new Date(Date.now() - 600_000).toISOString() }), /PAYPAL-TRANSMISSION-TIME is 60\d s old/],
      ['signed with an algorithm the hub does not accept', () => paypalDelivery(body, { authAlgo: 'SHA1withRSA' }), /PAYPAL-AUTH-ALGO "SHA1withRSA" is not an algorithm/],
      ['without PAYPAL-TRANSMISSION-SIG', () => paypalDelivery(body, { omit: 'paypal-transmission-sig' }), /missing PAYPAL-TRANSMISSION-SIG/],
    ])('%s → 401', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'paypal', init()), reason);
      await expectOnlySignatureAlert(h, 'paypal');
      expect(paypalSide.traffic.orders).toEqual([]);
    });

    it('pointing at a certificate on another host → 401, and nothing is fetched from it', async () => {
      const answer = await deliver(h, 'paypal', paypalDelivery(body, { certUrl: 'https://paypal-certs.example.com/v1/notifications/certs/CERT-360caa42-fca2a594-1a5f47cb' }));
      expectUnauthorized(answer, /PAYPAL-CERT-URL is not on PayPal's certificate hosts/);
      await expectOnlySignatureAlert(h, 'paypal');
      expect(seen.filter((url) => url.includes('example.com'))).toEqual([]);
    });
  });

  it('a partial refund takes back its share (10.00 of 30.00 → 10 points); a last refund larger than the rest takes back only the rest', async () => {
    await deliver(h, 'paypal', paypalDelivery(captureCompleted()));
    const pending = await deliver(h, 'paypal', paypalDelivery(captureRefunded(CAPTURE, '10.00', { status: 'PENDING' })));
    expect(pending.status).toBe('ignored');

    const partial = await deliver(h, 'paypal', paypalDelivery(captureRefunded(CAPTURE, '10.00')));
    expect(onlyOutcome(partial)).toMatchObject({ status: 'applied', points: -10 });
    expect(partial.eventId).toBe('paypal:refund:1Y107995YT783435V');
    expect(await pointsOf(h, ALIAS)).toBe(20);

    const rest = await deliver(h, 'paypal', paypalDelivery(captureRefunded(CAPTURE, '30.00', { id: '5XJ89102BA4431902' })));
    expect(onlyOutcome(rest).points).toBe(-20);
    const member = (await memberByAlias(h, ALIAS))!;
    expect(await balance(h, member.id)).toMatchObject({ available: 0, debt: 0 });
    expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 30, reversed: 30 });
  });

  it('parks a refund that arrives before its capture, and applies it when the capture arrives', async () => {
    const early = await deliver(h, 'paypal', paypalDelivery(captureRefunded(CAPTURE, '15.00')));
    expect(onlyOutcome(early)).toMatchObject({ status: 'parked', points: 0 });
    const paid = await deliver(h, 'paypal', paypalDelivery(captureCompleted()));
    expect(onlyOutcome(paid)).toMatchObject({ status: 'applied', points: 15 });
    expect(await pointsOf(h, ALIAS)).toBe(15);
  });

  it('a v1 sale and its refund: PAYMENT.SALE.COMPLETED earns on the subtotal for the payer of its payment, PAYMENT.SALE.REFUNDED (a negative total) takes back its share of the total', async () => {
    const sale = JSON.parse(sampleText('paypal', 'payment-sale-completed')) as Json & { resource: Json };
    const refund = JSON.parse(sampleText('paypal', 'payment-sale-refunded')) as Json & { resource: Json };
    const saleId = String(sale.resource.id);
    // 6.01 USD of which 3.00 is the items' subtotal → 3 points.
    const earned = await deliver(h, 'paypal', paypalDelivery(sale));
    expect(earned).toMatchObject({ status: 'accepted', eventId: `paypal:order:${saleId}` });
    expect(onlyOutcome(earned)).toMatchObject({ status: 'applied', points: 3 });
    expect(await memberByAlias(h, 'paypal:CR87QHB7JTRSC')).toMatchObject({ email: 'bbuyer@example.com' });
    // The whole 6.01 refunded (PayPal writes it negative): all 3 points back.
    const refunded = await deliver(h, 'paypal', paypalDelivery({ ...refund, resource: { ...refund.resource, sale_id: saleId, amount: { total: '-6.01', currency: 'USD' } } }));
    expect(refunded).toMatchObject({ status: 'accepted', eventId: 'paypal:refund:6YX43824R4443062K' });
    expect(onlyOutcome(refunded).points).toBe(-3);
    expect(await pointsOf(h, 'paypal:CR87QHB7JTRSC')).toBe(0);
  });

  describe('converts amounts exactly (minor units, ISO 4217 exponent)', () => {
    it.each([
      ['USD 123.45 → 123', 'USD', '123.45', 123],
      ['EUR 224.97 → 224', 'EUR', '224.97', 224],
      ['JPY 10000 → 10000', 'JPY', '10000', 10000],
    ])('%s', async (_what, currency_code, value, points) => {
      const answer = await deliver(h, 'paypal', paypalDelivery(captureCompleted({ amount: { currency_code, value } })));
      expect(onlyOutcome(answer).points).toBe(points);
      expect(await pointsOf(h, ALIAS)).toBe(points);
    });
  });

  it('answers 400 to a signed COMPLETED capture without its amount, keeps it as rejected and tells support', async () => {
    const event = captureCompleted();
    delete (event.resource as Json).amount;
    await expectRejected(h, 'paypal', await deliver(h, 'paypal', paypalDelivery(event)), '/resource/amount');
  });

  it('refuses (401) while PayPal\'s certificate host is down, storing nothing and raising no signature alert; the redelivery earns', async () => {
    // A certificate URL no earlier test has fetched (certificates are cached per process).
    const certUrl = TEST_CERT_URL.replace('loyaltyhub', 'outage');
    let up = false;
    server.use(http.get(certUrl, () => (up ? new HttpResponse(TEST_CERT) : new HttpResponse('upstream connect error', { status: 503 }))));
    const event = captureCompleted();
    const res = await h.hub.app.request('/webhooks/paypal', paypalDelivery(event, { certUrl }));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: expect.stringMatching(/HTTP 503/) });
    // Not a forged delivery: no inbox row, nobody enrolled, and no webhook.rejected alert.
    await expectNothingWritten(h);

    up = true;
    expect(await deliver(h, 'paypal', paypalDelivery(event, { certUrl }))).toMatchObject({ httpStatus: 200, status: 'accepted' });
    expect(await pointsOf(h, ALIAS)).toBe(30);
  });

  describe('the payer through the Orders API', () => {
    it('answers 503 while the Orders API fails, so PayPal redelivers; the redelivery earns once', async () => {
      stubPayPal(() => HttpResponse.json({ name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error has occurred.' }, { status: 500 }));
      const event = captureCompleted();
      const first = await deliver(h, 'paypal', paypalDelivery(event));
      expect(first.httpStatus).toBe(503);
      expect((await inbox(h)).map((r) => r.status)).toEqual(['failed']);
      expect(await memberByAlias(h, ALIAS)).toBeUndefined();

      server.resetHandlers();
      stubPayPal();
      // PayPal's redelivery: the same event, a new transmission.
      const retry = await deliver(h, 'paypal', paypalDelivery(event));
      expect(retry.status).toBe('accepted');
      expect(await deliver(h, 'paypal', paypalDelivery(event))).toMatchObject({ status: 'duplicate' });
      expect((await inbox(h)).map((r) => r.status)).toEqual(['accepted']);
      expect(await pointsOf(h, ALIAS)).toBe(30);
    });

    it('answers 503 while PayPal refuses the OAuth token (wrong PAYPAL_CLIENT_SECRET)', async () => {
      server.use(http.post(`${PAYPAL_API}/v1/oauth2/token`, () => HttpResponse.json({ error: 'invalid_client', error_description: 'Client Authentication failed' }, { status: 401 })));
      const answer = await deliver(h, 'paypal', paypalDelivery(captureCompleted()));
      expect(answer.httpStatus).toBe(503);
      expect(answer.detail ?? '').not.toContain(PAYPAL_CLIENT_SECRET);
      expect(await memberByAlias(h, ALIAS)).toBeUndefined();
    });
  });
});

describe('loyalty-hub replay of a PayPal delivery', () => {
  const h = hubHarness({ connectors: [paypal], env: ENV });

  function replay(harness: HubHarness, ...args: string[]): Promise<{ code: number; out: string }> {
    return runReplay(harness, ENV, ...args);
  }

  it('re-runs a delivery that failed while the Orders API was down: it earns once, and a second replay earns nothing', async () => {
    stubPayPal(() => new HttpResponse(null, { status: 503 }));
    const failed = await deliver(h, 'paypal', paypalDelivery(captureCompleted()));
    expect(failed.httpStatus).toBe(503);

    server.resetHandlers();
    stubPayPal();
    const first = await replay(h, '--source', 'paypal', '--status', 'failed');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/paypal PAYMENT.CAPTURE.COMPLETED: accepted \(30 points\)/);
    expect(await pointsOf(h, ALIAS)).toBe(30);

    const again = await replay(h, '--source', 'paypal', '--status', 'accepted');
    expect(again.out).toMatch(/duplicate/);
    expect(await pointsOf(h, ALIAS)).toBe(30);
  });
});
