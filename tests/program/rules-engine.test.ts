/**
 * The rules engine, one rule kind at a time with small inline programs, through the HTTP API:
 * every condition, every award, the order awards combine in (ORDER OF EVALUATION in
 * core/program/evaluate.ts), limits and caps, velocity holds, pending and expiry — and that
 * `POST /v1/evaluate` says exactly what posting the same event then earns.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY, MINUTE, T0, iso, programHarness, type EventResult, type OrderFacts } from './program-harness.js';

const fixed = (id: string, cond: Record<string, unknown> = {}, points = 1) => ({ id, on: 'order.paid', ...cond, award: { fixed: points } });
const earnLines = (r: EventResult) => r.transactions.filter((t) => t.kind === 'earn').map((t) => [t.ruleId, t.amount]);

describe('conditions', () => {
  // Each rule awards 1 point when its one condition holds; which rules fired says which held.
  const p = programHarness({
    timeZone: 'America/New_York',
    tiers: {
      basis: { window: 'lifetime' },
      multiplierAppliesTo: [],
      levels: [
        { id: 'bronze', name: 'Bronze', threshold: 0 },
        { id: 'silver', name: 'Silver', threshold: 1_000_000 },
      ],
    },
    rules: [
      fixed('channel', { if: { channel: ['pos'] } }),
      fixed('location', { if: { location: ['store-7'] } }),
      fixed('sku', { if: { sku: ['SKU-A'] } }),
      fixed('category', { if: { category: ['shoes'] } }),
      fixed('min-amount', { if: { minAmount: { amount: '50.00', currency: 'USD' } } }),
      fixed('currency', { if: { currency: ['EUR'] } }),
      fixed('tier', { if: { tier: ['silver'] } }),
      fixed('segment', { if: { segment: ['vip'] } }),
      fixed('any-code', { if: { discountCode: true } }),
      fixed('no-code', { if: { discountCode: false } }),
      fixed('spring-code', { if: { discountCode: ['SPRING'] } }),
      fixed('weekend', { if: { days: ['sat', 'sun'] } }),
      fixed('late-night', { if: { hours: { from: '22:00', to: '02:00' } } }),
      fixed('march', { if: { dates: { from: '2026-03-01', to: '2026-03-31' } } }),
      fixed('from-api', { if: { source: ['api'] } }),
      fixed('from-shopify', { if: { source: ['shopify'] } }),
      fixed('spring-campaign', { when: "order.amount >= 10000 && attributes.campaign == 'spring'" }),
      fixed('vip-attribute', { when: 'member.attributes.vip == true' }),
    ],
  });

  const BASE: OrderFacts = { amount: 1000, channel: 'online', lineItems: [{ sku: 'SKU-B', category: 'hats', quantity: 1, unitPrice: 1000, total: 1000 }] };
  /** Monday 2 March 2026, 10:00 in New York. */
  const MONDAY_MORNING = '2026-03-02T15:00:00.000Z';

  async function fired(order: Partial<OrderFacts> = {}, extra: Record<string, unknown> = {}, memberId?: string): Promise<string[]> {
    const id = memberId ?? (await p.enroll());
    const result = await p.order(id, { ...BASE, ...order }, { occurredAt: MONDAY_MORNING, ...extra });
    return result.transactions.map((t) => t.ruleId!).sort();
  }

  it('a plain order meets only the conditions it should', async () => {
    expect(await fired()).toEqual(['from-api', 'march', 'no-code']);
  });

  it('channel', async () => {
    expect(await fired({ channel: 'pos' })).toContain('channel');
    expect(await fired({ channel: 'online' })).not.toContain('channel');
  });

  it('location', async () => {
    expect(await fired({ location: 'store-7' })).toContain('location');
    expect(await fired({ location: 'store-8' })).not.toContain('location');
    expect(await fired()).not.toContain('location');
  });

  it('sku and category: some line of the order has one', async () => {
    const lines = [
      { sku: 'SKU-B', category: 'hats', quantity: 1, unitPrice: 500, total: 500 },
      { sku: 'SKU-A', category: 'shoes', quantity: 1, unitPrice: 500, total: 500 },
    ];
    expect(await fired({ lineItems: lines })).toEqual(expect.arrayContaining(['sku', 'category']));
    const neither = await fired({ lineItems: [{ sku: 'SKU-AA', category: 'shoe', quantity: 1, unitPrice: 1000, total: 1000 }] });
    expect(neither).not.toContain('sku');
    expect(neither).not.toContain('category');
  });

  it('minimum amount, in its own currency only', async () => {
    expect(await fired({ amount: 5000 })).toContain('min-amount');
    expect(await fired({ amount: 4999 })).not.toContain('min-amount');
    expect(await fired({ amount: 1_000_000, currency: 'EUR' })).not.toContain('min-amount');
    const preview = await p.evaluate(p.orderEvent({ email: 'x@example.com' }, { ...BASE, amount: 1_000_000, currency: 'EUR' }));
    expect(preview.skipped).toContainEqual({ ruleId: 'min-amount', reason: 'minimum amount is in USD, the order is in EUR' });
  });

  it('currency (any case in the event)', async () => {
    expect(await fired({ currency: 'eur' })).toContain('currency');
    expect(await fired({ currency: 'USD' })).not.toContain('currency');
  });

  it('member tier', async () => {
    const id = await p.enroll();
    expect(await fired({}, {}, id)).not.toContain('tier');
    await p.setTier(id, 'silver');
    expect(await fired({}, {}, id)).toContain('tier');
  });

  it('segment, managed through /v1/segments', async () => {
    const id = await p.enroll();
    const other = await p.enroll();
    expect((await p.h.call('POST', '/v1/segments', { body: { id: 'vip', name: 'VIP customers' } })).status).toBe(201);
    expect(await fired({}, {}, id)).not.toContain('segment');
    const added = await p.h.call('POST', '/v1/segments/vip/members', { body: { add: [id] } });
    expect(await added.json()).toEqual({ added: 1, removed: 0 });
    expect(await fired({}, {}, id)).toContain('segment');
    expect(await fired({}, {}, other)).not.toContain('segment');
    await p.h.call('POST', '/v1/segments/vip/members', { body: { remove: [id] } });
    expect(await fired({}, {}, id)).not.toContain('segment');
  });

  it('discount code: any, none, or one of a list (case-insensitive)', async () => {
    const none = await fired({ discountCodes: [] });
    expect(none).toContain('no-code');
    expect(none).not.toContain('any-code');
    expect(none).not.toContain('spring-code');
    expect(await fired({ discountCodes: ['spring'] })).toEqual(expect.arrayContaining(['any-code', 'spring-code']));
    const other = await fired({ discountCodes: ['WINTER'] });
    expect(other).toContain('any-code');
    expect(other).not.toContain('spring-code');
    expect(other).not.toContain('no-code');
  });

  it('days of the week, in the program time zone', async () => {
    expect(await fired({}, { occurredAt: '2026-03-07T15:00:00.000Z' })).toContain('weekend'); // Saturday 10:00 in New York
    // Saturday 02:00 UTC is still Friday 21:00 in New York.
    expect(await fired({}, { occurredAt: '2026-03-07T02:00:00.000Z' })).not.toContain('weekend');
    expect(await fired({}, { occurredAt: '2026-03-09T03:30:00.000Z' })).toContain('weekend'); // Sunday 23:30 EDT
    expect(await fired({}, { occurredAt: '2026-03-09T04:30:00.000Z' })).not.toContain('weekend'); // Monday 00:30 EDT
  });

  it('a time-of-day window that wraps midnight (22:00–02:00 local)', async () => {
    const at = async (utc: string) => (await fired({}, { occurredAt: utc })).includes('late-night');
    expect(await at('2026-03-03T02:59:00.000Z')).toBe(false); // 21:59 EST
    expect(await at('2026-03-03T03:00:00.000Z')).toBe(true); // 22:00
    expect(await at('2026-03-03T05:00:00.000Z')).toBe(true); // 00:00
    expect(await at('2026-03-03T06:59:00.000Z')).toBe(true); // 01:59
    expect(await at('2026-03-03T07:00:00.000Z')).toBe(false); // 02:00
    expect(await at(MONDAY_MORNING)).toBe(false);
  });

  it('a date range, whole local days at both ends', async () => {
    const at = async (utc: string) => (await fired({}, { occurredAt: utc })).includes('march');
    expect(await at('2026-03-01T04:59:00.000Z')).toBe(false); // 28 Feb 23:59 EST
    expect(await at('2026-03-01T05:00:00.000Z')).toBe(true); // 1 Mar 00:00 EST
    expect(await at('2026-04-01T03:59:00.000Z')).toBe(true); // 31 Mar 23:59 EDT
    expect(await at('2026-04-01T04:00:00.000Z')).toBe(false); // 1 Apr 00:00 EDT
  });

  it('source', async () => {
    const ids = await fired();
    expect(ids).toContain('from-api');
    expect(ids).not.toContain('from-shopify');
  });

  it('a `when` expression over the order, the event attributes and the member', async () => {
    expect(await fired({ amount: 10_000 }, { attributes: { campaign: 'spring' } })).toContain('spring-campaign');
    expect(await fired({ amount: 9_999 }, { attributes: { campaign: 'spring' } })).not.toContain('spring-campaign');
    expect(await fired({ amount: 10_000 }, { attributes: { campaign: 'autumn' } })).not.toContain('spring-campaign');
    expect(await fired({ amount: 10_000 })).not.toContain('spring-campaign');

    const vip = await p.enroll('vip@example.com', { attributes: { vip: true } });
    expect(await fired({}, {}, vip)).toContain('vip-attribute');
    expect(await fired()).not.toContain('vip-attribute');
  });

  it('POST /v1/evaluate says which condition failed, rule by rule', async () => {
    const preview = await p.evaluate(p.orderEvent({ email: 'x@example.com' }, { ...BASE, channel: 'web' }, { occurredAt: MONDAY_MORNING }));
    expect(preview.skipped).toEqual(
      expect.arrayContaining([
        { ruleId: 'channel', reason: 'channel is web, not pos' },
        { ruleId: 'tier', reason: 'member tier is bronze, not silver' },
        { ruleId: 'weekend', reason: 'it is mon, not sat or sun' },
        { ruleId: 'late-night', reason: 'local time 10:00 is outside 22:00–02:00' },
      ]),
    );
    expect(preview.lines.map((l) => l.ruleId).sort()).toEqual(['from-api', 'march', 'no-code']);
  });
});

