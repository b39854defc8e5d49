/**
 * GET /v1/analytics/summary (docs/api.md, "Analytics") against a known history posted through
 * the real paths — orders through POST /v1/events and a signed Shopify webhook, adjustments, a
 * redemption and its reversal, a refund, the scheduler's expiry — over four days of a program in
 * New York time, with two tiers. Every figure is asserted against a model the test keeps of what
 * it posted (plain sums, nothing of the implementation), and the liability against the members'
 * balances.
 */
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { ensureAggregates } from '../../core/analytics/backfill.js';
import type { summarize } from '../../core/analytics/summary.js';
import { parseProgram } from '../../core/program/load-program.js';
import { runStatement } from '../../core/storage/dialect.js';
import { sql } from 'drizzle-orm';
import { hubHarness, json, type HubHarness } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { memberByAlias, sample, type Json } from '../inbound/webhook-helpers.js';

const TZ = 'America/New_York';
const program = parseProgram(
  `name: Analytics test
timeZone: ${TZ}
defaults: { pendingDays: 0, expiry: { afterDays: 2 } }
returnPolicy: within_balance
tiers:
  basis: { window: rolling, days: 365 }
  downgrade: { mode: after_days, days: 0 }
  multiplierAppliesTo: [order.paid]
  levels:
    - { id: bronze, name: Bronze, threshold: 0 }
    - { id: gold, name: Gold, threshold: 1000, multiplier: "1.5" }
rules:
  - id: order-points
    on: order.paid
    award: { perCurrencyUnit: 1, rounding: down }
redemption:
  pointsValue: { points: 100, value: "1.00", currency: USD }
`,
  'analytics-test.yaml',
);

// Local days in New York (UTC−5 in early March 2026): 10:00 or 11:00 there.
const T1 = Date.parse('2026-03-02T15:00:00Z');
const T2 = Date.parse('2026-03-03T15:00:00Z');
const T3 = Date.parse('2026-03-04T16:00:00Z');
const T4 = Date.parse('2026-03-05T16:00:00Z');
const DAY_OF: Record<number, string> = { [T1]: '2026-03-02', [T2]: '2026-03-03', [T3]: '2026-03-04', [T4]: '2026-03-05' };
const DAY_MS = 86_400_000;

type What = 'issued' | 'redeemed' | 'expired' | 'reversedEarned' | 'reversedRedeemed' | 'credit' | 'debit';
interface Entry {
  day: string;
  what: What;
  source: string;
  channel: string;
  tier: string;
  points: number;
}

/** What the test posted, as a finance person would write it down. */
class Model {
  entries: Entry[] = [];
  due: { day: string; points: number }[] = [];
  active: { day: string; member: string }[] = [];
  enrolled: { day: string; member: string }[] = [];

  figures(from: string, to: string, keep: (e: Entry) => boolean = () => true) {
    const sum = (what: What) => this.entries.filter((e) => e.day >= from && e.day <= to && e.what === what && keep(e)).reduce((n, e) => n + e.points, 0);
    const f = {
      issued: sum('issued'),
      issuedPending: 0,
      redeemed: sum('redeemed'),
      expired: sum('expired'),
      reversed: { earned: sum('reversedEarned'), redeemed: sum('reversedRedeemed') },
      adjusted: { credit: sum('credit'), debit: sum('debit') },
    };
    return { ...f, net: f.issued - f.redeemed - f.expired - f.reversed.earned + f.reversed.redeemed + f.adjusted.credit - f.adjusted.debit };
  }

  split(key: 'source' | 'channel' | 'tier', from: string, to: string) {
    const values = [...new Set(this.entries.filter((e) => e.day >= from && e.day <= to).map((e) => e[key]))].sort();
    return values.map((v) => ({ [key]: v, ...this.figures(from, to, (e) => e[key] === v) }));
  }

  members(from: string, to: string) {
    const within = (l: { day: string; member: string }[]) => new Set(l.filter((a) => a.day >= from && a.day <= to).map((a) => a.member)).size;
    return { active: within(this.active), new: within(this.enrolled) };
  }

  dueIn(from: string, to: string) {
    return this.due.filter((d) => d.day >= from && d.day <= to).reduce((n, d) => n + d.points, 0);
  }
}

const bySplit = (key: string) => (rows: readonly object[]) => [...rows].sort((a, b) => String((a as Record<string, unknown>)[key]).localeCompare(String((b as Record<string, unknown>)[key])));

