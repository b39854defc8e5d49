/**
 * (j) `GET /v1/analytics/summary` on a big program: 1,000,000 members and 10,000,000 transfers
 * over two years, seeded by direct inserts (the ledger would take hours), with the analytics
 * aggregates seeded the way the write boundary writes them (core/analytics/tally.ts). Then the
 * summary is asked, in-process through `app.request()` with an API key, for a month by day, a
 * year by month and the whole range by month: median and p99 over many samples; target < 200 ms.
 *
 * The seed is checked against the real write path first: the same small history is seeded into
 * one scratch database and posted through the write boundary (`w.post(earn | spend | adjust)`
 * with the line's origin, the tally of a redemption as `redeem` counts it) into another, and the
 * aggregate tables and the summaries must be identical.
 *
 * What the seed writes: members (enrolled through the two years, in order), their balances and
 * standing (tier: 70 % bronze, 20 % silver, 10 % gold), 20 rewards, the transfers (earns from
 * Shopify online and at the till, Square's till and the API; redemptions; adjustments), and the
 * aggregates. Not lots and movements: nothing the summary reads, and seeding them doubles the time.
 * Rows go in key order (member by member, ids counting up), so every index insert is an append.
 */
import Database from 'better-sqlite3';
import { memberAccount, PROGRAM } from '../core/ledger/accounts.js';
import { adjust, earn, spend } from '../core/ledger/index.js';
import { rollUpGaps } from '../core/analytics/gap-months.js';
import { localDay } from '../core/analytics/local-day.js';
import { createWriteBoundary } from '../core/commit/commit.js';
import { enrollMember } from '../core/members/members.js';
import { tablesOf } from '../core/storage/prepared.js';
import { createHub } from '../core/hub.js';
import { silentLogger } from '../core/observability/logger.js';
import { openStore } from '../core/storage/open-store.js';
import { passFail, prng, summarize as stats, type Summary } from './stats.js';
import { tempDir } from './temp-dir.js';

export const ANALYTICS_TARGET_MS = 200;
const DAY_MS = 86_400_000;
const SPAN_DAYS = 730;
const REWARDS = 20;
type Tier = 'bronze' | 'silver' | 'gold';
const ORIGINS = [
  { source: 'shopify', channel: 'online', weight: 0.5 },
  { source: 'shopify', channel: 'pos', weight: 0.2 },
  { source: 'square', channel: 'pos', weight: 0.15 },
  { source: 'api', channel: 'unknown', weight: 0.15 },
];

interface SeedLine {
  at: number;
  flow: 'earn' | 'spend' | 'adjust_credit';
  points: number;
  source: string;
  channel: string;
  rewardId?: string;
}

interface SeedMember {
  index: number;
  id: string;
  createdAt: number;
  tier: Tier;
  lines: SeedLine[];
}

const pad = (n: number) => n.toString(36).padStart(9, '0');
export const rewardId = (r: number) => `rwd_bench${pad(r)}`;
/** The id of the `i`-th seeded member (enrolment order). */
export const benchMemberId = (i: number) => `mem_bench${pad(i)}`;
const rewardCost = (r: number) => 100 * (r + 1);

/** The history, member by member, deterministic for a seed: every line affordable, in time order per member. */
export function* history(members: number, transfers: number, endAt: number, seed = 42): Generator<SeedMember> {
  const rand = prng(seed);
  const startAt = endAt - SPAN_DAYS * DAY_MS;
  const perMember = transfers / members;
  let written = 0;
  for (let i = 0; i < members; i++) {
    const createdAt = startAt + Math.floor((i * (SPAN_DAYS * DAY_MS - 60_000)) / members);
    const r = rand();
    const tier = r < 0.7 ? 'bronze' : r < 0.9 ? 'silver' : 'gold';
    // Spread the remaining lines over the remaining members: exactly `transfers` in all.
    const left = members - i;
    const want = Math.round((transfers - written) / left + (rand() - 0.5) * perMember);
    const n = left === 1 ? transfers - written : Math.max(1, Math.min(transfers - written - (left - 1), want));
    const times = Array.from({ length: n }, () => createdAt + Math.floor(rand() * (endAt - createdAt)));
    times.sort((a, b) => a - b);
    let available = 0;
    const lines: SeedLine[] = [];
    for (const [k, at] of times.entries()) {
      const x = rand();
      const reward = Math.floor(rand() * REWARDS);
      if (k > 0 && x < 0.15 && available >= rewardCost(reward)) {
        lines.push({ at, flow: 'spend', points: rewardCost(reward), source: 'api', channel: 'unknown', rewardId: rewardId(reward) });
        available -= rewardCost(reward);
      } else if (k > 0 && x < 0.22) {
        const points = 1 + Math.floor(rand() * 200);
        lines.push({ at, flow: 'adjust_credit', points, source: 'api', channel: 'unknown' });
        available += points;
      } else {
        let o = rand();
        const origin = ORIGINS.find((c) => (o -= c.weight) < 0) ?? ORIGINS[0]!;
        const points = 1 + Math.floor(rand() * 500);
        lines.push({ at, flow: 'earn', points, source: origin.source, channel: origin.channel });
        available += points;
      }
    }
    written += n;
    yield { index: i, id: benchMemberId(i), createdAt, tier, lines };
  }
}