describe('awards: points per currency unit and their rounding', () => {
  const p = programHarness({
    rules: [
      { id: 'down', on: 'order.paid', if: { channel: ['down'] }, award: { perCurrencyUnit: '0.5', rounding: 'down' } },
      { id: 'nearest', on: 'order.paid', if: { channel: ['nearest'] }, award: { perCurrencyUnit: '0.5', rounding: 'nearest' } },
      { id: 'up', on: 'order.paid', if: { channel: ['up'] }, award: { perCurrencyUnit: '0.5', rounding: 'up' } },
      { id: 'per-100-yen', on: 'order.paid', if: { currency: ['JPY'] }, award: { perCurrencyUnit: '0.01' } },
    ],
  });

  it.each([
    // amount (cents) → ×0.5 → down / nearest / up
    [1000, [5, 5, 5]], // 5.0
    [1099, [5, 5, 6]], // 5.495
    [1100, [5, 6, 6]], // 5.5: nearest rounds a half up
    [1199, [5, 6, 6]], // 5.995
    [99, [0, 0, 1]], // 0.495
    [199, [0, 1, 1]], // 0.995
  ])('%i cents', async (amount, expected) => {
    const id = await p.enroll();
    const got = [];
    for (const channel of ['down', 'nearest', 'up']) got.push((await p.order(id, { amount, channel })).points);
    expect(got).toEqual(expected);
  });

  it('a fractional rate in a currency without minor units (1 point per 100 JPY)', async () => {
    const id = await p.enroll();
    expect((await p.order(id, { amount: 12_345, currency: 'JPY' })).points).toBe(123);
  });

  it('an award of 0 points posts nothing', async () => {
    const id = await p.enroll();
    const result = await p.order(id, { amount: 99, channel: 'down' });
    expect(result).toMatchObject({ status: 'accepted', points: 0, transactions: [] });
    expect(await p.balance(id)).toMatchObject({ available: 0, lifetimeEarned: 0 });
  });
});