interface History {
  model: Model;
  ids: Record<'a' | 'b' | 'c' | 'd', string>;
  rewardId: string;
}

async function tierOf(h: HubHarness, id: string): Promise<string> {
  return (await json<{ tier: string }>(await h.call('GET', `/v1/members/${id}/balance`))).tier;
}

/** Posts the history; every entry of the model is what the test asked for, with the tier the member showed just before. */
async function postHistory(h: HubHarness): Promise<History> {
  const m = new Model();
  const at = (t: number) => {
    h.clock.set(t);
    return DAY_OF[t]!;
  };
  const enroll = async (email: string, day: string) => {
    const id = (await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email } }))).id;
    m.enrolled.push({ day, member: id });
    return id;
  };
  const order = async (memberId: string, id: string, channel: string, amount: number, day: string, multiplier = 1) => {
    const tier = await tierOf(h, memberId);
    const res = await h.call('POST', '/v1/events', { scope: 'write', body: { type: 'order.paid', customer: { memberId }, order: { id, channel, currency: 'USD', amount } } });
    expect(res.status).toBe(201);
    const points = Math.floor(Math.floor(amount / 100) * multiplier);
    m.entries.push({ day, what: 'issued', source: 'api', channel, tier, points });
    m.active.push({ day, member: memberId });
    m.due.push({ day: isoDayPlus(day, 2), points });
    return points;
  };
  const adjust = async (memberId: string, points: number, day: string) => {
    const tier = await tierOf(h, memberId);
    expect((await h.call('POST', `/v1/members/${memberId}/adjustments`, { body: { points, reason: 'analytics test' } })).status).toBe(201);
    m.entries.push({ day, what: points > 0 ? 'credit' : 'debit', source: 'api', channel: 'unknown', tier, points: Math.abs(points) });
  };

  // Day 1: A and B enrol; A orders online, B at the till (and reaches Gold by it).
  let day = at(T1);
  const a = await enroll('a@example.com', day);
  const b = await enroll('b@example.com', day);
  await order(a, 'o1', 'online', 120_00, day);
  await order(b, 'o2', 'pos', 1500_00, day);
  expect(await tierOf(h, b)).toBe('gold');

  // Day 2: C enrols; B orders online as Gold (×1.5); adjustments; C redeems a 300-point reward.
  day = at(T2);
  const c = await enroll('c@example.com', day);
  await order(b, 'o3', 'online', 100_00, day, 1.5);
  await adjust(c, 500, day);
  await adjust(a, -20, day);
  const reward = await json<{ id: string }>(await h.call('POST', '/v1/rewards', { body: { name: 'Tote bag', kind: 'free_product', productSku: 'TOTE', cost: 300 } }));
  const tierC = await tierOf(h, c);
  const redeemed = await h.call('POST', `/v1/members/${c}/redemptions`, { scope: 'write', body: { rewardId: reward.id } });
  expect(redeemed.status).toBe(201);
  const redemption = await json<{ id: string }>(redeemed);
  m.entries.push({ day, what: 'redeemed', source: 'api', channel: 'unknown', tier: tierC, points: 300 });
  m.active.push({ day, member: c });

  // Day 3: a third of order o2 is refunded; C's redemption is reversed; D's first order comes from Shopify's till.
  day = at(T3);
  const tierB = await tierOf(h, b);
  const refund = await h.call('POST', '/v1/events', { scope: 'write', body: { type: 'order.refunded', customer: { memberId: b }, refund: { orderId: 'o2', refundId: 'r1', currency: 'USD', amount: 500_00 } } });
  expect(refund.status).toBe(201);
  m.entries.push({ day, what: 'reversedEarned', source: 'api', channel: 'unknown', tier: tierB, points: 500 });
  expect((await h.call('POST', `/v1/redemptions/${redemption.id}/reverse`, { scope: 'write', body: { reason: 'changed their mind' } })).status).toBe(200);
  m.entries.push({ day, what: 'reversedRedeemed', source: 'api', channel: 'unknown', tier: await tierOf(h, c), points: 300 });
  const posOrder: Json = { ...sample('shopify', 'order_paid_with_customer'), id: 7001, source_name: 'pos' };
  const delivered = await h.hub.app.request('/webhooks/shopify', shopifyDelivery('orders/paid', posOrder));
  expect(delivered.status).toBe(200);
  const d = (await memberByAlias(h, `shopify:${(posOrder.customer as Json).id as number}`))!.id;
  const dPoints = (await json<{ available: number }>(await h.call('GET', `/v1/members/${d}/balance`))).available;
  expect(dPoints).toBeGreaterThan(0);
  m.enrolled.push({ day, member: d });
  m.entries.push({ day, what: 'issued', source: 'shopify', channel: 'pos', tier: await tierOf(h, d), points: dPoints });
  m.active.push({ day, member: d });
  m.due.push({ day: isoDayPlus(day, 2), points: dPoints });

  // Day 4: the scheduler expires what is left of A's lot (120 − 20) and B's two lots (1500 − 500, and 150).
  day = at(T4);
  const tiers = { a: await tierOf(h, a), b: await tierOf(h, b) };
  await h.hub.ledger.runDue();
  m.entries.push({ day, what: 'expired', source: 'scheduler', channel: 'unknown', tier: tiers.a, points: 100 });
  m.entries.push({ day, what: 'expired', source: 'scheduler', channel: 'unknown', tier: tiers.b, points: 1000 + 150 });
  return { model: m, ids: { a, b, c, d }, rewardId: reward.id };
}

