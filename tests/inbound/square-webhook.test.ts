/**
 * Square end to end: notifications from Square's API specification examples
 * (tests/fixtures/platform-samples/square), signed over PUBLIC_URL/webhooks/square + body, through
 * `POST /webhooks/square`. A COMPLETED payment earns on `amount_money` (minor units, tip
 * excluded); a COMPLETED refund takes back its share of the payment's total.
 */
import { describe, expect, it } from 'vitest';
import square from '../../connectors/square/index.js';
import { runProgramDue } from '../../core/program/due-work.js';
import { hubHarness } from '../helpers/test-hub.js';
import { PUBLIC_URL, SQUARE_KEY, squareDelivery } from './sign.js';
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
  type Json,
} from './webhook-helpers.js';

/** The payment refund_updated.json refunds. */
const PAYMENT = 'KkAkhdMsgzn59SM8A89WgKwekxLZY';
const CUSTOMER = 'JDKYHBWT1D4F8MFH63DBMEN8Y4';
const ALIAS = `square:${CUSTOMER}`;

let notifications = 0;
const newEventId = () => `e2e0000-0000-4000-8000-${String(++notifications).padStart(12, '0')}`;

/** payment_updated.json as the COMPLETED payment PAYMENT of 40.00 USD by CUSTOMER, with changes. */
function paymentEvent(payment: Json = {}, envelope: Json = {}): Json {
  const base = sample('square', 'payment_updated');
  const data = base.data as { object: { payment: Json } };
  const merged = {
    ...data.object.payment,
    id: PAYMENT,
    amount_money: { amount: 4000, currency: 'USD' },
    approved_money: { amount: 4000, currency: 'USD' },
    total_money: { amount: 4000, currency: 'USD' },
    customer_id: CUSTOMER,
    buyer_email_address: 'sam@example.com',
    ...payment,
  };
  return { ...base, event_id: newEventId(), ...envelope, data: { ...data, id: merged.id, object: { payment: merged } } };
}

/** refund_updated.json (10.00 USD back on PAYMENT, COMPLETED), with changes. */
function refundEvent(refund: Json = {}, envelope: Json = {}): Json {
  const base = sample('square', 'refund_updated');
  const data = base.data as { object: { refund: Json } };
  const merged = { ...data.object.refund, ...refund };
  return { ...base, event_id: newEventId(), ...envelope, data: { ...data, id: merged.id, object: { refund: merged } } };
}

