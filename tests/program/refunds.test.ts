/**
 * Refunds and cancellations take back the points of what was refunded, in proportion,
 * cumulatively and never more than was earned, under each `returnPolicy`; refunds that arrive
 * before their order wait for it; guest orders are credited when their e-mail enrolls.
 */
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, T0, programHarness, type ProgramHarness } from './program-harness.js';

const rules = [
  { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } },
  { id: 'review', on: 'review.posted', award: { fixed: 50 } },
  { id: 'welcome', on: 'customer.created', award: { fixed: 50 }, limit: { perMember: { count: 1, per: 'ever' } } },
];

const cancel = (p: ProgramHarness, memberId: string, orderId: string) => p.post({ type: 'order.cancelled', customer: { memberId }, order: { id: orderId } });

describe('returnPolicy within_balance (the default)', () => {
  const p = programHarness({
    returnPolicy: 'within_balance',
    refunds: { parkHours: 2 },
    tiers: {
      basis: { window: 'lifetime' },
      levels: [
        { id: 'bronze', name: 'Bronze', threshold: 0 },
        { id: 'silver', name: 'Silver', threshold: 1_000_000, multiplier: '1.25' },
      ],
    },
    rules,
  });

  it('partial refunds take back in proportion, cumulatively: three that add up to the order take back exactly what it earned', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-1', amount: 12_345 });
    const first = await p.refund(id, 'o-1', { amount: 4000 }, 'r-1');
    expect(first).toMatchObject({ status: 'accepted', points: -39, detail: 'refunded 4000 of 12345 USD (minor units): 39 of 123 points due back' });
    expect((await p.refund(id, 'o-1', { amount: 4000 }, 'r-2')).points).toBe(-40); // ⌊123 × 8000 / 12345⌋ = 79 due
    expect((await p.refund(id, 'o-1', { amount: 4345 }, 'r-3')).points).toBe(-44);
    expect((await p.refund(id, 'o-1', { amount: 1000 })).points).toBe(0); // nothing more: never more than was earned
    expect(await p.balance(id)).toMatchObject({ available: 0, debt: 0 });
    const reversals = (await p.history(id)).filter((t) => t.kind === 'reverse');
    expect(reversals.map((t) => [t.amount, t.reason, t.eventId])).toEqual([
      [39, 'order refunded', 'api:refund:r-1'],
      [40, 'order refunded', 'api:refund:r-2'],
      [44, 'order refunded', 'api:refund:r-3'],
    ]);
  });

  it('the same refund delivered twice is taken back once', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-1', amount: 10_000 });
    await p.refund(id, 'o-1', { amount: 2500 }, 'refund-9');
    const again = await p.refund(id, 'o-1', { amount: 2500 }, 'refund-9');
    expect(again.status).toBe('duplicate');
    expect((await p.balance(id)).available).toBe(75);
  });

  it('a refund larger than the order takes back what the order earned, no more', async () => {
    const id = await p.enroll();
    await p.activity(id, 'review.posted');
    await p.order(id, { id: 'o-1', amount: 10_000 });
    expect((await p.refund(id, 'o-1', { amount: 50_000 })).points).toBe(-100);
    expect((await p.balance(id)).available).toBe(50);
  });

  it("takes back the order's tier bonus in proportion too", async () => {
    const id = await p.enroll();
    await p.setTier(id, 'silver');
    expect((await p.order(id, { id: 'o-1', amount: 10_000 })).points).toBe(125);
    expect((await p.refund(id, 'o-1', { amount: 5000 })).points).toBe(-62);
    expect((await cancel(p, id, 'o-1')).points).toBe(-63);
    expect((await p.balance(id)).available).toBe(0);
  });

  it('a cancellation takes back everything the order earned; a refund after it takes nothing', async () => {
    const id = await p.enroll();
    await p.activity(id, 'review.posted');
    await p.order(id, { id: 'o-1', amount: 10_000 });
    const cancelled = await cancel(p, id, 'o-1');
    expect(cancelled).toMatchObject({ status: 'accepted', points: -100 });
    expect((await p.loyaltyEvents('points.reversed', id)).map((e) => e.data.points)).toEqual([100]);
    expect((await p.refund(id, 'o-1', { amount: 1000 })).points).toBe(0);
    expect((await p.refund(id, 'o-1', { full: true })).points).toBe(0);
    expect(await p.balance(id)).toMatchObject({ available: 50, debt: 0 });
  });

  it('a full refund after a partial one takes back the rest', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-1', amount: 9_999 });
    expect((await p.refund(id, 'o-1', { amount: 3333 })).points).toBe(-33);
    expect((await p.refund(id, 'o-1', { full: true })).points).toBe(-66);
    expect((await p.balance(id)).available).toBe(0);
  });

  it('a refund that arrives before its order is parked, then applied when the order arrives', async () => {
    const id = await p.enroll();
    const parked = await p.refund(id, 'o-early', { amount: 2500 });
    expect(parked).toMatchObject({ status: 'parked', points: 0, transactions: [] });
    expect(parked.detail).toContain('not seen yet');
    const order = await p.order(id, { id: 'o-early', amount: 10_000 });
    expect(order.points).toBe(75); // 100 earned, 25 taken back by the waiting refund
    expect(order.transactions.map((t) => [t.kind, t.amount])).toEqual([
      ['earn', 100],
      ['reverse', 25],
    ]);
    expect((await p.balance(id)).available).toBe(75);
    p.clock.advance(3 * HOUR);
    expect((await p.tick()).refundExceptions).toBe(0); // applied, so never an exception
  });

  it('a parked refund whose order never comes becomes refund.unmatched after refunds.parkHours', async () => {
    const id = await p.enroll();
    await p.refund(id, 'o-ghost', { amount: 2500 }, 'refund-ghost');
    p.clock.set(T0 + 2 * HOUR);
    expect((await p.tick()).refundExceptions).toBe(0);
    expect(await p.loyaltyEvents('refund.unmatched')).toEqual([]);
    p.clock.set(T0 + 2 * HOUR + 1);
    expect((await p.tick()).refundExceptions).toBe(1);
    expect((await p.tick()).refundExceptions).toBe(0);
    expect((await p.loyaltyEvents('refund.unmatched')).map((e) => e.data)).toEqual([
      { refundId: 'api:refund:refund-ghost', orderKey: 'api:order:o-ghost', source: 'api', receivedAt: new Date(T0).toISOString(), waitedHours: 2 },
    ]);
  });

  it("points already spent: takes what is available, records the rest as debt, and later earning repays it", async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-1', amount: 10_000 });
    await p.spend(id, 80);
    await p.activity(id, 'review.posted'); // 50 more, from another lot
    const cancelled = await cancel(p, id, 'o-1');
    expect(cancelled.points).toBe(-70); // 20 left of the order's lot + 50 available
    expect(cancelled.detail).toContain('30 recorded as debt');
    expect(await p.balance(id)).toMatchObject({ available: 0, debt: 30, spent: 80 });

    const review = await p.activity(id, 'review.posted');
    expect(review.points).toBe(20);
    expect(review.transactions.map((t) => [t.kind, t.amount, t.reason])).toEqual([
      ['earn', 50, 'review.posted'],
      ['reverse', 30, 'repays a refund debt'],
    ]);
    expect(await p.balance(id)).toMatchObject({ available: 20, debt: 0 });
    expect((await p.activity(id, 'review.posted')).points).toBe(50);
  });
});