function isoDayPlus(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

type Summary = Awaited<ReturnType<typeof summarize>>;

async function summary(h: HubHarness, query: string): Promise<Summary> {
  const res = await h.call('GET', `/v1/analytics/summary?${query}`, { scope: 'read' });
  expect(res.status).toBe(200);
  return json<Summary>(res);
}

/** Σ available + pending + locked over every member, through the API. */
async function owed(h: HubHarness, ids: string[]): Promise<number> {
  let total = 0;
  for (const id of ids) {
    const b = await json<{ available: number; pending: number; locked: number }>(await h.call('GET', `/v1/members/${id}/balance`));
    total += b.available + b.pending + b.locked;
  }
  return total;
}

describe('GET /v1/analytics/summary', () => {
  const h = hubHarness({ program, connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

  it('agrees with a known history to the point: totals, splits, series, rates, members, liability and rewards', async () => {
    const { model, ids, rewardId } = await postHistory(h);
    const [from, to] = ['2026-03-02', '2026-03-05'];
    const s = await summary(h, `from=${from}&to=${to}&groupBy=day`);

    expect(s).toMatchObject({ from, to, groupBy: 'day', timeZone: TZ });
    expect(s.points).toEqual(model.figures(from, to));
    expect(bySplit('source')(s.bySource)).toEqual(model.split('source', from, to));
    expect(bySplit('channel')(s.byChannel)).toEqual(model.split('channel', from, to));
    expect(bySplit('tier')(s.byTier)).toEqual(model.split('tier', from, to));
    // Both tiers and all three sources and channels were exercised.
    expect(s.byTier.map((t) => t.tier).sort()).toEqual(['bronze', 'gold']);
    expect(s.bySource.map((t) => t.source).sort()).toEqual(['api', 'scheduler', 'shopify']);
    expect(s.byChannel.map((t) => t.channel).sort()).toEqual(['online', 'pos', 'unknown']);

    expect(s.series).toEqual(
      ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'].map((d) => ({ period: d, from: d, to: d, points: model.figures(d, d), members: model.members(d, d) })),
    );
    expect(s.members).toEqual(model.members(from, to));
    expect(s.members).toEqual({ active: 4, new: 4 });

    const { issued, redeemed, expired } = model.figures(from, to);
    const due = model.dueIn(from, to);
    expect(s.rates).toEqual({ breakage: Math.round((expired * 10_000) / due) / 10_000, expiringDue: due, redemption: Math.round((redeemed * 10_000) / issued) / 10_000 });

    const liability = await owed(h, Object.values(ids));
    expect(liability).toBe(model.figures('0000', '9999').net);
    expect(s.liability).toEqual({ at: new Date(h.clock()).toISOString(), points: liability, pending: 0, value: [{ currency: 'USD', amount: liability, exponent: 2 }] });
    expect(s.rewards).toEqual([{ rewardId, name: 'Tote bag', redemptions: 1, points: 300 }]);
  });

  it('groups by week (named by its Monday) and month, takes date-times as their local day, and measures liability at the end of `to`', async () => {
    const { model } = await postHistory(h);
    const weeks = await summary(h, 'from=2026-03-04&to=2026-03-10&groupBy=week');
    expect(weeks.series).toEqual([
      { period: '2026-03-02', from: '2026-03-04', to: '2026-03-08', points: model.figures('2026-03-04', '2026-03-08'), members: model.members('2026-03-04', '2026-03-08') },
      { period: '2026-03-09', from: '2026-03-09', to: '2026-03-10', points: model.figures('2026-03-09', '2026-03-10'), members: { active: 0, new: 0 } },
    ]);
    const month = await summary(h, 'from=2026-02-20&to=2026-03-31&groupBy=month');
    expect(month.series.map((b) => b.period)).toEqual(['2026-02', '2026-03']);
    expect(month.series[1]!.points).toEqual(model.figures('2026-03-01', '2026-03-31'));
    expect(month.series[1]!.members).toEqual({ active: 4, new: 4 });

    // 05:00Z on the 3rd is midnight in New York; 04:59Z on the 4th is still the 3rd there.
    const day2 = await summary(h, 'from=2026-03-03T05:00:00Z&to=2026-03-04T04:59:59Z');
    expect(day2).toMatchObject({ from: '2026-03-03', to: '2026-03-03' });
    expect(day2.points).toEqual(model.figures('2026-03-03', '2026-03-03'));
    expect(day2.members).toEqual(model.members('2026-03-03', '2026-03-03'));
    const owedThen = model.figures('0000', '2026-03-03').net;
    expect(day2.liability).toEqual({ at: '2026-03-04T04:59:59.999Z', points: owedThen, pending: 0, value: [{ currency: 'USD', amount: owedThen, exponent: 2 }] });
  });

  it('rebuilds the same answer from the ledger when the aggregates are emptied (the backfill)', async () => {
    await postHistory(h);
    const query = 'from=2026-03-01&to=2026-03-07&groupBy=day';
    const before = await summary(h, query);
    const { store, commit } = h.hub;
    await commit('test', async (w) => {
      for (const table of ['ledger_daily', 'member_activity', 'activity_gaps', 'reward_daily', 'analytics_state']) await runStatement(w.tx, sql`delete from ${sql.identifier(table)}`);
    });
    expect((await summary(h, query)).points.issued).toBe(0);
    expect(await ensureAggregates(store, commit, TZ)).toBe(true);
    expect(await ensureAggregates(store, commit, TZ)).toBe(false); // built: nothing to do
    const after = await summary(h, query);
    for (const field of ['points', 'liability', 'rates', 'members', 'series', 'rewards', 'bySource'] as const) expect(after[field]).toEqual(before[field]);
    // What a line written before the aggregates cannot tell (docs/api.md, "Analytics"): its
    // channel, counted as unknown, and the tier then, counted as the member's tier now.
    expect(after.byChannel).toEqual([{ channel: 'unknown', ...before.points }]);
    const tierTotal = (rows: readonly { issued: number }[]) => rows.reduce((n, r) => n + r.issued, 0);
    expect(tierTotal(after.byTier)).toBe(before.points.issued);
  });

  it('refuses what it cannot answer with a problem naming the parameter, and answers the read scope only with a key', async () => {
    const refused = async (query: string, pointer: string, message: RegExp) => {
      const res = await h.call('GET', `/v1/analytics/summary?${query}`, { scope: 'read' });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const body = await json<{ errors: { pointer: string; in: string; message: string }[] }>(res);
      expect(body.errors).toEqual([expect.objectContaining({ pointer, in: 'query', message: expect.stringMatching(message) })]);
    };
    await refused('from=2026-03-05&to=2026-03-01', '/from', /not be after/);
    await refused('from=yesterday', '/from', /must be a date/);
    await refused('from=2026-02-30', '/from', /not a date/);
    await refused('to=2026-03-01T10:00:00', '/to', /with its offset/);
    await refused('from=2024-01-01&to=2026-03-01&groupBy=day', '/to', /at most 732 days/);
    await refused('groupBy=year', '/groupBy', /./);
    // Two years by month is fine.
    expect((await h.call('GET', '/v1/analytics/summary?from=2024-01-01&to=2026-03-01&groupBy=month', { scope: 'read' })).status).toBe(200);
    expect((await h.call('GET', '/v1/analytics/summary', { scope: null })).status).toBe(401);
    const defaults = await summary(h, '');
    expect(defaults.series).toHaveLength(30);
    expect(defaults.to).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(h.clock()));
  });
});
