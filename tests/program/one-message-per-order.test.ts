/**
 * One order, one message (issue 18, point 10; docs/mappings.md "points.earned and
 * points.pending"): the earns of one trigger's application are announced as one event with the
 * total, the balance after and its lines — one "you earned" e-mail for a Silver member's order,
 * not one per ledger line. Other paths announce as before.
 */
import { describe, expect, it } from 'vitest';
import square from '../../connectors/square/index.js';
import { mappingActionsFor } from '../../core/mappings/index.js';
import { spend } from '../../core/ledger/index.js';
import { switchedOn } from '../helpers/shipped-mappings.js';
import { json } from '../helpers/test-hub.js';
import { messageHarness } from './message-harness.js';
import { DAY } from './program-harness.js';

const EARNED_EMAIL = 'mappings/points-earned-email.yaml';

describe('one order, one message (the shipped program)', () => {
  const m = messageHarness([EARNED_EMAIL]);

  it("a Silver member's order sends one e-mail with the total, and the ledger keeps a line per rule", async () => {
    const ann = await m.enroll('ann@example.com');
    const patched = await m.h.call('PATCH', `/v1/members/${ann}`, { body: { tier: 'silver' } });
    expect(patched.status).toBe(200);
    const result = await m.order(ann, 12_000); // 120.00 USD: 120 points, ×1.25 for Silver: 30 more
    expect(result.points).toBe(150);

    const earned = await m.events(['points.earned', 'points.pending'], ann);
    expect(earned).toHaveLength(1);
    expect(earned[0]!.type).toBe('points.earned');
    expect(earned[0]!.data).toMatchObject({
      points: 150,
      kind: 'earn',
      source: 'rule',
      reason: 'order.paid',
      eventId: expect.stringMatching(/:order:/),
      ruleId: 'order-points',
      balance: { available: 150, pending: 0 },
      lines: [
        { ruleId: 'order-points', award: 'perCurrencyUnit', points: 120, explanation: expect.any(String), transferId: expect.any(String), lotId: expect.any(String), activatesAt: expect.any(String), expiresAt: expect.any(String) },
        { ruleId: 'tier:silver', award: 'tier', points: 30, explanation: expect.any(String), transferId: expect.any(String), lotId: expect.any(String), activatesAt: expect.any(String), expiresAt: expect.any(String) },
      ],
    });

    expect(await m.dispatch()).toEqual([
      { to: 'ann@example.com', subject: 'You earned 150 points', text: expect.stringContaining('You just earned 150 points. Your balance is now 150 points.') },
    ]);
    // Every line still says why it exists (docs/ledger.md): two earns, one per rule.
    const history = await json<{ data: { kind: string; amount: number; ruleId: string }[] }>(await m.h.call('GET', `/v1/members/${ann}/transactions`, { scope: 'read' }));
    expect(history.data.map((t) => [t.kind, t.amount, t.ruleId]).sort()).toEqual([
      ['earn', 120, 'order-points'],
      ['earn', 30, 'tier:silver'],
    ]);
  });

  it('the Square mirror, switched on, adds the order total to Square once', async () => {
    const ann = await m.enroll('sq@example.com');
    await m.h.call('PATCH', `/v1/members/${ann}`, { body: { tier: 'silver' } });
    await m.order(ann, 12_000);
    const mirror = switchedOn('mappings/square-loyalty-mirror.yaml', [square]);
    const actions = (await m.events(['points.earned', 'points.pending'], ann)).flatMap((event) => mappingActionsFor(mirror, event, { member: null }));
    expect(actions.map((a) => [a.adapter, Number(a.options.points)])).toEqual([['square', 150]]);
  });

  it('a manual credit and a redemption announce one event each, as before, and a replayed order nothing', async () => {
    const ann = await m.enroll('bo@example.com');
    await m.adjust(ann, 40);
    await m.h.hub.commit('test', (w) => w.post(spend, { memberId: ann, points: 15, idempotencyKey: 'spend-1', why: { source: 'redemption', reason: 'test redemption' } }));
    await m.order(ann, 5_000, 'order-once');
    await m.order(ann, 5_000, 'order-once');
    const events = await m.events(['points.earned', 'points.pending', 'points.spent'], ann);
    expect(events.map((e) => [e.type, e.data.points, e.data.kind, Array.isArray(e.data.lines)])).toEqual([
      ['points.earned', 40, 'adjust', false],
      ['points.spent', 15, 'spend', false],
      ['points.earned', 50, 'earn', true],
    ]);
  });
});