describe('awards: line items', () => {
  const p = programHarness({
    rules: [
      { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 2 } },
      { id: 'triple-sku-a', on: 'order.paid', award: { lineItems: { sku: ['SKU-A'], multiplier: 3 } } },
      { id: 'shoes-per-pair', on: 'order.paid', award: { lineItems: { category: ['shoes'], pointsPerItem: 10 } } },
    ],
  });
  const basket = [
    { sku: 'SKU-A', category: 'hats', quantity: 2, unitPrice: 1000, total: 2000 },
    { sku: 'SKU-B', category: 'hats', quantity: 1, unitPrice: 3000, total: 3000 },
    { sku: 'SKU-C', category: 'shoes', quantity: 3, unitPrice: 1500, total: 4500 },
  ];

  it('3× on a SKU: its lines earn three times the rate; points per item on a category', async () => {
    const id = await p.enroll();
    const result = await p.order(id, { amount: 9500, lineItems: basket });
    // 95.00 × 2 = 190; SKU-A's 20.00 earns 2 × 20 × (3 − 1) = 80 more; 3 pairs of shoes × 10.
    expect(earnLines(result)).toEqual([
      ['base', 190],
      ['triple-sku-a', 80],
      ['shoes-per-pair', 30],
    ]);
    expect(result.points).toBe(300);
  });

  it('a basket without those lines earns the base only', async () => {
    const id = await p.enroll();
    const result = await p.order(id, { amount: 3000, lineItems: [basket[1]!] });
    expect(earnLines(result)).toEqual([['base', 60]]);
  });

  it('line awards follow what was paid for the line after discounts', async () => {
    const id = await p.enroll();
    const discounted = { ...basket[0]!, total: 1550 };
    const result = await p.order(id, { amount: 1550, lineItems: [discounted], discountCodes: ['TENOFF'] });
    // 15.50 × 2 = 31, and 15.50 × 2 × 2 = 62 more.
    expect(earnLines(result)).toEqual([
      ['base', 31],
      ['triple-sku-a', 62],
    ]);
  });
});