describe('returnPolicy only_pending', () => {
  const p = programHarness({ returnPolicy: 'only_pending', defaults: { pendingDays: 14 }, rules });

  it('takes back only points still pending; once active they stay', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-1', amount: 10_000 });
    expect(await p.balance(id)).toMatchObject({ pending: 100, available: 0 });
    expect((await p.refund(id, 'o-1', { amount: 3000 })).points).toBe(-30);
    expect(await p.balance(id)).toMatchObject({ pending: 70, available: 0 });

    p.clock.set(T0 + 14 * DAY);
    await p.tick();
    expect(await p.balance(id)).toMatchObject({ pending: 0, available: 70 });
    const late = await p.refund(id, 'o-1', { amount: 3000 });
    expect(late.points).toBe(0);
    expect(late.detail).toContain('30 not taken (only_pending: points already active)');
    expect(await p.balance(id)).toMatchObject({ available: 70, debt: 0 });
  });
});

describe('returnPolicy unlimited', () => {
  const p = programHarness({ returnPolicy: 'unlimited', rules });

  it('takes back everything; what is missing shows as a negative balance until earning repays it', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-1', amount: 10_000 });
    await p.spend(id, 80);
    const cancelled = await cancel(p, id, 'o-1');
    expect(cancelled.points).toBe(-20); // what the ledger took; the rest is debt
    expect(cancelled.detail).toContain('80 recorded as debt');
    expect(await p.balance(id)).toMatchObject({ available: -80, debt: 80 });
    await p.order(id, { id: 'o-2', amount: 5_000 });
    expect(await p.balance(id)).toMatchObject({ available: -30, debt: 30 });
  });
});

