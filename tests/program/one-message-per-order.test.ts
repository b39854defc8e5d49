/**
 * One order, one message (issue 18, point 10; docs/mappings.md "points.earned and
 * points.pending"): the earns of one trigger's application are announced as one event with the
 * total, the balance after and its lines — one "you earned" e-mail for a Silver member's order,
 * not one per ledger line. A refund's take-back is announced the same way: one points.reversed
 * with the total and its lines (docs/mappings.md, "One refund, one message"). Other paths
 * announce as before.
 */
import { describe, expect, it } from 'vitest';
import freshdesk from '../../connectors/freshdesk/index.js';
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

  it("a Silver member's refund takes back both lines in one points.reversed: one Freshdesk ticket, not two", async () => {
    const ann = await m.enroll('refund@example.com');
    await m.h.call('PATCH', `/v1/members/${ann}`, { body: { tier: 'silver' } });
    await m.order(ann, 12_000, 'silver-order'); // 120 + 30 for Silver
    const refund = await m.post({ type: 'order.refunded', customer: { memberId: ann }, refund: { orderId: 'silver-order', refundId: 'r-silver', currency: 'USD', full: true } });
    expect(refund.points).toBe(-150);

    const reversed = await m.events(['points.reversed'], ann);
    expect(reversed).toHaveLength(1);
    expect(reversed[0]!.data).toMatchObject({
      points: 150,
      kind: 'reverse',
      source: 'rule',
      reason: 'order refunded',
      eventId: expect.stringMatching(/r-silver/),
      balance: { available: 0, lifetimeEarned: 0 },
      // The bonus line is taken back first (core/program/take-back.ts), then the base line.
      lines: [
        { kind: 'reverse', points: 30, reason: 'order refunded', transferId: expect.any(String), reversesId: expect.any(String), lotId: expect.any(String) },
        { kind: 'reverse', points: 120, reason: 'order refunded', transferId: expect.any(String), reversesId: expect.any(String), lotId: expect.any(String) },
      ],
    });
    // The ledger still keeps a line per earn taken back (docs/ledger.md).
    const history = await json<{ data: { kind: string; amount: number }[] }>(await m.h.call('GET', `/v1/members/${ann}/transactions`, { scope: 'read' }));
    expect(history.data.filter((t) => t.kind === 'reverse').map((t) => t.amount).sort((a, b) => a - b)).toEqual([30, 120]);

    const tickets = switchedOn('mappings/freshdesk-points-reversed.yaml', [freshdesk]);
    const actions = reversed.flatMap((event) => mappingActionsFor(tickets, event, { member: null }));
    expect(actions.map((a) => [a.adapter, a.options.subject])).toEqual([['freshdesk', expect.stringContaining('150 loyalty points taken back')]]);
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

  it('a refund parked before its order: the order announces its total once, then the refund its take-back once', async () => {
    const ann = await m.enroll('park@example.com');
    const parked = await m.post({ type: 'order.refunded', customer: { memberId: ann }, refund: { orderId: 'late-order', refundId: 'r-1', currency: 'USD', amount: 5_000 } });
    expect(parked.status).toBe('parked');
    await m.order(ann, 10_000, 'late-order');
    const events = await m.events(['points.earned', 'points.reversed'], ann);
    expect(events[0]).toMatchObject({ type: 'points.earned', data: { points: 200 } });
    // Half the order's 200 spendable points, in one event: all from the bonus line, taken back first.
    expect(events.slice(1).map((e) => [e.type, e.data.points, (e.data.lines as { points: number }[]).map((l) => l.points)])).toEqual([['points.reversed', 100, [100]]]);
  });

  it("a refund of points already spent: the order's lots and the available balance, in one points.reversed", async () => {
    const ann = await m.enroll('spent@example.com');
    await m.order(ann, 5_000, 'spent-order'); // 50 base + 50 double
    await m.h.hub.commit('test', (w) => w.post(spend, { memberId: ann, points: 60, idempotencyKey: 'spend-60', why: { source: 'redemption', reason: 'test redemption' } }));
    await m.adjust(ann, 500);
    await m.post({ type: 'order.refunded', customer: { memberId: ann }, refund: { orderId: 'spent-order', refundId: 'r-spent', currency: 'USD', full: true } });
    const reversed = await m.events(['points.reversed'], ann);
    expect(reversed).toHaveLength(1);
    const lines = reversed[0]!.data.lines as { kind: string; points: number; reason: string }[];
    // 40 left in the order's lots are reversed; the 60 already spent come from the 500 credited since.
    expect(reversed[0]!.data).toMatchObject({ points: 100, balance: { available: 440 } });
    expect(lines.reduce((n, l) => n + l.points, 0)).toBe(100);
    expect(lines.filter((l) => l.kind === 'reverse').reduce((n, l) => n + l.points, 0)).toBe(40);
    expect(lines.filter((l) => l.kind === 'adjust')).toEqual([expect.objectContaining({ points: 60, reason: "order refunded: the order's points were already spent" })]);
    // Replayed, the refund changes nothing and announces nothing more.
    await m.post({ type: 'order.refunded', customer: { memberId: ann }, refund: { orderId: 'spent-order', refundId: 'r-spent', currency: 'USD', full: true } });
    expect(await m.events(['points.reversed'], ann)).toHaveLength(1);
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