describe('an event that earns nothing says why', () => {
  const p = programHarness({ rules: [{ id: 'reviews', on: 'review.posted', if: { source: ['shopify'] }, award: { fixed: 20 } }] });

  it('names the rules that did not apply and why, or that no rule is on the trigger', async () => {
    const id = await p.enroll();
    expect(await p.activity(id, 'review.posted')).toMatchObject({ points: 0, detail: 'no points: rule reviews: source is api, not shopify' });
    expect(await p.activity(id, 'newsletter.opened')).toMatchObject({ points: 0, detail: 'no points: no rule of the program is on newsletter.opened' });
  });
});

describe('awards: the points a trigger carries (attribute)', () => {
  const p = programHarness({
    rules: [
      { id: 'journey', on: 'journey.activity', award: { attribute: { name: 'points', max: 500 } } },
      { id: 'journey-double', on: 'journey.activity', if: { source: ['api'] }, when: "attributes.campaign == 'double'", award: { multiplier: 2 } },
    ],
  });

  it('awards what the trigger carries, up to max, and promotions multiply it like any award', async () => {
    const id = await p.enroll();
    expect(earnLines(await p.activity(id, 'journey.activity', { attributes: { points: 150 } }))).toEqual([['journey', 150]]);
    expect(earnLines(await p.activity(id, 'journey.activity', { attributes: { points: 500, campaign: 'double' } }))).toEqual([
      ['journey', 500],
      ['journey-double', 500],
    ]);
    expect((await p.balance(id)).available).toBe(1150);
  });

  it('earns nothing, saying why, for points above max, a fraction, a text or none at all', async () => {
    const id = await p.enroll();
    for (const [attributes, reason] of [
      [{ points: 501 }, 'attributes.points is 501, more than the rule\'s max 500'],
      [{ points: 12.5 }, 'attributes.points is not a whole number of points (12.5)'],
      [{ points: '150' }, 'attributes.points is not a whole number of points ("150")'],
      [{}, 'attributes.points is not given'],
    ] as const) {
      // The answer says why, as support would read it out.
      expect(await p.activity(id, 'journey.activity', { attributes })).toMatchObject({ status: 'accepted', points: 0, detail: expect.stringContaining(`rule journey: ${reason}`) });
      const evaluation = await p.evaluate({ type: 'activity', name: 'journey.activity', customer: { memberId: id }, attributes });
      expect(evaluation.skipped).toContainEqual({ ruleId: 'journey', reason });
    }
    expect((await p.balance(id)).available).toBe(0);
  });
});

describe('awards: multipliers stack in order, the tier last, rounded down once', () => {
  const p = programHarness({
    tiers: {
      basis: { window: 'lifetime' },
      levels: [
        { id: 'bronze', name: 'Bronze', threshold: 0 },
        { id: 'silver', name: 'Silver', threshold: 1_000_000, multiplier: '1.25' },
      ],
    },
    rules: [
      // Written before the base rule on purpose: multipliers apply to the sum of the additive awards wherever they are.
      { id: 'double', on: 'order.paid', if: { channel: ['online'] }, award: { multiplier: 2 } },
      { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } },
      { id: 'half-again', on: 'order.paid', award: { multiplier: '1.5' } },
      { id: 'review', on: 'review.posted', award: { fixed: 20 } },
      { id: 'review-double', on: 'review.posted', award: { multiplier: 2 } },
    ],
  });

  it('×2 then ×1.5 is ×3, each promotion on its own line', async () => {
    const id = await p.enroll();
    const result = await p.order(id, { amount: 10_000 });
    expect(earnLines(result)).toEqual([
      ['base', 100],
      ['double', 100],
      ['half-again', 100],
    ]);
    expect(result.points).toBe(300);
  });

  it("the member's tier multiplier comes last, on top of the promotions", async () => {
    const id = await p.enroll();
    await p.setTier(id, 'silver');
    const result = await p.order(id, { amount: 10_000 });
    // 100 × 2 × 1.5 = 300, × 1.25 = 375: the tier's line adds 75 (it would add 25 if it came first).
    expect(earnLines(result)).toEqual([
      ['base', 100],
      ['double', 100],
      ['half-again', 100],
      ['tier:silver', 75],
    ]);
  });

  it('rounds down once over all multipliers, not after each', async () => {
    const id = await p.enroll();
    await p.setTier(id, 'silver');
    // 101 × 1.5 × 1.25 = 189.375 → 189 (rounding after each step would give 151 → 188).
    const result = await p.order(id, { amount: 10_100, channel: 'pos' });
    expect(earnLines(result)).toEqual([
      ['base', 101],
      ['half-again', 50],
      ['tier:silver', 38],
    ]);
    expect(result.points).toBe(189);
  });

  it('promotions multiply activities too; the tier multiplier only the triggers it is configured for', async () => {
    const id = await p.enroll();
    await p.setTier(id, 'silver');
    const result = await p.activity(id, 'review.posted');
    expect(earnLines(result)).toEqual([
      ['review', 20],
      ['review-double', 20],
    ]);
  });

  it('POST /v1/evaluate for someone not enrolled uses the tier asked for', async () => {
    const bronze = await p.evaluate(p.orderEvent({ email: 'new@example.com' }, { amount: 10_000 }));
    const silver = await p.evaluate(p.orderEvent({ email: 'new@example.com' }, { amount: 10_000 }), 'silver');
    expect([bronze.tier, bronze.total]).toEqual(['bronze', 300]);
    expect([silver.tier, silver.total]).toEqual(['silver', 375]);
  });
});

