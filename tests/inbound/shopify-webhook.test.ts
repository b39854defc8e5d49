/**
 * Shopify end to end: signed deliveries built from Shopify's own example resources
 * (tests/fixtures/platform-samples/shopify) through `POST /webhooks/shopify`, judged by what a
 * merchant sees — balances, the inbox, members — under the shipped program (1 point per whole
 * unit of currency on the subtotal after discounts, shipping and tax excluded).
 */
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { runProgramDue } from '../../core/program/due-work.js';
import { hubHarness } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from './sign.js';
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
  members,
  pointsOf,
  sample,
  sampleText,
  tally,
  type Json,
} from './webhook-helpers.js';

/** The order refund_partial_line_item.json refunds. */
const REFUNDED_ORDER = 450789469;
/** The customer of order_paid_with_customer.json. */
const CUSTOMER = 'shopify:1073339468';

/** order_paid_with_customer.json (199.00 USD, one customer) with fields changed. */
function paidOrder(changes: Json = {}): Json {
  return { ...sample('shopify', 'order_paid_with_customer'), ...changes };
}

/** refund_partial_line_item.json: 41.94 USD back on order 450789469 (its line subtotal says 0.00). */
function refund(changes: Json = {}): Json {
  return { ...sample('shopify', 'refund_partial_line_item'), ...changes };
}

/** A refund of the same shape, paying `amount` back through one successful transaction. */
function refundOf(id: number, amount: string): Json {
  const base = refund();
  const [transaction] = base.transactions as Json[];
  return { ...base, id, refund_line_items: [], transactions: [{ ...transaction, id: id + 1, amount }] };
}

function customer(id: number, email: string): Json {
  return { ...(sample('shopify', 'order_paid_with_customer').customer as Json), id, email };
}

