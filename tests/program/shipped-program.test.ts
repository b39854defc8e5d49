/**
 * The shipped config/program.yaml reproduces the default program (docs/program.md), seen through the HTTP API the way a
 * merchant's storefront sees it.
 */
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, T0, earnedByRule, iso, programHarness } from './program-harness.js';

describe('the shipped program (docs/program.md)', () => {
  const p = programHarness();

  it('an order paying 123.45 USD earns 123 points for a Bronze member, active at once, expiring in 365 days', async () => {
    const id = await p.enroll();
    const result = await p.order(id, { amount: 12345 });
    expect(result).toMatchObject({ status: 'accepted', points: 123 });
    expect(earnedByRule(result)).toEqual({ 'order-points': 123 });
    const balance = await p.balance(id);
    expect(balance).toMatchObject({ available: 123, pending: 0, lifetimeEarned: 123, tier: 'bronze', debt: 0 });
    expect(balance.expiring).toEqual([{ points: 123, expiresAt: iso(T0 + 365 * DAY) }]);
  });

  it('the same order earns 153 once the member is Silver by earning 1,000 points, and the upgrade is announced', async () => {
    const id = await p.enroll();
    expect((await p.order(id, { amount: 99_900 })).points).toBe(999);
    expect((await p.balance(id)).tier).toBe('bronze');
    expect(await p.loyaltyEvents('tier.upgraded')).toEqual([]);

    expect((await p.order(id, { amount: 100 })).points).toBe(1);
    expect((await p.balance(id)).tier).toBe('silver');
    const [upgraded, ...more] = await p.loyaltyEvents('tier.upgraded');
    expect(more).toEqual([]);
    expect(upgraded).toMatchObject({
      memberId: id,
      data: { tier: { id: 'silver', name: 'Silver', threshold: 1000 }, previousTier: { id: 'bronze' }, qualifyingPoints: 1000 },
    });

    const silver = await p.order(id, { amount: 12345 });
    expect(silver.points).toBe(153);
    // The tier's ×1.25 is its own line, so the history says where the 30 extra points came from.
    expect(earnedByRule(silver)).toEqual({ 'order-points': 123, 'tier:silver': 30 });
  });

  it('a Gold member earns ×1.5, rounded down once (123.45 USD → 123 × 1.5 = 184.5 → 184)', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 500_000 });
    expect((await p.balance(id)).tier).toBe('gold');
    expect((await p.order(id, { amount: 12345 })).points).toBe(184);
  });

  it('a tier set by hand earns its multiplier (manual Silver → 153)', async () => {
    const id = await p.enroll();
    await p.setTier(id, 'silver');
    expect((await p.balance(id)).tier).toBe('silver');
    expect((await p.order(id, { amount: 12345 })).points).toBe(153);
  });

  it('10,000 JPY earns 10,000 points (JPY has no minor unit); 12.345 KWD earns 12', async () => {
    const id = await p.enroll();
    expect((await p.order(id, { amount: 12_345, currency: 'KWD' })).points).toBe(12);
    expect((await p.order(id, { amount: 10_000, currency: 'JPY' })).points).toBe(10_000);
  });

  it('customer.created awards 50 once ever, and activities earn 200 / 25 / 20 without the tier multiplier', async () => {
    const created = await p.post({ type: 'customer.created', id: 'c-1', customer: { email: 'new@example.com' } });
    expect(created).toMatchObject({ status: 'accepted', enrolled: true, points: 50 });
    const id = created.memberId!;
    const again = await p.post({ type: 'customer.created', id: 'c-2', customer: { email: 'new@example.com' } });
    expect(again).toMatchObject({ status: 'accepted', memberId: id, points: 0 });

    await p.setTier(id, 'gold');
    expect((await p.activity(id, 'referral.completed')).points).toBe(200);
    expect((await p.activity(id, 'referral.completed')).points).toBe(200);
    expect((await p.activity(id, 'review.posted')).points).toBe(25);
    expect((await p.activity(id, 'newsletter.subscribed')).points).toBe(20);
    expect((await p.activity(id, 'newsletter.subscribed')).points).toBe(0);
    expect((await p.balance(id)).available).toBe(50 + 400 + 25 + 20);
  });

  it('an activity posted twice with the same id is applied once', async () => {
    const id = await p.enroll();
    const first = await p.activity(id, 'review.posted', { id: 'review-77' });
    const second = await p.activity(id, 'review.posted', { id: 'review-77' });
    expect(first).toMatchObject({ status: 'accepted', points: 25 });
    expect(second).toMatchObject({ status: 'duplicate', points: 25, transactions: [] });
    expect((await p.balance(id)).available).toBe(25);
  });

  it('birthday awards 100 once a calendar year', async () => {
    const id = await p.enroll();
    expect((await p.activity(id, 'birthday')).points).toBe(100);
    p.clock.set(Date.parse('2026-12-31T23:00:00Z'));
    expect((await p.activity(id, 'birthday')).points).toBe(0);
    p.clock.set(Date.parse('2027-01-01T00:00:00Z'));
    expect((await p.activity(id, 'birthday')).points).toBe(100);
  });

  it('caps earning at 50,000 points per member per day: the line keeps the uncapped figure and the reason, and limit.reached is emitted', async () => {
    const id = await p.enroll();
    const big = await p.order(id, { amount: 6_000_000 });
    expect(big.points).toBe(50_000);
    const [line] = big.transactions;
    expect(line).toMatchObject({
      kind: 'earn',
      amount: 50_000,
      ruleId: 'order-points',
      reason: 'order.paid: capped by limits.perMember.day (50000)',
      metadata: { uncapped: 60_000, cappedBy: ['limits.perMember.day (50000)'] },
    });
    const limits = await p.loyaltyEvents('limit.reached', id);
    expect(limits).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ limit: 'limits.perMember.day (50000)', requested: 60_000, awarded: 50_000, eventId: big.eventId }) }),
    ]);

    // Nothing more that day, Gold or not…
    p.clock.advance(8 * HOUR);
    const later = await p.order(id, { amount: 10_000 });
    expect(later.points).toBe(0);
    expect((await p.loyaltyEvents('limit.reached', id)).length).toBeGreaterThan(1);
    // …and a new allowance the next day (UTC, the program's time zone), now at Gold ×1.5.
    p.clock.set(Date.parse('2026-03-03T00:00:00Z'));
    expect((await p.order(id, { amount: 10_000 })).points).toBe(150);
    expect((await p.balance(id)).available).toBe(50_150);
  });

  it('points expire 365 days after they were earned, with points.expiring 30 days ahead for every batch', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 10_000 });
    p.clock.advance(10 * DAY);
    await p.order(id, { amount: 5_000 });
    expect((await p.balance(id)).expiring).toEqual([
      { points: 100, expiresAt: iso(T0 + 365 * DAY) },
      { points: 50, expiresAt: iso(T0 + 375 * DAY) },
    ]);

    p.clock.set(T0 + 335 * DAY - 1);
    await p.tick();
    expect(await p.loyaltyEvents('points.expiring')).toEqual([]);

    p.clock.set(T0 + 335 * DAY);
    await p.tick();
    await p.tick(); // a second tick does not announce the same batch again
    expect((await p.loyaltyEvents('points.expiring')).map((e) => e.data)).toEqual([{ points: 100, expiresAt: iso(T0 + 365 * DAY), days: 30 }]);

    p.clock.set(T0 + 365 * DAY - 1);
    expect((await p.tick()).expired).toBe(0);
    p.clock.set(T0 + 365 * DAY);
    expect((await p.tick()).expired).toBe(1);
    expect(await p.balance(id)).toMatchObject({ available: 50, expired: 100, expiring: [{ points: 50, expiresAt: iso(T0 + 375 * DAY) }] });
    expect((await p.loyaltyEvents('points.expired', id)).map((e) => e.data.points)).toEqual([100]);
    // The second batch got its own notice when it came within 30 days.
    expect((await p.loyaltyEvents('points.expiring')).map((e) => e.data.points)).toEqual([100, 50]);
  });

  it('expiry removes only what is left of a batch after spending', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 10_000 });
    await p.spend(id, 30);
    p.clock.set(T0 + 365 * DAY);
    await p.tick();
    expect(await p.balance(id)).toMatchObject({ available: 0, spent: 30, expired: 70 });
  });

  it('tiers count points earned in the last 365 days: points from 366 days ago do not count', async () => {
    const early = await p.enroll('early@example.com');
    const late = await p.enroll('late@example.com');
    await p.order(early, { amount: 60_000 });
    await p.order(late, { amount: 60_000 });

    p.clock.set(T0 + 364 * DAY);
    await p.order(early, { amount: 50_000 });
    expect((await p.balance(early)).tier).toBe('silver');

    p.clock.set(T0 + 366 * DAY);
    await p.order(late, { amount: 50_000 });
    expect((await p.balance(late)).tier).toBe('bronze');
  });

  it('a member whose window falls below the threshold goes back down, with tier.downgraded', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 120_000 });
    expect((await p.balance(id)).tier).toBe('silver');
    p.clock.set(T0 + 364 * DAY);
    await p.tick();
    expect((await p.balance(id)).tier).toBe('silver');
    p.clock.set(T0 + 366 * DAY);
    await p.tick();
    expect((await p.balance(id)).tier).toBe('bronze');
    const [down] = await p.loyaltyEvents('tier.downgraded', id);
    expect(down?.data).toMatchObject({ tier: { id: 'bronze' }, previousTier: { id: 'silver' } });
  });

  it('tiers follow points earned, not the balance: spending does not cost the tier', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 100_000 });
    await p.spend(id, 1000);
    await p.tick();
    expect(await p.balance(id)).toMatchObject({ available: 0, tier: 'silver' });
  });
});