describe('stop: true ends the chain', () => {
  const p = programHarness({
    rules: [
      { id: 'staff', on: 'order.paid', if: { channel: ['staff'] }, award: { fixed: 5 }, stop: true },
      { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } },
      { id: 'double-online', on: 'order.paid', if: { channel: ['online'] }, award: { multiplier: 2 }, stop: true },
      { id: 'triple', on: 'order.paid', award: { multiplier: 3 } },
    ],
  });

  it('a matching stop rule skips every later rule', async () => {
    const id = await p.enroll();
    const result = await p.order(id, { amount: 10_000, channel: 'staff' });
    expect(earnLines(result)).toEqual([['staff', 5]]);
    const preview = await p.evaluate(p.orderEvent(id, { amount: 10_000, channel: 'staff' }));
    expect(preview.skipped).toEqual([
      { ruleId: 'base', reason: 'rule staff stops the chain' },
      { ruleId: 'double-online', reason: 'rule staff stops the chain' },
      { ruleId: 'triple', reason: 'rule staff stops the chain' },
    ]);
  });

  it('a stop rule that does not match stops nothing; a promotion can stop later promotions', async () => {
    const id = await p.enroll();
    expect(earnLines(await p.order(id, { amount: 10_000, channel: 'online' }))).toEqual([
      ['base', 100],
      ['double-online', 100],
    ]);
    expect(earnLines(await p.order(id, { amount: 10_000, channel: 'pos' }))).toEqual([
      ['base', 100],
      ['triple', 200],
    ]);
  });
});

describe('per-rule limits', () => {
  const p = programHarness({
    rules: [
      { id: 'login', on: 'login', award: { fixed: 5 }, limit: { perMember: { count: 1, per: 'day' } } },
      { id: 'share', on: 'share', award: { fixed: 10 }, limit: { perMember: { count: 2, per: 'ever' } } },
      { id: 'quiz', on: 'quiz', award: { fixed: 3 }, limit: { perMember: { count: 1, per: 'week' } } },
      { id: 'launch', on: 'launch.bonus', award: { fixed: 100 }, limit: { budget: 250 } },
      { id: 'capped-order', on: 'order.paid', award: { perCurrencyUnit: 1 }, limit: { perEvent: 500 } },
    ],
  });

  it('once a day per member, announced by limit.reached when refused', async () => {
    const id = await p.enroll();
    const other = await p.enroll();
    expect((await p.activity(id, 'login')).points).toBe(5);
    p.clock.set(Date.parse('2026-03-02T23:59:59Z'));
    expect((await p.activity(id, 'login')).points).toBe(0);
    expect((await p.activity(other, 'login')).points).toBe(5);
    expect((await p.loyaltyEvents('limit.reached', id)).map((e) => e.data)).toEqual([
      expect.objectContaining({ limit: 'rule login limit.perMember (1 per day)', ruleId: 'login', awarded: 0, trigger: 'login' }),
    ]);
    p.clock.set(Date.parse('2026-03-03T00:00:00Z'));
    expect((await p.activity(id, 'login')).points).toBe(5);
    expect((await p.balance(id)).available).toBe(10);
  });

  it('twice ever per member', async () => {
    const id = await p.enroll();
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await p.activity(id, 'share')).points);
    p.clock.advance(400 * DAY);
    got.push((await p.activity(id, 'share')).points);
    expect(got).toEqual([10, 10, 0, 0]);
  });

  it('once a week, weeks starting on Monday', async () => {
    const id = await p.enroll();
    expect((await p.activity(id, 'quiz')).points).toBe(3); // Monday 2 March
    p.clock.set(Date.parse('2026-03-08T23:59:00Z')); // Sunday
    expect((await p.activity(id, 'quiz')).points).toBe(0);
    p.clock.set(Date.parse('2026-03-09T00:00:00Z')); // Monday
    expect((await p.activity(id, 'quiz')).points).toBe(3);
  });

  it('a budget across all members: the award that crosses it is cut, and the line says so', async () => {
    const got = [];
    const results = [];
    for (let i = 0; i < 4; i++) {
      const r = await p.activity(await p.enroll(), 'launch.bonus');
      results.push(r);
      got.push(r.points);
    }
    expect(got).toEqual([100, 100, 50, 0]);
    expect(results[2]!.transactions[0]).toMatchObject({ amount: 50, metadata: { uncapped: 100, cappedBy: ['rule launch limit.budget (250)'] } });
    const limits = await p.loyaltyEvents('limit.reached');
    expect(limits.map((e) => [e.data.requested, e.data.awarded])).toEqual([
      [100, 50],
      [100, 0],
    ]);
  });

  it('at most N points from a rule for one event', async () => {
    const id = await p.enroll();
    const result = await p.order(id, { amount: 100_000 });
    expect(result.points).toBe(500);
    expect(result.transactions[0]).toMatchObject({ metadata: { uncapped: 1000, cappedBy: ['rule capped-order limit.perEvent (500)'] } });
    expect((await p.order(id, { amount: 40_000 })).points).toBe(400);
  });
});

