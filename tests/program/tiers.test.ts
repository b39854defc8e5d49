/**
 * Tiers: thresholds on points earned in a rolling window (or lifetime); upgrade at once;
 * downgrade none / at the end of the period / N days after falling below; a tier set by hand is
 * a floor. Time moves by the injected clock and the scheduler's tick, never by sleeping.
 */
import { describe, expect, it } from 'vitest';
import { hubHarness, json } from '../helpers/test-hub.js';
import { DAY, T0, programHarness, type ProgramHarness } from './program-harness.js';

function tierProgram(downgrade: Record<string, unknown>, basis: Record<string, unknown> = { window: 'rolling', days: 365 }) {
  return {
    tiers: {
      basis,
      downgrade,
      levels: [
        { id: 'bronze', name: 'Bronze', threshold: 0 },
        { id: 'silver', name: 'Silver', threshold: 1000, multiplier: '1.25' },
        { id: 'gold', name: 'Gold', threshold: 5000, multiplier: '1.5' },
      ],
    },
    rules: [{ id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } }],
  };
}

const tierOf = async (p: ProgramHarness, id: string) => (await p.balance(id)).tier;
const changes = async (p: ProgramHarness, id: string) =>
  [...(await p.loyaltyEvents('tier.upgraded', id)), ...(await p.loyaltyEvents('tier.downgraded', id))]
    .sort((a, b) => a.occurredAt - b.occurredAt)
    .map((e) => `${e.type} ${(e.data.previousTier as { id: string }).id}→${(e.data.tier as { id: string }).id}`);

describe('downgrade: none', () => {
  const p = programHarness(tierProgram({ mode: 'none' }));

  it('upgrades at once, straight to the highest tier reached, with one event', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 600_000 });
    expect(await tierOf(p, id)).toBe('gold');
    expect(await changes(p, id)).toEqual(['tier.upgraded bronze→gold']);
  });

  it('keeps the tier when the points age out of the window', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 100_000 });
    p.clock.set(T0 + 400 * DAY);
    await p.tick();
    expect(await tierOf(p, id)).toBe('silver');
    expect((await p.order(id, { amount: 10_000 })).points).toBe(125);
    expect(await changes(p, id)).toEqual(['tier.upgraded bronze→silver']);
  });

  it('counts points earned net of refunds', async () => {
    const id = await p.enroll();
    await p.order(id, { id: 'o-1', amount: 90_000 });
    await p.refund(id, 'o-1', { amount: 40_000 });
    await p.order(id, { amount: 40_000 });
    // 900 − 400 + 400 = 900: still Bronze (1,300 if the refund were not counted).
    expect(await tierOf(p, id)).toBe('bronze');
    await p.order(id, { amount: 10_000 });
    expect(await tierOf(p, id)).toBe('silver');
  });
});

describe('downgrade: at the end of the period', () => {
  const p = programHarness(tierProgram({ mode: 'period_end', period: 'month' }));

  it('a member who fell below keeps the tier until the end of that month', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 100_000 }); // Silver on 2 March 2026
    p.clock.set(Date.parse('2027-03-05T12:00:00Z')); // the 1,000 points have left the window
    await p.tick();
    expect(await tierOf(p, id)).toBe('silver');
    p.clock.set(Date.parse('2027-03-31T23:59:59.998Z'));
    await p.tick();
    expect(await tierOf(p, id)).toBe('silver');
    p.clock.set(Date.parse('2027-04-01T00:00:00.000Z'));
    await p.tick();
    expect(await tierOf(p, id)).toBe('bronze');
    const [downgraded] = await p.loyaltyEvents('tier.downgraded', id);
    expect(downgraded!.data).toMatchObject({ tier: { id: 'bronze', name: 'Bronze' }, previousTier: { id: 'silver' }, qualifyingPoints: 0 });
  });

  it('earning back to the threshold before then cancels the downgrade', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 100_000 });
    p.clock.set(Date.parse('2027-03-05T12:00:00Z'));
    await p.tick();
    p.clock.set(Date.parse('2027-03-10T12:00:00Z'));
    await p.order(id, { amount: 80_000 }); // Silver earns ×1.25: 1,000
    p.clock.set(Date.parse('2027-04-01T00:00:00Z'));
    await p.tick();
    expect(await tierOf(p, id)).toBe('silver');
    expect(await changes(p, id)).toEqual(['tier.upgraded bronze→silver']);
  });
});