describe('an order partly held for a returns window', () => {
  const m = messageHarness([EARNED_EMAIL], {
    rules: [
      { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1, rounding: 'down' } },
      { id: 'late', on: 'order.paid', award: { fixed: 5 }, pendingDays: 14 },
    ],
  });

  it('announces one points.earned and one points.pending, each with its own total and lines', async () => {
    const ann = await m.enroll('ann@example.com');
    await m.order(ann, 10_000); // 100 at once, 5 held for 14 days
    const events = await m.events(['points.earned', 'points.pending'], ann);
    expect(events.map((e) => [e.type, e.data.points, (e.data.lines as { ruleId: string }[]).map((l) => l.ruleId)])).toEqual([
      ['points.earned', 100, ['base']],
      ['points.pending', 5, ['late']],
    ]);
    expect(events[1]!.data.balance).toMatchObject({ available: 100, pending: 5 });
    expect(await m.dispatch()).toEqual([expect.objectContaining({ subject: 'You earned 100 points' })]);
  });
});

describe('one message per application, whatever the path', () => {
  const m = messageHarness([EARNED_EMAIL], {
    returnPolicy: 'within_balance',
    rules: [
      { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1, rounding: 'down' } },
      { id: 'double', on: 'order.paid', award: { multiplier: '2' } },
    ],
  });

  it('guest orders credited on enrolment: one event per order, recorded as the guest-order credit', async () => {
    await m.order({ email: 'guest@example.com' }, 3_000, 'guest-1');
    await m.order({ email: 'guest@example.com' }, 4_000, 'guest-2');
    const guest = await m.enroll('guest@example.com');
    const events = await m.events(['points.earned'], guest);
    expect(events.map((e) => [e.data.points, e.data.actor, (e.data.lines as unknown[]).length])).toEqual([
      [60, 'guest-order', 2],
      [80, 'guest-order', 2],
    ]);
    expect((await m.dispatch()).map((mail) => mail.subject)).toEqual(['You earned 60 points', 'You earned 80 points']);
  });

  it('a refund parked before its order: the order announces its total once, then the refund its reversals as before', async () => {
    const ann = await m.enroll('park@example.com');
    const parked = await m.post({ type: 'order.refunded', customer: { memberId: ann }, refund: { orderId: 'late-order', refundId: 'r-1', currency: 'USD', amount: 5_000 } });
    expect(parked.status).toBe('parked');
    await m.order(ann, 10_000, 'late-order');
    const events = await m.events(['points.earned', 'points.reversed'], ann);
    expect(events[0]).toMatchObject({ type: 'points.earned', data: { points: 200 } });
    const reversed = events.slice(1);
    expect(reversed.every((e) => e.type === 'points.reversed')).toBe(true);
    expect(reversed.reduce((s, e) => s + (e.data.points as number), 0)).toBe(100); // half the order's 200 spendable points
  });

  it('points that repay a refund debt: the order still announces what it earned, then the repayment', async () => {
    const ann = await m.enroll('debt@example.com');
    await m.order(ann, 5_000, 'first'); // 100 spendable
    await m.h.hub.commit('test', (w) => w.post(spend, { memberId: ann, points: 100, idempotencyKey: 'spend-all', why: { source: 'redemption', reason: 'test redemption' } }));
    await m.post({ type: 'order.refunded', customer: { memberId: ann }, refund: { orderId: 'first', refundId: 'r-debt', currency: 'USD', full: true } });
    expect((await json<{ debt: number }>(await m.h.call('GET', `/v1/members/${ann}/balance`, { scope: 'read' }))).debt).toBe(100);
    const before = (await m.events(['points.earned', 'points.reversed'], ann)).length;
    m.h.clock.advance(DAY);
    await m.order(ann, 10_000, 'second'); // 200 spendable, 100 of it repays the debt
    const events = (await m.events(['points.earned', 'points.reversed'], ann)).slice(before);
    expect(events.map((e) => [e.type, e.data.points, e.data.reason])).toEqual([
      ['points.earned', 200, 'order.paid'],
      ['points.reversed', 100, 'repays a refund debt'],
    ]);
  });
});