describe('program caps', () => {
  const base = { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } };

  describe('per event', () => {
    const p = programHarness({ limits: { perEvent: 300 }, rules: [base, { id: 'double', on: 'order.paid', award: { multiplier: 2 } }] });
    it('cuts each event, line by line in the order of evaluation', async () => {
      const id = await p.enroll();
      const result = await p.order(id, { amount: 20_000 });
      expect(earnLines(result)).toEqual([
        ['base', 200],
        ['double', 100],
      ]);
      expect(result.transactions[1]!.metadata).toMatchObject({ uncapped: 200, cappedBy: ['limits.perEvent (300)'] });
      expect((await p.order(id, { amount: 20_000 })).points).toBe(300);
      expect((await p.loyaltyEvents('limit.reached', id)).map((e) => e.data.limit)).toEqual(['limits.perEvent (300)', 'limits.perEvent (300)']);
    });
  });

  describe('per member per day', () => {
    const p = programHarness({ limits: { perMember: { day: 500 } }, rules: [base] });
    it('counts every event of the local day', async () => {
      const id = await p.enroll();
      const got = [(await p.order(id, { amount: 30_000 })).points, (await p.order(id, { amount: 30_000 })).points, (await p.order(id, { amount: 30_000 })).points];
      expect(got).toEqual([300, 200, 0]);
      p.clock.set(Date.parse('2026-03-03T00:00:00Z'));
      expect((await p.order(id, { amount: 30_000 })).points).toBe(300);
    });
  });

  describe('per member per week', () => {
    const p = programHarness({ limits: { perMember: { week: 1000 } }, rules: [base] });
    it('counts Monday to Sunday', async () => {
      const id = await p.enroll();
      const got = [];
      for (const day of ['2026-03-02', '2026-03-04', '2026-03-06', '2026-03-08']) {
        p.clock.set(Date.parse(`${day}T12:00:00Z`));
        got.push((await p.order(id, { amount: 40_000 })).points);
      }
      p.clock.set(Date.parse('2026-03-09T12:00:00Z'));
      got.push((await p.order(id, { amount: 40_000 })).points);
      expect(got).toEqual([400, 400, 200, 0, 400]);
    });
  });

  describe('per member per month', () => {
    const p = programHarness({ limits: { perMember: { month: 1000 } }, rules: [base] });
    it('counts the calendar month', async () => {
      const id = await p.enroll();
      const got = [];
      for (const at of ['2026-03-02T12:00:00Z', '2026-03-15T12:00:00Z', '2026-03-31T23:59:00Z', '2026-04-01T00:00:00Z']) {
        p.clock.set(Date.parse(at));
        got.push((await p.order(id, { amount: 40_000 })).points);
      }
      expect(got).toEqual([400, 400, 200, 400]);
      expect((await p.loyaltyEvents('limit.reached', id)).map((e) => e.data)).toEqual([
        expect.objectContaining({ limit: 'limits.perMember.month (1000)', requested: 400, awarded: 200 }),
      ]);
    });
  });
});