/** The aggregates as the write boundary keeps them, computed while the history streams past. */
class Aggregates {
  daily = new Map<string, { day: number; flow: string; source: string; channel: string; tier: string; lines: number; points: number }>();
  gaps = new Map<string, { day: number; prevDay: number; members: number }>();
  rewards = new Map<string, { day: number; rewardId: string; redemptions: number; points: number }>();

  constructor(private readonly timeZone: string) {}

  /** One member's lines; returns its `member_activity` row (or undefined if it never earned nor redeemed). */
  member(m: SeedMember): { day: number; prevDay: number } | undefined {
    // Enrolled through the API (source `api`), before any standing: tier ''.
    const enrolledOn = localDay(m.createdAt, this.timeZone);
    const ek = `${enrolledOn}|enrolled|api|unknown|`;
    const e = this.daily.get(ek) ?? { day: enrolledOn, flow: 'enrolled', source: 'api', channel: 'unknown', tier: '', lines: 0, points: 0 };
    e.lines += 1;
    this.daily.set(ek, e);
    let last: number | undefined;
    let prev = -1;
    for (const l of m.lines) {
      const day = localDay(l.at, this.timeZone);
      const dk = `${day}|${l.flow}|${l.source}|${l.channel}|${m.tier}`;
      const d = this.daily.get(dk) ?? { day, flow: l.flow, source: l.source, channel: l.channel, tier: m.tier, lines: 0, points: 0 };
      d.lines += 1;
      d.points += l.points;
      this.daily.set(dk, d);
      if (l.flow === 'spend') {
        const rk = `${day}|${l.rewardId}`;
        const r = this.rewards.get(rk) ?? { day, rewardId: l.rewardId!, redemptions: 0, points: 0 };
        r.redemptions += 1;
        r.points += l.points;
        this.rewards.set(rk, r);
      }
      if (l.flow === 'adjust_credit') continue; // not an activity (docs/api.md, "Analytics")
      if (last !== undefined && day <= last) continue;
      const gk = `${day}|${last ?? -1}`;
      const g = this.gaps.get(gk) ?? { day, prevDay: last ?? -1, members: 0 };
      g.members += 1;
      this.gaps.set(gk, g);
      prev = last ?? -1;
      last = day;
    }
    return last === undefined ? undefined : { day: last, prevDay: prev };
  }
}

