/**
 * WooCommerce end to end: signed deliveries of the REST v3 order resources from WooCommerce's own
 * API docs (tests/fixtures/platform-samples/woocommerce) through `POST /webhooks/woocommerce`.
 * An order earns on `total − shipping_total − total_tax` (1 point per whole unit); refunds are
 * measured against the whole `total`.
 */
import { describe, expect, it } from 'vitest';
import woocommerce from '../../connectors/woocommerce/index.js';
import { hubHarness } from '../helpers/test-hub.js';
import { WOO_SECRET, wooDelivery } from './sign.js';
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
  oversizedBody,
  pointsOf,
  sample,
  tally,
  type Json,
} from './webhook-helpers.js';

/** order_processing.json (id 727: 29.35 total − 10.00 shipping − 1.35 tax = 18 points), bought by customer 25. */
function order727(changes: Json = {}): Json {
  return { ...sample('woocommerce', 'order_processing'), customer_id: 25, ...changes };
}

/** order_completed_with_refunds.json (id 723, customer 26: 39.00 − 10.00 shipping = 29 points) with its refunds. */
function order723(refunds: Json[], changes: Json = {}): Json {
  return { ...sample('woocommerce', 'order_completed_with_refunds'), refunds, ...changes };
}

describe('POST /webhooks/woocommerce', () => {
  const h = hubHarness({ connectors: [woocommerce], env: { WOOCOMMERCE_WEBHOOK_SECRET: WOO_SECRET } });

  it('credits a paid order: 29.35 with 10.00 shipping and 1.35 tax → 18 points', async () => {
    const answer = await deliver(h, 'woocommerce', wooDelivery('order.created', order727()));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'woocommerce:order:727' });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 18 });
    const member = await memberByAlias(h, 'woocommerce:25');
    expect(member).toMatchObject({ email: 'john.doe@example.com' });
    expect(await balance(h, member!.id)).toMatchObject({ available: 18 });
    expect((await inbox(h)).map((r) => [r.topic, r.status])).toEqual([['order.created', 'accepted']]);
  });

  it('answers the unsigned ping WooCommerce sends when a webhook is saved with 200, and keeps nothing', async () => {
    const res = await h.hub.app.request('/webhooks/woocommerce', {
      method: 'POST',
      body: 'webhook_id=12',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'WooCommerce/8.9.1 Hookshot (WordPress/6.5.3)', 'x-wc-webhook-id': '12' },
    });
    expect(res.status).toBe(200);
    await expectNothingWritten(h);
  });

  describe('refuses what WooCommerce did not sign, and writes nothing', () => {
    const body = JSON.stringify(order727());
    it.each([
      ['signed with another secret', wooDelivery('order.updated', body, { secret: 'another-webhook-secret' }), /does not match/],
      ['without X-WC-Webhook-Signature', wooDelivery('order.updated', body, { omitSignature: true }), /missing X-WC-Webhook-Signature/],
      ['with the body changed after signing', wooDelivery('order.updated', body, { tamperedBody: body.replace('"29.35"', '"2935.00"') }), /does not match/],
    ])('%s → 401', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'woocommerce', init), reason);
      await expectOnlySignatureAlert(h, 'woocommerce');
    });
  });

  it('applies the same delivery once when it arrives 10 times at once', async () => {
    const answers = await deliverConcurrently(h, 'woocommerce', wooDelivery('order.updated', order727()), 10);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 9 });
    expect(await pointsOf(h, 'woocommerce:25')).toBe(18);
    expect(await inbox(h)).toHaveLength(1);
  });

  it('earns once for a paid order saved five times (five different order.updated deliveries, at once)', async () => {
    const saves = [
      order727(),
      order727({ date_modified_gmt: '2017-03-22T19:29:00', customer_note: 'Leave at the door' }),
      { ...sample('woocommerce', 'order_completed'), customer_id: 25 },
      { ...sample('woocommerce', 'order_completed'), customer_id: 25, date_modified_gmt: '2017-03-23T08:00:00', meta_data: [{ id: 1, key: 'tracking', value: 'ZX123' }] },
      { ...sample('woocommerce', 'order_completed'), customer_id: 25, date_modified_gmt: '2017-03-24T08:00:00' },
    ];
    const answers = await Promise.all(saves.map((order) => deliver(h, 'woocommerce', wooDelivery('order.updated', order))));
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 4 });
    expect(await pointsOf(h, 'woocommerce:25')).toBe(18);
    expect((await inbox(h)).map((r) => r.status)).toEqual(Array(5).fill('accepted'));
  });

  it('takes back refunds as refunds[] grows, in proportion to the total, and never more than was earned', async () => {
    await deliver(h, 'woocommerce', wooDelivery('order.updated', order723([])));
    expect(await pointsOf(h, 'woocommerce:26')).toBe(29);

    // 10.00 of 39.00 refunded: 29 × 10/39 = 7.4 → 7 back (the docs' {id, refund, total} shape).
    const first = await deliver(h, 'woocommerce', wooDelivery('order.updated', order723([{ id: 726, refund: '', total: '-10.00' }], { date_modified_gmt: '2017-03-22T10:00:00' })));
    expect(first.outcomes?.map((o) => [o.eventId, o.status, o.points])).toEqual([
      ['woocommerce:order:723', 'duplicate', 29],
      ['woocommerce:refund:726', 'applied', -7],
    ]);
    expect(await pointsOf(h, 'woocommerce:26')).toBe(22);

    // Another 9.00 (current core's {id, reason, total} shape): 19/39 of 29 = 14 in all, 7 more.
    const refunds = [
      { id: 726, refund: '', total: '-10.00' },
      { id: 724, reason: 'damaged', total: '-9.00' },
    ];
    await deliver(h, 'woocommerce', wooDelivery('order.updated', order723(refunds, { date_modified_gmt: '2017-03-23T10:00:00' })));
    expect(await pointsOf(h, 'woocommerce:26')).toBe(15);

    // The same state saved again changes nothing.
    await deliver(h, 'woocommerce', wooDelivery('order.updated', order723(refunds, { date_modified_gmt: '2017-03-23T11:00:00', customer_note: 'resaved' })));
    expect(await pointsOf(h, 'woocommerce:26')).toBe(15);

    // Refunded in full: the rest goes back, and no more than the 29 earned.
    const all = [...refunds, { id: 730, reason: 'rest', total: '-20.00' }];
    await deliver(h, 'woocommerce', wooDelivery('order.updated', order723(all, { status: 'refunded', date_modified_gmt: '2017-03-24T10:00:00' })));
    const member = (await memberByAlias(h, 'woocommerce:26'))!;
    expect(await balance(h, member.id)).toMatchObject({ available: 0, debt: 0 });
    expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 29, reversed: 29 });
  });

  describe('converts amounts exactly (decimal strings, ISO 4217 exponent)', () => {
    it.each([
      ['USD 123.45 → 123', 'USD', '123.45', 123.45, 123],
      ['EUR 224.97 → 224', 'EUR', '224.97', 224.97, 224],
      ['JPY 10000 → 10000', 'JPY', '10000', 10000, 10000],
    ])('%s', async (_what, currency, total, price, points) => {
      const lines = [{ ...(sample('woocommerce', 'order_processing').line_items as Json[])[1], quantity: 1, subtotal: total, total, price }];
      const order = order727({ currency, total, shipping_total: '0', shipping_tax: '0', total_tax: '0', discount_total: '0', line_items: lines, shipping_lines: [], tax_lines: [] });
      const answer = await deliver(h, 'woocommerce', wooDelivery('order.created', order));
      expect(onlyOutcome(answer).points).toBe(points);
      expect(await pointsOf(h, 'woocommerce:25')).toBe(points);
    });
  });

  it('answers 413 to a body over the limit, and keeps nothing', async () => {
    const answer = await deliver(h, 'woocommerce', wooDelivery('order.updated', oversizedBody()));
    expect(answer.httpStatus).toBe(413);
    await expectNothingWritten(h);
  });

  it('answers 400 to a signed paid order without a currency, keeps it as rejected and tells support', async () => {
    const { currency: _c, ...withoutCurrency } = order727();
    await expectRejected(h, 'woocommerce', await deliver(h, 'woocommerce', wooDelivery('order.updated', withoutCurrency)), '/currency');
  });
});