describe('fraud: velocity', () => {
  const p = programHarness({
    fraud: { velocity: { events: 3, minutes: 10, holdDays: 7 } },
    rules: [{ id: 'review', on: 'review.posted', award: { fixed: 25 } }],
  });

  it('the Nth earning event within M minutes is held pending review and fraud.flagged is emitted', async () => {
    const id = await p.enroll();
    await p.activity(id, 'review.posted');
    p.clock.advance(4 * MINUTE);
    await p.activity(id, 'review.posted');
    p.clock.advance(5 * MINUTE);
    const heldAt = p.clock();
    const third = await p.activity(id, 'review.posted');
    expect(third.transactions[0]).toMatchObject({ amount: 25, effect: { pending: 25 }, metadata: { heldForReview: expect.stringContaining('3 earning events within 10 minutes') } });
    expect(await p.balance(id)).toMatchObject({ available: 50, pending: 25 });
    expect((await p.loyaltyEvents('fraud.flagged', id)).map((e) => e.data)).toEqual([
      expect.objectContaining({ ruleId: 'fraud.velocity', points: 25, heldUntil: iso(heldAt + 7 * DAY), eventId: third.eventId }),
    ]);

    // Held for review: the hold's time passing does not release them (tests/program/fraud-holds.test.ts).
    p.clock.set(heldAt + 7 * DAY);
    expect((await p.tick()).activated).toBe(0);
    expect(await p.balance(id)).toMatchObject({ available: 50, pending: 25 });
  });

  it('the same number of events spread wider than the window is not held', async () => {
    const id = await p.enroll();
    for (let i = 0; i < 3; i++) {
      await p.activity(id, 'review.posted');
      p.clock.advance(6 * MINUTE);
    }
    expect(await p.balance(id)).toMatchObject({ available: 75, pending: 0 });
    expect(await p.loyaltyEvents('fraud.flagged')).toEqual([]);
  });
});

describe('pending days, then active, then expiry counted from activation', () => {
  const p = programHarness({
    defaults: { pendingDays: 14, expiry: { afterDays: 30 } },
    rules: [
      { id: 'order', on: 'order.paid', award: { perCurrencyUnit: 1 } },
      { id: 'review', on: 'review.posted', award: { fixed: 25 }, pendingDays: 0, expiry: 'never' },
    ],
  });

  it('holds order points for the returns window, activates them with points.activated, expires them later', async () => {
    const id = await p.enroll();
    const order = await p.order(id, { amount: 10_000 });
    expect(order.transactions[0]).toMatchObject({ effect: { pending: 100 } });
    expect((await p.loyaltyEvents('points.pending', id)).map((e) => e.data.points)).toEqual([100]);
    await p.activity(id, 'review.posted'); // a rule's own pendingDays: 0 overrides the default
    expect(await p.balance(id)).toMatchObject({ available: 25, pending: 100, lifetimeEarned: 25 });

    p.clock.set(T0 + 14 * DAY - 1);
    expect((await p.tick()).activated).toBe(0);
    p.clock.set(T0 + 14 * DAY);
    expect((await p.tick()).activated).toBe(1);
    expect((await p.loyaltyEvents('points.activated', id)).map((e) => e.data.points)).toEqual([100]);
    const balance = await p.balance(id);
    expect(balance).toMatchObject({ available: 125, pending: 0, lifetimeEarned: 125 });
    expect(balance.expiring).toEqual([{ points: 100, expiresAt: iso(T0 + 44 * DAY) }]);

    p.clock.set(T0 + 44 * DAY);
    expect((await p.tick()).expired).toBe(1);
    expect(await p.balance(id)).toMatchObject({ available: 25, expired: 100 });
  });
});

describe('expiry at the end of a month, a year, or on a date, in the program time zone', () => {
  const p = programHarness({
    timeZone: 'America/New_York',
    rules: [
      { id: 'monthly', on: 'a.month', award: { fixed: 1 }, expiry: { endOf: 'month' } },
      { id: 'yearly', on: 'a.year', award: { fixed: 10 }, expiry: { endOf: 'year' } },
      { id: 'dated', on: 'a.date', award: { fixed: 100 }, expiry: { on: '2026-06-30' } },
      { id: 'forever', on: 'a.never', award: { fixed: 1000 } },
    ],
  });

  it('puts each batch at the last instant of its local period and expires it then', async () => {
    const id = await p.enroll();
    for (const name of ['a.month', 'a.year', 'a.date', 'a.never']) await p.activity(id, name);
    // New York is on EDT (UTC−4) from 8 March, EST (UTC−5) in winter.
    const endOfMarch = Date.parse('2026-04-01T03:59:59.999Z');
    expect((await p.balance(id)).expiring).toEqual([
      { points: 1, expiresAt: iso(endOfMarch) },
      { points: 100, expiresAt: '2026-07-01T03:59:59.999Z' },
      { points: 10, expiresAt: '2027-01-01T04:59:59.999Z' },
    ]);
    p.clock.set(endOfMarch - 1);
    expect((await p.tick()).expired).toBe(0);
    p.clock.set(endOfMarch);
    expect((await p.tick()).expired).toBe(1);
    p.clock.set(Date.parse('2027-01-01T05:00:00Z'));
    await p.tick();
    expect(await p.balance(id)).toMatchObject({ available: 1000, expired: 111, expiring: [] });
  });
});