/** Seeds `members` and their history into a migrated, empty SQLite file (no Store may have it open). */
export function seedAnalytics(file: string, options: { members: number; transfers: number; endAt: number; timeZone?: string }): { seconds: number; lines: number } {
  const started = performance.now();
  const timeZone = options.timeZone ?? 'UTC';
  const agg = new Aggregates(timeZone);
  const db = new Database(file);
  let lines = 0;
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -524288');
    const insertMember = db.prepare(`INSERT INTO members (id, created_at, updated_at) VALUES (?, ?, ?)`);
    const insertBalance = db.prepare(`INSERT INTO balances (member_id, available, spent, lifetime_earned, version, updated_at) VALUES (?, ?, ?, ?, ?, ?)`);
    const insertStanding = db.prepare(`INSERT INTO member_standing (member_id, tier, tier_since, debt, updated_at) VALUES (?, ?, ?, 0, ?)`);
    const insertActivity = db.prepare(`INSERT INTO member_activity (member_id, day, prev_day) VALUES (?, ?, ?)`);
    const insertTransfer = db.prepare(
      `INSERT INTO transfers (id, idempotency_key, fingerprint, kind, debit_account, credit_account, amount, member_id, pending, source, event_id, actor, reason, created_at)
       VALUES (?, ?, 'bench', ?, ?, ?, ?, ?, 0, ?, ?, ?, NULL, ?)`,
    );
    let seq = 0;
    const put = db.transaction((batch: SeedMember[]) => {
      for (const m of batch) {
        insertMember.run(m.id, m.createdAt, m.createdAt);
        if (m.tier !== 'bronze') insertStanding.run(m.id, m.tier, m.createdAt, m.createdAt);
        let available = 0;
        let spent = 0;
        let earned = 0;
        const account = memberAccount(m.id);
        for (const l of m.lines) {
          const id = `tr_bench${pad(seq++)}`;
          if (l.flow === 'earn') {
            insertTransfer.run(id, `seed:${id}`, 'earn', PROGRAM.issued, account, l.points, m.id, 'rule', l.source === 'api' ? null : `${l.source}:order:${pad(seq)}`, l.source === 'api' ? 'bench' : l.source, l.at);
            available += l.points;
            earned += l.points;
          } else if (l.flow === 'spend') {
            insertTransfer.run(id, `seed:${id}`, 'spend', account, PROGRAM.redeemed, l.points, m.id, 'redemption', null, 'bench', l.at);
            available -= l.points;
            spent += l.points;
          } else {
            insertTransfer.run(id, `seed:${id}`, 'adjust', PROGRAM.adjusted, account, l.points, m.id, 'admin', null, 'bench', l.at);
            available += l.points;
          }
        }
        insertBalance.run(m.id, available, spent, earned, m.lines.length, m.lines.at(-1)?.at ?? m.createdAt);
        const a = agg.member(m);
        if (a) insertActivity.run(m.id, a.day, a.prevDay);
        lines += m.lines.length;
      }
    });
    let batch: SeedMember[] = [];
    for (const m of history(options.members, options.transfers, options.endAt)) {
      batch.push(m);
      if (batch.length === 5_000) {
        put.immediate(batch);
        batch = [];
      }
    }
    if (batch.length) put.immediate(batch);

    const rows = db.transaction(() => {
      const rewards = db.prepare(`INSERT INTO rewards (id, name, kind, cost, product_sku, code_source, status, created_at, updated_at) VALUES (?, ?, 'free_product', ?, 'BENCH', 'generated', 'active', ?, ?)`);
      for (let r = 0; r < REWARDS; r++) rewards.run(rewardId(r), `Bench reward ${r + 1}`, rewardCost(r), options.endAt, options.endAt);
      const daily = db.prepare(`INSERT INTO ledger_daily (day, flow, source, channel, tier, lines, points) VALUES (?, ?, ?, ?, ?, ?, ?)`);
      // A bronze member has no standing row (the program's first tier): the write path counts it under ''.
      for (const d of agg.daily.values()) daily.run(d.day, d.flow, d.source, d.channel, d.tier === 'bronze' ? '' : d.tier, d.lines, d.points);
      const gaps = db.prepare(`INSERT INTO activity_gaps (day, prev_day, members) VALUES (?, ?, ?)`);
      for (const g of agg.gaps.values()) gaps.run(g.day, g.prevDay, g.members);
      const gapMonths = db.prepare(`INSERT INTO activity_gap_months (day, prev_month, members) VALUES (?, ?, ?)`);
      for (const m of rollUpGaps(agg.gaps.values())) gapMonths.run(m.day, m.prevMonth, m.members);
      const rewardDaily = db.prepare(`INSERT INTO reward_daily (day, reward_id, redemptions, points) VALUES (?, ?, ?, ?)`);
      for (const r of agg.rewards.values()) rewardDaily.run(r.day, r.rewardId, r.redemptions, r.points);
      db.prepare(`INSERT INTO analytics_state (id, time_zone, built_at) VALUES ('aggregates', ?, ?)`).run(timeZone, options.endAt);
      return { daily: agg.daily.size, gaps: agg.gaps.size, rewards: agg.rewards.size };
    });
    rows.immediate();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return { seconds: (performance.now() - started) / 1000, lines };
}

const AGGREGATE_TABLES = ['ledger_daily', 'activity_gaps', 'activity_gap_months', 'member_activity', 'reward_daily'] as const;

function tableRows(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of AGGREGATE_TABLES) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all();
    return out;
  } finally {
    db.close();
  }
}

/**
 * The seed against the real write path: the same history seeded into one scratch database and
 * posted through the write boundary into another must give identical aggregate tables.
 */
