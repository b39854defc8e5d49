/**
 * Stripe end to end: events around Stripe's own fixture objects, signed with the SDK's
 * `generateTestHeaderString`, through `POST /webhooks/stripe`. Amounts are Stripe's minor units
 * (JPY is zero-decimal); one purchase is announced by several events and earns once; the Stripe
 * API (customer look-ups) is stubbed at the network edge with msw.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import stripe from '../../connectors/stripe/index.js';
import { runProgramDue } from '../../core/program/due-work.js';
import { hubHarness } from '../helpers/test-hub.js';
import { STRIPE_SECRET, stripeDelivery } from './sign.js';
import { CUSTOMER, PI, paidInvoice, paidSession, refundedCharge, stripeEvent, succeededCharge, succeededIntent } from './stripe-objects.js';
import {
  HOUR_MS,
  balance,
  deliver,
  deliverConcurrently,
  earnedAndReversed,
  expectNothingWritten,
  expectOnlySignatureAlert,
  expectRejected,
  expectUnauthorized,
  inbox,
  loyaltyEvents,
  memberByAlias,
  onlyOutcome,
  oversizedBody,
  pointsOf,
  sample,
  tally,
} from './webhook-helpers.js';

const API = 'http://stripe.test';
const API_KEY = 'sk_test_51LoyaltyHubE2EKey';
const ALIAS = `stripe:${CUSTOMER}`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Stripe's customer endpoint answering `answer`; returns the requests it saw. */
function customerEndpoint(answer: () => Response): Request[] {
  const seen: Request[] = [];
  server.use(
    http.get(`${API}/v1/customers/:id`, ({ request }) => {
      seen.push(request.clone());
      return answer();
    }),
  );
  return seen;
}