describe('downgrade: N days after falling below', () => {
  const p = programHarness(tierProgram({ mode: 'after_days', days: 30 }));

  it('keeps the tier 30 days after the member fell below, then steps down', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 100_000 });
    p.clock.set(T0 + 366 * DAY);
    await p.tick();
    expect(await tierOf(p, id)).toBe('silver');
    p.clock.set(T0 + 396 * DAY - 1);
    await p.tick();
    expect(await tierOf(p, id)).toBe('silver');
    p.clock.set(T0 + 396 * DAY);
    await p.tick();
    expect(await tierOf(p, id)).toBe('bronze');
    expect(await changes(p, id)).toEqual(['tier.upgraded bronze→silver', 'tier.downgraded silver→bronze']);
  });

  it('steps down only as far as the points in the window still reach', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 500_000 }); // Gold
    p.clock.set(T0 + 200 * DAY);
    await p.order(id, { amount: 80_000 }); // ×1.5: 1,200 points, Silver's worth
    p.clock.set(T0 + 366 * DAY);
    await p.tick();
    p.clock.set(T0 + 396 * DAY);
    await p.tick();
    expect(await tierOf(p, id)).toBe('silver');
    expect(await changes(p, id)).toEqual(['tier.upgraded bronze→gold', 'tier.downgraded gold→silver']);
  });
});

describe('a tier set by hand is a floor', () => {
  describe('with downgrades after N days', () => {
    const p = programHarness(tierProgram({ mode: 'after_days', days: 30 }));

    it('earns its multiplier, can be risen above by earning, and is where a downgrade stops', async () => {
      const id = await p.enroll();
      await p.setTier(id, 'silver');
      expect(await tierOf(p, id)).toBe('silver');
      expect((await p.order(id, { amount: 400_000 })).points).toBe(5000); // 4,000 × 1.25
      expect(await tierOf(p, id)).toBe('gold');
      // Setting the floor moved the tier held, like an earned move (issue 18, point 9).
      expect(await changes(p, id)).toEqual(['tier.upgraded bronze→silver', 'tier.upgraded silver→gold']);

      p.clock.set(T0 + 366 * DAY);
      await p.tick();
      p.clock.set(T0 + 396 * DAY);
      await p.tick();
      expect(await tierOf(p, id)).toBe('silver');
      expect(await changes(p, id)).toEqual(['tier.upgraded bronze→silver', 'tier.upgraded silver→gold', 'tier.downgraded gold→silver']);
    });
  });

  describe('with no downgrades', () => {
    const p = programHarness(tierProgram({ mode: 'none' }));

    it('removing the manual tier leaves the member on the tier its points earned', async () => {
      const id = await p.enroll();
      await p.setTier(id, 'silver');
      expect((await p.order(id, { amount: 10_000 })).points).toBe(125);
      await p.setTier(id, null);
      expect(await tierOf(p, id)).toBe('bronze');
      expect((await p.order(id, { amount: 10_000 })).points).toBe(100);
      expect(await changes(p, id)).toEqual(['tier.upgraded bronze→silver', 'tier.downgraded silver→bronze']);
    });

    it('a manual tier below the earned one changes nothing', async () => {
      const id = await p.enroll();
      await p.order(id, { amount: 100_000 });
      await p.setTier(id, 'bronze');
      expect(await tierOf(p, id)).toBe('silver');
      expect((await p.order(id, { amount: 10_000 })).points).toBe(125);
      expect(await changes(p, id)).toEqual(['tier.upgraded bronze→silver']);
    });
  });
});

describe('lifetime basis', () => {
  const p = programHarness(tierProgram({ mode: 'after_days', days: 30 }, { window: 'lifetime' }));

  it('counts every point ever earned: no window for them to leave', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 60_000 });
    p.clock.set(T0 + 700 * DAY);
    await p.order(id, { amount: 40_000 });
    expect(await tierOf(p, id)).toBe('silver');
    p.clock.set(T0 + 1400 * DAY);
    await p.tick();
    expect(await tierOf(p, id)).toBe('silver');
  });
});