describe('POST /webhooks/square', () => {
  const h = hubHarness({ connectors: [square], env: { SQUARE_WEBHOOK_SIGNATURE_KEY: SQUARE_KEY, PUBLIC_URL } });

  it('credits a COMPLETED payment: 40.00 USD → 40 points for the Square customer, at the point of sale', async () => {
    const answer = await deliver(h, 'square', squareDelivery(paymentEvent()));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: `square:order:${PAYMENT}` });
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 40 });
    const member = await memberByAlias(h, ALIAS);
    expect(member).toMatchObject({ email: 'sam@example.com' });
    expect(await balance(h, member!.id)).toMatchObject({ available: 40 });
    const [row] = await inbox(h);
    expect(row).toMatchObject({ topic: 'payment.updated', status: 'accepted' });
    expect(row!.events).toMatchObject([{ order: { channel: 'pos', location: 'S8GWD5R9QB376', amount: 4000 } }]);
  });

  it('earns once for a payment announced by payment.created, then payment.updated twice', async () => {
    const created = await deliver(h, 'square', squareDelivery(paymentEvent({ status: 'APPROVED' }, { type: 'payment.created' })));
    expect(created.status).toBe('ignored');
    const completed = await deliver(h, 'square', squareDelivery(paymentEvent()));
    const later = await deliver(h, 'square', squareDelivery(paymentEvent({ version_token: 'v2', updated_at: '2020-11-22T21:20:00.000Z' })));
    expect([completed.status, later.status]).toEqual(['accepted', 'duplicate']);
    expect(await pointsOf(h, ALIAS)).toBe(40);
  });

  describe('refuses what Square did not sign for this URL, and writes nothing', () => {
    const body = JSON.stringify(paymentEvent());
    it.each([
      ['signed with another key', squareDelivery(body, { secret: 'another-signature-key' }), /does not match/],
      ['without x-square-hmacsha256-signature', squareDelivery(body, { omitSignature: true }), /missing x-square-hmacsha256-signature/],
      ['signed for another notification URL', squareDelivery(body, { signedUrl: 'http://loyalty.example.com/webhooks/square' }), /does not match/],
      ['with the body changed after signing', squareDelivery(body, { tamperedBody: body.replace('"amount":4000', '"amount":400000') }), /does not match/],
    ])('%s → 401', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'square', init), reason);
      await expectOnlySignatureAlert(h, 'square');
    });
  });

  it('applies the same notification once when it arrives 10 times at once', async () => {
    const answers = await deliverConcurrently(h, 'square', squareDelivery(paymentEvent()), 10);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 9 });
    expect(await pointsOf(h, ALIAS)).toBe(40);
    expect(await inbox(h)).toHaveLength(1);
  });

  it('a COMPLETED refund takes back its share (10.00 of 40.00 → 10 points), never more than was earned', async () => {
    await deliver(h, 'square', squareDelivery(paymentEvent()));
    const pending = await deliver(h, 'square', squareDelivery(refundEvent({ status: 'PENDING' }, { type: 'refund.created' })));
    expect(pending.status).toBe('ignored');
    expect(await pointsOf(h, ALIAS)).toBe(40);

    const completed = await deliver(h, 'square', squareDelivery(refundEvent()));
    expect(onlyOutcome(completed)).toMatchObject({ status: 'applied', points: -10 });
    expect(await pointsOf(h, ALIAS)).toBe(30);

    // A second refund larger than what is left of the payment: only the remaining 30 go back.
    const second = await deliver(h, 'square', squareDelivery(refundEvent({ id: `${PAYMENT}_second`, amount_money: { amount: 4000, currency: 'USD' } })));
    expect(onlyOutcome(second).points).toBe(-30);
    const member = (await memberByAlias(h, ALIAS))!;
    expect(await balance(h, member.id)).toMatchObject({ available: 0, debt: 0 });
    expect(await earnedAndReversed(h, member.id)).toEqual({ earned: 40, reversed: 40 });
  });

  describe('converts amounts exactly (minor units, ISO 4217 exponent)', () => {
    it.each([
      ['USD 12345 → 123', 'USD', 12345, 123],
      ['EUR 22497 → 224', 'EUR', 22497, 224],
      ['JPY 10000 → 10000', 'JPY', 10000, 10000],
    ])('%s', async (_what, currency, amount, points) => {
      const money = { amount, currency };
      const answer = await deliver(h, 'square', squareDelivery(paymentEvent({ amount_money: money, approved_money: money, total_money: money })));
      expect(onlyOutcome(answer).points).toBe(points);
      expect(await pointsOf(h, ALIAS)).toBe(points);
    });
  });

  it('answers 413 to a body over the limit, and keeps nothing', async () => {
    expect((await deliver(h, 'square', squareDelivery(oversizedBody()))).httpStatus).toBe(413);
    await expectNothingWritten(h);
  });

  it('answers 400 to a signed COMPLETED payment without its amount, keeps it as rejected and tells support', async () => {
    const event = paymentEvent();
    const payment = (event.data as { object: { payment: Json } }).object.payment;
    delete payment.amount_money;
    await expectRejected(h, 'square', await deliver(h, 'square', squareDelivery(event)), '/data/object/payment/amount_money');
  });

  describe('out of order', () => {
    it('parks a refund that arrives before its payment, and applies it when the payment arrives', async () => {
      const early = await deliver(h, 'square', squareDelivery(refundEvent()));
      expect(onlyOutcome(early)).toMatchObject({ status: 'parked', points: 0 });
      const paid = await deliver(h, 'square', squareDelivery(paymentEvent()));
      expect(onlyOutcome(paid)).toMatchObject({ status: 'applied', points: 30 });
      expect(await pointsOf(h, ALIAS)).toBe(30);
    });

    it('turns a refund whose payment never came into a refund.unmatched exception after 72 hours', async () => {
      await deliver(h, 'square', squareDelivery(refundEvent()));
      h.clock.advance(73 * HOUR_MS);
      await runProgramDue(h.hub, h.hub.program);
      expect((await loyaltyEvents(h, 'refund.unmatched')).map((e) => e.data)).toEqual([
        expect.objectContaining({ refundId: `square:refund:${(sample('square', 'refund_updated').data as { id: string }).id}`, orderKey: `square:order:${PAYMENT}`, source: 'square' }),
      ]);
    });
  });
});