describe('POST /webhooks/stripe', () => {
  const h = hubHarness({ connectors: [stripe], env: { STRIPE_WEBHOOK_SECRET: STRIPE_SECRET, STRIPE_API_KEY: API_KEY, STRIPE_API_URL: API } });

  it('credits a succeeded payment: 42.00 USD → 42 points for the Stripe customer', async () => {
    const answer = await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent())));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: `stripe:order:${PI}` });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 42 });
    const member = await memberByAlias(h, ALIAS);
    expect(member).toMatchObject({ email: 'ann@example.com' });
    expect(await balance(h, member!.id)).toMatchObject({ available: 42 });
    expect((await inbox(h)).map((r) => [r.topic, r.status])).toEqual([['payment_intent.succeeded', 'accepted']]);
  });

  describe('refuses what Stripe did not sign just now, and writes nothing', () => {
    const body = JSON.stringify(stripeEvent('payment_intent.succeeded', succeededIntent()));
    it.each([
      ['signed with another endpoint secret', () => stripeDelivery(body, { secret: 'whsec_someone_elses_secret' }), /Stripe-Signature does not match the request signed with STRIPE_WEBHOOK_SECRET/],
      ['without Stripe-Signature', () => stripeDelivery(body, { omitSignature: true }), /missing Stripe-Signature/],
      ['signed 10 minutes ago (outside the 300 s tolerance)', () => stripeDelivery(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }), /Stripe-Signature t= is 60\d s old/],
      ['with the body changed after signing', () => stripeDelivery(body, { tamperedBody: body.replace('"amount_received":4200', '"amount_received":420000') }), /Stripe-Signature does not match the request signed with STRIPE_WEBHOOK_SECRET/],
    ])('%s → 401', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'stripe', init()), reason);
      await expectOnlySignatureAlert(h, 'stripe');
    });
  });

  it('applies the same event once when it arrives 10 times at once', async () => {
    const answers = await deliverConcurrently(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent())), 10);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 9 });
    expect(await pointsOf(h, ALIAS)).toBe(42);
    expect(await inbox(h)).toHaveLength(1);
  });

  it('counts one purchase once: checkout.session.completed, payment_intent.succeeded, charge.succeeded and invoice.paid, all at once', async () => {
    const announcements = [
      stripeEvent('checkout.session.completed', paidSession()),
      stripeEvent('payment_intent.succeeded', succeededIntent()),
      stripeEvent('charge.succeeded', succeededCharge()),
      stripeEvent('invoice.paid', paidInvoice()),
    ];
    const answers = await Promise.all(announcements.map((e) => deliver(h, 'stripe', stripeDelivery(e))));
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 3 });
    expect(answers.map((a) => a.eventId)).toEqual(Array(4).fill(`stripe:order:${PI}`));
    expect(await pointsOf(h, ALIAS)).toBe(42);
    // Every announcement is in the inbox, for support to see.
    expect((await inbox(h)).map((r) => r.topic).sort()).toEqual(['charge.succeeded', 'checkout.session.completed', 'invoice.paid', 'payment_intent.succeeded']);
  });

  it('charge.refunded reverses the delta of the cumulative amount_refunded: 30 %, then the rest', async () => {
    const purchase = { amount: 10000 };
    await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent(purchase))));
    expect(await pointsOf(h, ALIAS)).toBe(100);

    const partial = await deliver(h, 'stripe', stripeDelivery(stripeEvent('charge.refunded', refundedCharge(3000, purchase))));
    expect(onlyOutcome(partial)).toMatchObject({ status: 'applied', points: -30 });
    expect(await pointsOf(h, ALIAS)).toBe(70);

    // The same refunded state announced again (another event id): nothing more.
    const again = await deliver(h, 'stripe', stripeDelivery(stripeEvent('charge.refunded', refundedCharge(3000, purchase))));
    expect(again.status).toBe('duplicate');
    expect(await pointsOf(h, ALIAS)).toBe(70);

    const full = await deliver(h, 'stripe', stripeDelivery(stripeEvent('charge.refunded', refundedCharge(10000, purchase))));
    expect(onlyOutcome(full).points).toBe(-70);
    const member = (await memberByAlias(h, ALIAS))!;
    expect(await balance(h, member.id)).toMatchObject({ available: 0, debt: 0 });
    expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 100, reversed: 100 });
  });

  describe('converts amounts exactly (minor units; JPY is zero-decimal)', () => {
    it.each([
      ['usd 12345 → 123', 'usd', 12345, 123],
      ['eur 22497 → 224', 'eur', 22497, 224],
      ['jpy 10000 → 10000', 'jpy', 10000, 10000],
    ])('%s', async (_what, currency, amount, points) => {
      const answer = await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent({ amount, currency }))));
      expect(answer.outcomes).toMatchObject([{ points }]);
      expect(await pointsOf(h, ALIAS)).toBe(points);
    });
  });

  it('answers 413 to a body over the limit, and keeps nothing', async () => {
    const answer = await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', { ...succeededIntent(), metadata: { pad: 'x'.repeat(1024 * 1024) } })));
    expect(answer.httpStatus).toBe(413);
    expect((await deliver(h, 'stripe', stripeDelivery(oversizedBody()))).httpStatus).toBe(413);
    await expectNothingWritten(h);
  });

  it('answers 400 to a signed succeeded payment without its amount, keeps it as rejected and tells support', async () => {
    const { amount_received: _a, ...withoutAmount } = succeededIntent();
    const answer = await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', withoutAmount)));
    await expectRejected(h, 'stripe', answer, '/data/object/amount_received');
  });

  describe('out of order', () => {
    it('parks a refund that arrives before its payment, and applies it when the payment arrives', async () => {
      const purchase = { amount: 10000 };
      const early = await deliver(h, 'stripe', stripeDelivery(stripeEvent('charge.refunded', refundedCharge(3000, purchase))));
      expect(onlyOutcome(early)).toMatchObject({ status: 'parked', points: 0 });
      expect(await memberByAlias(h, ALIAS)).toBeUndefined();

      const paid = await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent(purchase))));
      expect(onlyOutcome(paid)).toMatchObject({ status: 'applied', points: 70 });
      expect(await pointsOf(h, ALIAS)).toBe(70);
    });

    it('turns a refund whose payment never came into a refund.unmatched exception after 72 hours', async () => {
      await deliver(h, 'stripe', stripeDelivery(stripeEvent('charge.refunded', refundedCharge(3000))));
      h.clock.advance(71 * HOUR_MS);
      await runProgramDue(h.hub, h.hub.program);
      expect(await loyaltyEvents(h, 'refund.unmatched')).toEqual([]);
      h.clock.advance(2 * HOUR_MS);
      await runProgramDue(h.hub, h.hub.program);
      expect((await loyaltyEvents(h, 'refund.unmatched')).map((e) => e.data)).toEqual([
        expect.objectContaining({ refundId: `stripe:refund:${PI}:total:3000`, orderKey: `stripe:order:${PI}`, source: 'stripe' }),
      ]);
    });
  });

  describe('customer e-mail through the Stripe API', () => {
    it('looks up the e-mail of a payment that names only its customer, with the API key', async () => {
      const seen = customerEndpoint(() => HttpResponse.json({ ...sample('stripe', 'customer'), email: 'jenny.rosen@example.com', name: 'Jenny Rosen' }));
      const answer = await deliver(h, 'stripe', stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent({ email: null }))));
      expect(answer.status).toBe('accepted');
      expect(seen.map((r) => [r.method, new URL(r.url).pathname, r.headers.get('authorization')])).toEqual([['GET', `/v1/customers/${CUSTOMER}`, `Bearer ${API_KEY}`]]);
      expect(await memberByAlias(h, ALIAS)).toMatchObject({ email: 'jenny.rosen@example.com', firstName: 'Jenny', lastName: 'Rosen' });
    });

    it('answers 503 while the look-up fails, so Stripe retries; the retry is applied', async () => {
      customerEndpoint(() => HttpResponse.json({ error: { type: 'api_error', message: 'An unknown error occurred' } }, { status: 500 }));
      const init = stripeDelivery(stripeEvent('payment_intent.succeeded', succeededIntent({ email: null })));
      const first = await deliver(h, 'stripe', init);
      expect(first.httpStatus).toBe(503);
      expect((await inbox(h)).map((r) => r.status)).toEqual(['failed']);
      expect(await memberByAlias(h, ALIAS)).toBeUndefined();

      server.resetHandlers();
      customerEndpoint(() => HttpResponse.json({ ...sample('stripe', 'customer'), email: 'jenny.rosen@example.com' }));
      const retry = await deliver(h, 'stripe', init);
      expect(retry.status).toBe('accepted');
      expect((await inbox(h)).map((r) => r.status)).toEqual(['accepted']);
      expect(await pointsOf(h, ALIAS)).toBe(42);
    });
  });
});