export async function verifyAnalyticsSeed(timeZone = 'America/New_York'): Promise<{ ok: boolean; detail: string }> {
  const tmp = tempDir('analytics-check');
  try {
    const members = 150;
    const transfers = 1_500;
    const endAt = Date.parse('2026-06-01T00:00:00Z');
    const seeded = tmp.file('seeded.db');
    const posted = tmp.file('posted.db');
    for (const file of [seeded, posted]) await (await openStore(file)).close();
    seedAnalytics(seeded, { members, transfers, endAt, timeZone });

    // The real path, in time order across members: each member enrolled through `enrollMember`
    // (its standing row, when above bronze, written right after, as a tier review would), then
    // every line through the write boundary at its own instant with the line's origin.
    const all = [...history(members, transfers, endAt)];
    type Step = { at: number; m: SeedMember; l?: SeedLine; k: number };
    const steps: Step[] = all.flatMap((m) => [{ at: m.createdAt, m, k: -1 }, ...m.lines.map((l, k) => ({ at: l.at, m, l, k }))]);
    steps.sort((a, b) => a.at - b.at || a.k - b.k);
    let now = 0;
    const store = await openStore(posted);
    try {
      const { commit } = createWriteBoundary(store, () => now, { timeZone });
      for (const { at, m, l, k } of steps) {
        now = at;
        if (!l) {
          await commit('bench', (w) => enrollMember(w, { id: m.id }));
          if (m.tier !== 'bronze') {
            await commit('bench', (w) => w.tx.insert(tablesOf(w.tx).memberStanding).values({ memberId: m.id, tier: m.tier, tierSince: at, debt: 0, updatedAt: at }));
          }
          continue;
        }
        const key = `${m.id}:${k}`;
        await commit(l.source === 'api' ? 'bench' : l.source, async (w) => {
          w.origin = { source: l.source, channel: l.channel };
          if (l.flow === 'earn') await w.post(earn, { memberId: m.id, points: l.points, idempotencyKey: key, why: { source: 'rule' } });
          else if (l.flow === 'adjust_credit') await w.post(adjust, { memberId: m.id, points: l.points, idempotencyKey: key, why: { source: 'admin', reason: 'bench' } });
          else {
            await w.post(spend, { memberId: m.id, points: l.points, idempotencyKey: key, why: { source: 'redemption' } });
            w.tally.redemption(l.rewardId!, l.points); // what core/rewards/redeem.ts adds for a redemption
          }
        });
      }
    } finally {
      await store.close();
    }
    const a = tableRows(seeded);
    const b = tableRows(posted);
    const differing = AGGREGATE_TABLES.filter((t) => JSON.stringify(a[t]) !== JSON.stringify(b[t]));
    const sizes = AGGREGATE_TABLES.map((t) => `${t} ${a[t]!.length}`).join(', ');
    return differing.length
      ? { ok: false, detail: `seeded and posted aggregates differ in ${differing.join(', ')}` }
      : { ok: true, detail: `${members} members, ${transfers} lines in ${timeZone}: identical (${sizes} rows)` };
  } finally {
    tmp.remove();
  }
}

export interface AnalyticsQueryResult {
  label: string;
  query: string;
  samples: number;
  latency: Summary;
  buckets: number;
}

export interface AnalyticsSummaryResult {
  members: number;
  transfers: number;
  seedSeconds: number;
  verify: { ok: boolean; detail: string };
  queries: AnalyticsQueryResult[];
  aggregateRows: Record<string, number>;
  databaseMiB: number;
}

const ADMIN_KEY = 'bench-analytics-admin-key-0123456789';