describe('the way to the next tier, on the balance', () => {
  const p = programHarness(tierProgram({ mode: 'none' }));

  it('says how many points a storefront shows as "N points to Silver", then to Gold, and nothing at the top', async () => {
    const id = await p.enroll();
    expect((await p.balance(id)).nextTier).toEqual({ id: 'silver', name: 'Silver', threshold: 1000, qualifyingPoints: 0, pointsNeeded: 1000 });
    await p.order(id, { amount: 30_000 });
    expect((await p.balance(id)).nextTier).toMatchObject({ id: 'silver', qualifyingPoints: 300, pointsNeeded: 700 });
    await p.order(id, { amount: 70_000 });
    expect(await p.balance(id)).toMatchObject({ tier: 'silver', nextTier: { id: 'gold', threshold: 5000, qualifyingPoints: 1000, pointsNeeded: 4000 } });
    await p.order(id, { amount: 400_000 });
    expect(await p.balance(id)).toMatchObject({ tier: 'gold', nextTier: null });
  });

  it('counts only the points still in the window', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 50_000 });
    expect((await p.balance(id)).nextTier).toMatchObject({ id: 'silver', pointsNeeded: 500 });
    p.clock.set(T0 + 400 * DAY);
    expect((await p.balance(id)).nextTier).toMatchObject({ id: 'silver', qualifyingPoints: 0, pointsNeeded: 1000 });
  });

  it('starts above a manual tier, which is a floor', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 30_000 });
    await p.setTier(id, 'silver');
    expect(await p.balance(id)).toMatchObject({ tier: 'silver', nextTier: { id: 'gold', qualifyingPoints: 300, pointsNeeded: 4700 } });
  });
});

describe('the way to the next tier, in a program without tiers', () => {
  const p = programHarness({ rules: [{ id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } }] });

  it('is null', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 30_000 });
    expect(await p.balance(id)).toMatchObject({ tier: null, nextTier: null, available: 300 });
  });
});

describe('GET /v1/tiers: the tiers a storefront explains', () => {
  describe('the shipped program (SPEC §5)', () => {
    const h = hubHarness();

    it('lists Bronze, Silver ×1.25 and Gold ×1.5 on points of the last 365 days, to any key and to no one without one', async () => {
      const res = await h.call('GET', '/v1/tiers', { scope: 'read' });
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({
        data: [
          { id: 'bronze', name: 'Bronze', threshold: 0, multiplier: null },
          { id: 'silver', name: 'Silver', threshold: 1000, multiplier: '1.25' },
          { id: 'gold', name: 'Gold', threshold: 5000, multiplier: '1.5' },
        ],
        basis: { window: 'rolling', days: 365 },
        downgrade: { mode: 'after_days', days: 0 },
        multiplierAppliesTo: ['order.paid'],
      });
      const anonymous = await h.call('GET', '/v1/tiers', { scope: null });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('a program of its own', () => {
    // Written highest first in the file: answered lowest first, as the tier review ranks them.
    const own = tierProgram({ mode: 'period_end', period: 'quarter' }, { window: 'lifetime' });
    const p = programHarness({ ...own, tiers: { ...own.tiers, levels: [...own.tiers.levels].reverse() } });

    it('answers what the program file says, lowest threshold first', async () => {
      const body = await json<{ data: { id: string }[]; basis: unknown; downgrade: unknown }>(await p.h.call('GET', '/v1/tiers', { scope: 'read' }));
      expect(body.data.map((t) => t.id)).toEqual(['bronze', 'silver', 'gold']);
      expect(body).toMatchObject({ basis: { window: 'lifetime' }, downgrade: { mode: 'period_end', period: 'quarter' } });
    });
  });

  describe('a program without tiers', () => {
    const p = programHarness({ rules: [{ id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } }] });

    it('is an empty list', async () => {
      expect(await json(await p.h.call('GET', '/v1/tiers', { scope: 'read' }))).toEqual({ data: [], basis: null, downgrade: null, multiplierAppliesTo: [] });
    });
  });
});