describe('guest orders', () => {
  const p = programHarness({ guests: { creditWithinDays: 30 }, rules });

  it('an order with only an e-mail waits as a guest order', async () => {
    const guest = await p.order({ email: 'guest@example.com' }, { amount: 10_000 });
    expect(guest).toMatchObject({ status: 'guest', memberId: null, points: 0, detail: 'guest order: credited if this e-mail enrolls' });
    const found = await (await p.h.call('GET', '/v1/members?email=guest@example.com')).json();
    expect(found).toEqual({ data: [], nextCursor: null });
  });

  it('is credited when that e-mail enrolls through a customer.created event', async () => {
    await p.order({ email: 'guest@example.com' }, { amount: 10_000 });
    p.clock.advance(5 * DAY);
    const created = await p.post({ type: 'customer.created', id: 'c-1', customer: { email: 'Guest@Example.com' } });
    expect(created).toMatchObject({ enrolled: true, points: 150 });
    expect(await p.balance(created.memberId!)).toMatchObject({ available: 150 });
  });

  it('is credited when that e-mail enrolls through POST /v1/members', async () => {
    await p.order({ email: 'guest@example.com' }, { amount: 10_000 });
    p.clock.advance(5 * DAY);
    const id = await p.enroll('guest@example.com');
    expect((await p.balance(id)).available).toBe(100);
  });

  it('earns what is left after a refund made while it waited', async () => {
    await p.order({ email: 'guest@example.com' }, { id: 'g-1', amount: 10_000 });
    const refund = await p.post({ type: 'order.refunded', customer: { email: 'guest@example.com' }, refund: { orderId: 'g-1', refundId: 'gr-1', currency: 'USD', amount: 4000 } });
    expect(refund).toMatchObject({ points: 0, detail: 'guest order: the refund lowers what it earns if its e-mail enrolls' });
    const created = await p.post({ type: 'customer.created', id: 'c-1', customer: { email: 'guest@example.com' } });
    expect(await p.balance(created.memberId!)).toMatchObject({ available: 110 }); // 50 welcome + 60
    // …and a later refund of the same order is proportional to what was credited.
    expect((await p.refund(created.memberId!, 'g-1', { full: true })).points).toBe(-60);
  });

  it('is not credited when the e-mail enrolls after guests.creditWithinDays', async () => {
    await p.order({ email: 'late@example.com' }, { amount: 10_000 });
    p.clock.advance(31 * DAY);
    const created = await p.post({ type: 'customer.created', id: 'c-1', customer: { email: 'late@example.com' } });
    expect(created.points).toBe(50);
  });

  it("an e-mail-only order from someone already enrolled is credited to them at once", async () => {
    const id = await p.enroll('known@example.com');
    const result = await p.order({ email: 'known@example.com' }, { amount: 10_000 });
    expect(result).toMatchObject({ status: 'accepted', memberId: id, points: 100 });
  });
});

describe('a guest order cancelled before its e-mail enrolls', () => {
  const p = programHarness({ guests: { creditWithinDays: 30 }, rules: [...rules, { id: 'order-bonus', on: 'order.paid', award: { fixed: 50 } }] });

  it('earns nothing at all on enrollment, not even its fixed awards', async () => {
    await p.order({ email: 'gone@example.com' }, { id: 'g-9', amount: 10_000 });
    await p.post({ type: 'order.cancelled', customer: { email: 'gone@example.com' }, order: { id: 'g-9' } });
    const id = await p.enroll('gone@example.com');
    expect((await p.balance(id)).available).toBe(0);
  });
});