export async function analyticsSummary(options: { members?: number; transfers?: number; samples?: number } = {}, log: (msg: string) => void = () => {}): Promise<AnalyticsSummaryResult> {
  const members = options.members ?? 1_000_000;
  const transfers = options.transfers ?? 10_000_000;
  const samples = options.samples ?? 200;
  const verify = await verifyAnalyticsSeed();
  log(`(j) seed check against the write path: ${verify.ok ? 'ok' : 'FAILED'} — ${verify.detail}`);
  const tmp = tempDir('analytics');
  try {
    const file = tmp.file('analytics.db');
    await (await openStore(file)).close();
    const endAt = Date.UTC(2026, 10, 30, 12);
    const seed = seedAnalytics(file, { members, transfers, endAt });
    log(`(j) seeded ${members.toLocaleString('en-US')} members and ${seed.lines.toLocaleString('en-US')} transfers in ${seed.seconds.toFixed(1)} s`);
    const { statSync } = await import('node:fs');
    const databaseMiB = statSync(file).size / 2 ** 20;
    const counts = new Database(file, { readonly: true });
    const aggregateRows = Object.fromEntries(AGGREGATE_TABLES.map((t) => [t, (counts.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
    counts.close();

    const hub = await createHub({ logger: silentLogger, connectors: [], clock: () => endAt, env: { DATABASE_URL: file, ADMIN_API_KEY: ADMIN_KEY } });
    try {
      const day = (at: number) => new Date(at).toISOString().slice(0, 10);
      const queries = [
        { label: 'a month by day', query: `from=${day(endAt - 29 * DAY_MS)}&to=${day(endAt)}&groupBy=day` },
        { label: 'a year by month', query: `from=${day(endAt - 364 * DAY_MS)}&to=${day(endAt)}&groupBy=month` },
        { label: 'the whole range (2 years) by month', query: `from=${day(endAt - SPAN_DAYS * DAY_MS)}&to=${day(endAt)}&groupBy=month` },
        { label: 'the whole range (2 years) by day', query: `from=${day(endAt - SPAN_DAYS * DAY_MS)}&to=${day(endAt)}&groupBy=day` },
      ];
      const out: AnalyticsQueryResult[] = [];
      for (const q of queries) {
        const ask = async () => {
          const res = await hub.app.request(`/v1/analytics/summary?${q.query}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
          if (res.status !== 200) throw new Error(`(j) ${q.label}: ${res.status} ${await res.text()}`);
          return (await res.json()) as { series: unknown[]; points: { issued: number } };
        };
        for (let i = 0; i < 5; i++) await ask(); // warm-up: page cache, statement cache
        const times: number[] = [];
        let buckets = 0;
        for (let i = 0; i < samples; i++) {
          const t0 = performance.now();
          buckets = (await ask()).series.length;
          times.push(performance.now() - t0);
        }
        const latency = stats(times);
        out.push({ label: q.label, query: q.query, samples, latency, buckets });
        log(`(j) ${q.label}: median ${latency.median.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms (${samples} samples, ${buckets} buckets)`);
      }
      return { members, transfers: seed.lines, seedSeconds: seed.seconds, verify, queries: out, aggregateRows, databaseMiB };
    } finally {
      await hub.close();
    }
  } finally {
    tmp.remove();
  }
}

/** The summary table's rows for (j) (bench/report.ts). */
export function analyticsRows(r: AnalyticsSummaryResult, row: (...cells: string[]) => string): string[] {
  return r.queries
    .filter((q) => !q.label.endsWith('by day') || q.label.startsWith('a month'))
    .map((q) => row(`(j) \`GET /v1/analytics/summary\`, ${q.label}, p99 (${(r.members / 1e6).toFixed(0)}M members, ${(r.transfers / 1e6).toFixed(0)}M transfers)`, `${q.latency.p99.toFixed(1)} ms (median ${q.latency.median.toFixed(1)} ms)`, `< ${ANALYTICS_TARGET_MS} ms`, passFail(q.latency.p99 < ANALYTICS_TARGET_MS)));
}

/** The report's section for (j). */
export function analyticsSection(r: AnalyticsSummaryResult, row: (...cells: string[]) => string): string[] {
  return [
    '',
    '## (j) Analytics summary on a big program',
    '',
    `\`GET /v1/analytics/summary\` (in-process, \`app.request()\` with an API key) on a SQLite file of ${r.members.toLocaleString('en-US')} members and`,
    `${r.transfers.toLocaleString('en-US')} transfers over two years (${r.databaseMiB.toFixed(0)} MiB), seeded by direct inserts in ${r.seedSeconds.toFixed(1)} s (\`bench/analytics-summary.ts\`):`,
    'members, balances, standing, rewards, transfers and the analytics aggregates as the write boundary writes them (no lots).',
    `Seed check against the real write path: ${r.verify.ok ? 'ok' : 'FAILED'} (${r.verify.detail}).`,
    `Aggregate rows: ${Object.entries(r.aggregateRows).map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ')}.`,
    '',
    row('Query', 'Buckets', 'Samples', 'Median', 'p99', 'Max'),
    row('---', '---:', '---:', '---:', '---:', '---:'),
    ...r.queries.map((q) => row(`${q.label} (\`${q.query}\`)`, String(q.buckets), String(q.samples), `${q.latency.median.toFixed(1)} ms`, `${q.latency.p99.toFixed(1)} ms`, `${q.latency.max.toFixed(1)} ms`)),
    '',
    'Every figure comes from the aggregates (docs/architecture.md, "Analytics aggregates"): range reads of `ledger_daily` (per day,',
    'flow, source, channel and tier; new members are its `enrolled` rows), of `activity_gap_months` and `activity_gaps` for distinct',
    'active members (the roll-up by month of the previous active day, at most days × months rows; the exact gaps only for a bucket',
    'that starts mid-month, one short range per day) and of `reward_daily`. The cost grows with the days asked for, not with the',
    'number of members or transfers.',
  ];
}