describe('POST /webhooks/shopify', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

  describe('earns on orders/paid only when the signed body says paid (X-Shopify-Topic is not signed)', () => {
    it.each([['pending'], ['authorized'], ['voided'], ['refunded'], [undefined]])('financial_status %s → ignored naming the status, nothing earned', async (status) => {
      const order = paidOrder({ financial_status: status });
      const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', order));
      expect(answer).toMatchObject({ httpStatus: 200, status: 'ignored' });
      expect((answer as { reason?: string }).reason).toContain(`financial_status is ${status ?? 'missing'}, not paid`);
      expect(await members(h)).toEqual([]);
    });

    it('financial_status partially_paid earns', async () => {
      const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paidOrder({ financial_status: 'partially_paid' })));
      expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted' });
      expect(await pointsOf(h, CUSTOMER)).toBeGreaterThan(0);
    });
  });

  it('credits a paid order: 199.00 USD → 199 points for the customer, kept in the inbox', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', sampleText('shopify', 'order_paid_with_customer')));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'shopify:order:1073459970' });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 199 });

    const member = await memberByAlias(h, CUSTOMER);
    expect(member).toMatchObject({ email: 'foo@example.com' });
    expect(member!.aliases).toContain(CUSTOMER);
    expect(await balance(h, member!.id)).toMatchObject({ available: 199, lifetimeEarned: 199 });

    const [row, ...others] = await inbox(h, 'source=shopify');
    expect(others).toEqual([]);
    expect(row).toMatchObject({ id: answer.inboxId, status: 'accepted', topic: 'orders/paid', rawBody: sampleText('shopify', 'order_paid_with_customer') });
    expect(row!.events).toMatchObject([{ type: 'order.paid', id: 'shopify:order:1073459970', order: { currency: 'USD', amount: 19900 } }]);
  });

  it('applies the same delivery once when it arrives 10 times at once', async () => {
    const answers = await deliverConcurrently(h, 'shopify', shopifyDelivery('orders/paid', sampleText('shopify', 'order_paid_with_customer'), 'evt-same'), 10);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 9 });
    expect(await pointsOf(h, CUSTOMER)).toBe(199);
    expect(await inbox(h)).toHaveLength(1);
  });

  it('earns once for an order announced again under another event id (a second orders/paid)', async () => {
    const first = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paidOrder()));
    const again = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paidOrder({ updated_at: '2025-04-02T12:00:00-05:00' })));
    expect([first.status, again.status]).toEqual(['accepted', 'duplicate']);
    expect(await pointsOf(h, CUSTOMER)).toBe(199);
  });

  describe('refuses what Shopify did not sign, and writes nothing', () => {
    const body = sampleText('shopify', 'order_paid_with_customer');
    it.each([
      ['signed with another secret', shopifyDelivery('orders/paid', body, 'evt-x', { secret: 'someone-elses-secret' }), /does not match/],
      ['without X-Shopify-Hmac-Sha256', shopifyDelivery('orders/paid', body, 'evt-x', { omitSignature: true }), /missing X-Shopify-Hmac-Sha256/],
      ['with the body changed after signing', shopifyDelivery('orders/paid', body, 'evt-x', { tamperedBody: body.replace('"199.00"', '"1999.00"') }), /does not match/],
    ])('%s → 401', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'shopify', init), reason);
      await expectOnlySignatureAlert(h, 'shopify');
    });
  });

  it('answers 413 to a body over the limit, and keeps nothing', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', oversizedBody()));
    expect(answer.httpStatus).toBe(413);
    expect(answer.contentType).toContain('application/problem+json');
    await expectNothingWritten(h);
  });

  it('answers 400 to a signed order it cannot use, keeps it as rejected and tells support', async () => {
    const { currency: _c, presentment_currency: _p, ...withoutCurrency } = paidOrder();
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', withoutCurrency));
    await expectRejected(h, 'shopify', answer, '/currency');
  });

  it('a partial refund takes back its share (41.94 of 199.00 → 41 points), and never more than was earned', async () => {
    await deliver(h, 'shopify', shopifyDelivery('orders/paid', paidOrder({ id: REFUNDED_ORDER })));
    const partial = await deliver(h, 'shopify', shopifyDelivery('refunds/create', refund()));
    expect(onlyOutcome(partial)).toMatchObject({ status: 'applied', points: -41 });
    expect(await pointsOf(h, CUSTOMER)).toBe(158);

    // Shopify retries the same refund: nothing more.
    const retried = await deliver(h, 'shopify', shopifyDelivery('refunds/create', refund()));
    expect(retried.status).toBe('duplicate');
    expect(await pointsOf(h, CUSTOMER)).toBe(158);

    // The rest of the order (157.06), then a refund beyond what was paid: 199 back at most.
    const rest = await deliver(h, 'shopify', shopifyDelivery('refunds/create', refundOf(929361480, '157.06')));
    expect(onlyOutcome(rest).points).toBe(-158);
    const beyond = await deliver(h, 'shopify', shopifyDelivery('refunds/create', refundOf(929361490, '10.00')));
    expect(onlyOutcome(beyond).points).toBe(0);
    const member = (await memberByAlias(h, CUSTOMER))!;
    expect(await balance(h, member.id)).toMatchObject({ available: 0, debt: 0 });
    expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 199, reversed: 199 });
  });

  describe('converts amounts exactly (decimal strings, ISO 4217 exponent)', () => {
    it.each([
      ['USD 123.45 → 123', 'USD', '123.45', 123],
      ['JPY 10000 → 10000', 'JPY', '10000', 10000],
    ])('%s', async (_what, currency, amount, points) => {
      const base = paidOrder();
      const lines = (base.line_items as Json[]).map((l) => ({ ...l, price: amount }));
      const order = { ...base, currency, presentment_currency: currency, subtotal_price: amount, current_subtotal_price: amount, total_price: amount, current_total_price: amount, line_items: lines };
      const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', order));
      expect(onlyOutcome(answer).points).toBe(points);
      expect(await pointsOf(h, CUSTOMER)).toBe(points);
    });

    it('EUR 224.97 goods + 13.50 tax → 224 points (Shopify\'s EUR sample, tax excluded)', async () => {
      const order = { ...sample('shopify', 'order_paid_no_customer_eur'), customer: customer(5550001, 'eva@example.com') };
      const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', order));
      expect(onlyOutcome(answer).points).toBe(224);
      expect(await pointsOf(h, 'shopify:5550001')).toBe(224);
    });
  });

  describe('out of order', () => {
    it('parks a refund that arrives before its order, and applies it when the order arrives', async () => {
      const early = await deliver(h, 'shopify', shopifyDelivery('refunds/create', refund()));
      expect(early.status).toBe('accepted');
      expect(onlyOutcome(early)).toMatchObject({ status: 'parked', points: 0, memberId: null });
      expect(await memberByAlias(h, CUSTOMER)).toBeUndefined();

      const order = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paidOrder({ id: REFUNDED_ORDER })));
      expect(onlyOutcome(order)).toMatchObject({ status: 'applied', points: 199 - 41 });
      const member = (await memberByAlias(h, CUSTOMER))!;
      expect(await balance(h, member.id)).toMatchObject({ available: 158 });
      expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 199, reversed: 41 });
    });

    it('takes back refunds delivered at the same moment as their order (15 orders, 5 refunds of 10.00 each)', async () => {
      // On PostgreSQL a refund that parks and the order that looks for parked refunds ran side by
      // side without seeing each other: the refund stayed parked and its points were never taken back.
      const base = paidOrder();
      const requests = Array.from({ length: 15 }, (_, i) => [
        shopifyDelivery('orders/paid', { ...base, id: 7000 + i, customer: customer(8000 + i, `c${i}@example.com`) }),
        ...Array.from({ length: 5 }, (_, k) => shopifyDelivery('refunds/create', { ...refundOf(6000 + i * 10 + k, '10.00'), order_id: 7000 + i })),
      ]).flat();
      const answers = await Promise.all(requests.map((init) => deliver(h, 'shopify', init)));
      expect(tally(answers)).toEqual({ accepted: 15 * 6 });
      // 199 earned; 50.00 of 199.00 refunded → 50 back.
      const left = await Promise.all(Array.from({ length: 15 }, (_, i) => pointsOf(h, `shopify:${8000 + i}`)));
      expect(left).toEqual(Array(15).fill(149));
    });

    it('turns a refund whose order never came into a refund.unmatched exception after 72 hours', async () => {
      await deliver(h, 'shopify', shopifyDelivery('refunds/create', refund()));
      h.clock.advance(71 * HOUR_MS);
      expect((await runProgramDue(h.hub, h.hub.program)).refundExceptions).toBe(0);
      expect(await loyaltyEvents(h, 'refund.unmatched')).toEqual([]);

      h.clock.advance(2 * HOUR_MS);
      expect((await runProgramDue(h.hub, h.hub.program)).refundExceptions).toBe(1);
      const unmatched = await loyaltyEvents(h, 'refund.unmatched');
      expect(unmatched.map((e) => e.data)).toEqual([
        expect.objectContaining({ refundId: 'shopify:refund:929361472', orderKey: `shopify:order:${REFUNDED_ORDER}`, source: 'shopify', waitedHours: 72 }),
      ]);
      // Announced once, not on every tick.
      h.clock.advance(24 * HOUR_MS);
      await runProgramDue(h.hub, h.hub.program);
      expect(await loyaltyEvents(h, 'refund.unmatched')).toHaveLength(1);
    });
  });
});