describe('POST /v1/evaluate cannot disagree with earning', () => {
  const p = programHarness({
    tiers: {
      basis: { window: 'lifetime' },
      levels: [
        { id: 'bronze', name: 'Bronze', threshold: 0 },
        { id: 'silver', name: 'Silver', threshold: 2000, multiplier: '1.25' },
        { id: 'gold', name: 'Gold', threshold: 6000, multiplier: '1.5' },
      ],
    },
    limits: { perEvent: 4000, perMember: { day: 9000 } },
    rules: [
      { id: 'first-order', on: 'order.paid', award: { fixed: 100 }, limit: { perMember: { count: 1, per: 'ever' } } },
      { id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } },
      { id: 'triple-a', on: 'order.paid', award: { lineItems: { sku: ['SKU-A'], multiplier: 3 } } },
      { id: 'shoes', on: 'order.paid', award: { lineItems: { category: ['shoes'], pointsPerItem: 7 } } },
      { id: 'big-basket', on: 'order.paid', if: { minAmount: { amount: '100.00', currency: 'USD' } }, award: { fixed: 50 } },
      { id: 'launch', on: 'order.paid', if: { channel: ['pos'] }, award: { fixed: 30 }, limit: { budget: 400 } },
      { id: 'spring', on: 'order.paid', if: { discountCode: ['SPRING'] }, award: { multiplier: 2 } },
      { id: 'pos-bonus', on: 'order.paid', if: { channel: ['pos'] }, award: { multiplier: '1.5' }, pendingDays: 3 },
      { id: 'staff', on: 'order.paid', if: { discountCode: ['STAFF'] }, award: { fixed: 1 }, stop: true },
      { id: 'after-staff', on: 'order.paid', award: { fixed: 2 } },
    ],
  });

  async function evaluateThenEarn(memberId: string, order: OrderFacts) {
    const event = p.orderEvent(memberId, order);
    const before = await p.balance(memberId);
    const preview = await p.evaluate(event);
    expect(await p.balance(memberId)).toEqual(before); // nothing posted
    const posted = await p.post(event);
    expect(posted.status).toBe('accepted');
    const lines = preview.lines.filter((l) => l.points > 0);
    expect(earnLines(posted)).toEqual(lines.map((l) => [l.ruleId, l.points]));
    expect(posted.points).toBe(preview.total);
    for (const [i, t] of posted.transactions.entries()) {
      // What the preview said would be pending is pending.
      expect(t.effect.pending !== undefined).toBe(Date.parse(lines[i]!.activatesAt) > p.clock());
    }
    return { preview, posted };
  }

  it('the same lines and totals, line by line, for a basket touching every award kind', async () => {
    const id = await p.enroll();
    const { preview, posted } = await evaluateThenEarn(id, {
      amount: 15_000,
      channel: 'pos',
      discountCodes: ['SPRING'],
      lineItems: [
        { sku: 'SKU-A', quantity: 1, unitPrice: 5000, total: 5000 },
        { sku: 'SKU-C', category: 'shoes', quantity: 2, unitPrice: 5000, total: 10_000 },
      ],
    });
    expect(preview.lines.map((l) => l.ruleId)).toEqual(['first-order', 'base', 'triple-a', 'shoes', 'big-basket', 'launch', 'after-staff', 'spring', 'pos-bonus']);
    // (100 + 150 + 100 + 14 + 50 + 30 + 2) = 446, × 2 × 1.5 = 1338; pos-bonus's line is pending 3 days.
    expect(posted.points).toBe(1338);
    expect(await p.balance(id)).toMatchObject({ available: 892, pending: 446 });
  });

  // POST /v1/events honours an activity's explicit `points` (a one-rule program, explicitProgram
  // in core/api/trigger-input.ts); the preview must show the same.
  it('an activity posted with explicit points previews those points', async () => {
    const id = await p.enroll();
    const event = { type: 'activity', name: 'goodwill', id: 'gw-1', customer: { memberId: id }, points: 40 };
    const preview = await p.evaluate(event);
    const posted = await p.post(event);
    expect(posted.points).toBe(40);
    expect(preview.total).toBe(posted.points);
  });

  it('a random basket evaluates to exactly what posting it earns (property)', async () => {
    const id = await p.enroll();
    const line = fc.record({
      sku: fc.constantFrom('SKU-A', 'SKU-B', 'SKU-C'),
      category: fc.constantFrom('shoes', 'hats', undefined),
      quantity: fc.integer({ min: 1, max: 4 }),
      unitPrice: fc.integer({ min: 0, max: 40_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 5 }),
        fc.constantFrom('USD', 'JPY', 'EUR'),
        fc.constantFrom('online', 'pos'),
        fc.subarray(['SPRING', 'STAFF', 'OTHER']),
        fc.integer({ min: 0, max: 3 * DAY }),
        async (lines, currency, channel, discountCodes, wait) => {
          p.clock.advance(wait);
          const lineItems = lines.map((l) => ({ ...l, category: l.category, total: l.unitPrice * l.quantity }));
          await evaluateThenEarn(id, { amount: lineItems.reduce((n, l) => n + l.total, 0), currency, channel, discountCodes, lineItems });
        },
      ),
      { numRuns: 40 },
    );
  });
});
