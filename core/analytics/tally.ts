/**
 * The analytics aggregates, written with the ledger lines they count (docs/architecture.md,
 * "Analytics aggregates"). Every line a write posts passes through the write boundary's Writer
 * (`w.post`, `w.postMany`, `w.recordPosted`), which hands it here; the boundary flushes the
 * tally once, just before the write commits: the `ledger_daily` sums of the whole write (not one
 * upsert per line), `member_activity` when a member earned or redeemed — unless the boundary
 * already saw it commit an active line today (./active-today.ts) — `activity_gaps` when that
 * was the member's first activity of the day, `reward_daily` for a redemption. A small write
 * (a webhook, an API event: up to 8 sums) does it in prepared single-row upserts
 * (./row-upserts.ts), a big one in multi-row statements. Flushing last keeps PostgreSQL's row
 * locks on the shared day rows as short as the commit itself.
 *
 * The tier of each line is the member's tier when the line was written (`member_standing.tier`,
 * the tier its points earned), read by the upsert itself (a join), so no read per line — or,
 * when the write's tier review moved it after the line, the tier before (`tierBefore`); '' when
 * the member has no standing yet (it holds the program's first tier: ./summary.ts names it).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { TransferRow } from '../ledger/types.js';
import { allRows, anyOf, pgOf, runStatement } from '../storage/dialect.js';
import type { Db } from '../storage/store.js';
import type { ActiveToday } from './active-today.js';
import { flowOf, makesActive, writtenByImport } from './flows.js';
import { rollUpGaps } from './gap-months.js';
import { localDay } from './local-day.js';
import { addGap, addGapMonth, addLineSum, markActive } from './row-upserts.js';

/** Where the lines of a write come from: the trigger being applied, else who writes. */
export interface Origin {
  /** A platform (`shopify`), `api`, `scheduler`, `cli`. */
  source: string;
  /** `online`, `pos`, … or `unknown`. */
  channel: string;
}

/**
 * The origin of a write that applies no trigger: the API unless the scheduler or the CLI writes
 * — `loyalty-hub import` writes as `import:<source>` (docs/api.md, "Analytics": `cli` for the
 * command line).
 */
export function defaultOrigin(actor: string): Origin {
  const source = actor === 'scheduler' || actor === 'cli' ? actor : writtenByImport(actor) ? 'cli' : 'api';
  return { source, channel: 'unknown' };
}

/** A platform's channel as an aggregate key: lower case, bounded, `unknown` when absent. */
export function channelKey(channel: string | undefined): string {
  const c = (channel ?? '').trim().toLowerCase().slice(0, 32);
  return c || 'unknown';
}

const ROWS_PER_STATEMENT = 500;

/**
 * Not a ledger line: points issued into a lot, counted on the local day the lot expires — the
 * points that could expire that day, the denominator of the breakage rate (docs/api.md, "Analytics").
 */
export const DUE_FLOW = 'expiry_due';

/** Not a ledger line either: a member enrolled (new members), counted on the day it enrolled. */
export const ENROLLED_FLOW = 'enrolled';

export interface LineSum {
  day: number;
  flow: string;
  source: string;
  channel: string;
  memberId: string;
  /** The member's tier before a tier review of this write moved it; null: read it at the flush. */
  tier: string | null;
  lines: number;
  points: number;
}

export class Tally {
  /** Per member, its sums (a few: one per day, flow and origin); no key string built per line. */
  private readonly sums = new Map<string, LineSum[]>();
  private readonly active = new Set<string>();
  private readonly rewards = new Map<string, { redemptions: number; points: number }>();
  private dayOfWrite: number | undefined;

  constructor(
    private readonly now: number,
    private readonly timeZone: string,
  ) {}

  /** The local day of this write (the clock is read once per write, so one day for all its lines). */
  get day(): number {
    return (this.dayOfWrite ??= localDay(this.now, this.timeZone));
  }

  /** Counts one ledger line just written, from `origin`. */
  line(t: TransferRow, origin: Origin): void {
    const flow = flowOf(t);
    this.add(this.day, flow, origin, t.memberId, t.amount);
    if (makesActive(flow, t.actor)) this.active.add(t.memberId);
  }

  /** Counts points just issued into a lot that expires at `expiresAt` (called by the earn paths). */
  due(memberId: string, expiresAt: number, points: number, origin: Origin): void {
    this.add(localDay(expiresAt, this.timeZone), DUE_FLOW, origin, memberId, points);
  }

  /** Counts a member just enrolled (core/members/members.ts, `enrollMember`: every member's one way in). */
  enrolled(memberId: string, origin: Origin): void {
    this.add(this.day, ENROLLED_FLOW, origin, memberId, 0);
  }

  private add(day: number, flow: string, origin: Origin, memberId: string, points: number): void {
    let sums = this.sums.get(memberId);
    if (!sums) this.sums.set(memberId, (sums = []));
    for (const sum of sums) {
      if (sum.day === day && sum.flow === flow && sum.source === origin.source && sum.channel === origin.channel) {
        sum.lines += 1;
        sum.points += points;
        return;
      }
    }
    sums.push({ day, flow, source: origin.source, channel: origin.channel, memberId, tier: null, lines: 1, points });
  }

  private allSums(): LineSum[] {
    const all: LineSum[] = [];
    for (const sums of this.sums.values()) for (const sum of sums) all.push(sum);
    return all;
  }

  /**
   * The member's tier before this write's tier review (core/program/member-standing.ts) changes
   * it: the lines counted so far were written under it, though the flush comes after the review.
   */
  tierBefore(memberId: string, tier: string | null): void {
    for (const s of this.sums.get(memberId) ?? []) if (s.tier === null) s.tier = tier ?? '';
  }

  /** Counts one redemption of a reward (reward popularity). */
  redemption(rewardId: string, points: number): void {
    const r = this.rewards.get(rewardId) ?? { redemptions: 0, points: 0 };
    r.redemptions += 1;
    r.points += points;
    this.rewards.set(rewardId, r);
  }

  /** The members this write made active on `day` (the boundary tells `ActiveToday` once it committed). */
  get activeMembers(): ReadonlySet<string> {
    return this.active;
  }

  /**
   * Writes what this write counted; called by the boundary once, before COMMIT. A small write
   * (a webhook, an API event) runs one prepared single-row upsert per sum and skips members
   * `known` to be counted active today already (./row-upserts.ts, ./active-today.ts); a big
   * one (a batch, an import page) the multi-row statements below.
   */
  async flush(tx: Db, known?: ActiveToday): Promise<void> {
    const sums = this.allSums();
    if (sums.length > ROWS_PER_STATEMENT) await addLineSums(tx, await underTiers(tx, sums));
    else if (sums.length > SMALL_WRITE) await addLineSums(tx, sums);
    else for (const s of sums.sort(byRowKey)) await addLineSum(tx, s);
    if (this.active.size) {
      const day = this.day;
      const members = [...this.active].filter((id) => !known?.has(day, id)).sort();
      if (members.length > SMALL_WRITE) await addActivity(tx, day, members);
      else if (members.length) await addActivityRowByRow(tx, day, members);
    }
    if (this.rewards.size) await addRewards(tx, this.day, [...this.rewards].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

/** Up to this many sums (or newly active members), a flush writes row by row (./row-upserts.ts). */
const SMALL_WRITE = 8;

/**
 * The order the multi-row upsert writes `ledger_daily` rows in, so concurrent writes on
 * PostgreSQL lock shared day rows in one order (a member's tier, read by the upsert, is not
 * known here: its id stands in; a rare deadlock between two members' writes is retried whole
 * by the boundary, core/commit/retry.ts).
 */
function byRowKey(a: LineSum, b: LineSum): number {
  if (a.day !== b.day) return a.day - b.day;
  for (const k of ['flow', 'source', 'channel'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  const ta = a.tier ?? a.memberId;
  const tb = b.tier ?? b.memberId;
  return ta === tb ? 0 : ta < tb ? -1 : 1;
}

/** `addActivity` for a few members: one prepared upsert each, then one per gap it found. */
async function addActivityRowByRow(tx: Db, day: number, memberIds: readonly string[]): Promise<void> {
  const gaps = new Map<number, number>();
  for (const id of memberIds) {
    const prev = await markActive(tx, day, id);
    if (prev !== undefined) gaps.set(prev, (gaps.get(prev) ?? 0) + 1);
  }
  const sorted = [...gaps].sort(([a], [b]) => a - b);
  for (const [prev, n] of sorted) await addGap(tx, day, prev, n);
  // Every gap row, then every month row, each in key order, as addGaps writes them: two
  // writes on PostgreSQL lock shared rows in one order.
  for (const m of rollUpGaps(sorted.map(([prevDay, members]) => ({ day, prevDay, members })))) await addGapMonth(tx, day, m.prevMonth, m.members);
}

const list = (rows: SQL[]) => sql.join(rows, sql`, `);

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) out.push(rows.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}

/**
 * A big write's sums (an import page: a few per member, thousands of members) added up per
 * tier before the upsert: one set-based read of the members' standing, then one `ledger_daily`
 * row per day, flow, source, channel and tier instead of one VALUES row per member joined in the
 * upsert — the same figures, read under the same rule (the sum's own tier, else the member's
 * standing, else ''). A small write keeps the single upsert (one statement, no read).
 */
async function underTiers(tx: Db, sums: readonly LineSum[]): Promise<LineSum[]> {
  const unknown = [...new Set(sums.filter((s) => s.tier === null).map((s) => s.memberId))];
  const tiers = new Map<string, string>();
  for (let i = 0; i < unknown.length; i += MEMBERS_PER_READ) {
    const part = unknown.slice(i, i + MEMBERS_PER_READ);
    for (const r of await allRows<{ member_id: string; tier: string }>(tx, sql`select member_id, tier from member_standing where ${anyOf(tx, sql`member_id`, part)}`)) {
      tiers.set(String(r.member_id), String(r.tier));
    }
  }
  const totals = new Map<string, LineSum>();
  for (const s of sums) {
    const tier = s.tier ?? tiers.get(s.memberId) ?? '';
    const key = `${s.day}\u0000${s.flow}\u0000${s.source}\u0000${s.channel}\u0000${tier}`;
    const total = totals.get(key);
    if (total) {
      total.lines += s.lines;
      total.points += s.points;
    } else totals.set(key, { ...s, memberId: '', tier });
  }
  return [...totals.values()];
}

const MEMBERS_PER_READ = 10_000;

/** Adds line sums to `ledger_daily`, each under its member's tier (one statement per 500 sums). */
export async function addLineSums(tx: Db, sums: readonly LineSum[]): Promise<void> {
  for (const part of chunks(sums)) {
    const values = part.map(
      (s) => sql`(cast(${s.day} as integer), ${s.flow}, ${s.source}, ${s.channel}, ${s.memberId}, cast(${s.tier} as text), cast(${s.lines} as bigint), cast(${s.points} as bigint))`,
    );
    // `where true`: SQLite needs it to tell an upsert's ON CONFLICT from a join's ON.
    await runStatement(
      tx,
      sql`with v(day, flow, source, channel, member_id, tier, lines, points) as (values ${list(values)})
          insert into ledger_daily (day, flow, source, channel, tier, lines, points)
          select v.day, v.flow, v.source, v.channel, coalesce(v.tier, s.tier, ''), sum(v.lines), sum(v.points)
          from v left join member_standing s on s.member_id = v.member_id
          where true
          group by v.day, v.flow, v.source, v.channel, coalesce(v.tier, s.tier, '')
          order by v.day, v.flow, v.source, v.channel, coalesce(v.tier, s.tier, '')
          on conflict (day, flow, source, channel, tier)
          do update set lines = ledger_daily.lines + excluded.lines, points = ledger_daily.points + excluded.points`,
    );
  }
}

/**
 * Marks members active on `day`. The upsert moves a member's last active day forward and
 * returns the day before it only when it moved (the member's first activity of the day; -1 for
 * its first ever); those are counted into `activity_gaps`. A line stamped before the member's
 * last active day (two processes' clocks either side of midnight) counts as that day's.
 */
export async function addActivity(tx: Db, day: number, memberIds: readonly string[]): Promise<void> {
  const gaps = new Map<number, number>();
  // The ids as one parameter (`memberIds`, in their order), not a VALUES row each: an import
  // page marks thousands of members, and binding them one by one cost more than the upsert.
  for (let i = 0; i < memberIds.length; i += MEMBERS_PER_READ) {
    const part = memberIds.slice(i, i + MEMBERS_PER_READ);
    const ids = pgOf(tx)
      ? sql`select u.id, cast(${day} as integer), -1 from unnest(cast(${sql.param(part)} as text[])) with ordinality as u(id, n) order by u.n`
      : sql`select value, ${day}, -1 from json_each(${JSON.stringify(part)}) where true`;
    const moved = await allRows<{ prev_day: number | string }>(
      tx,
      sql`insert into member_activity (member_id, day, prev_day) ${ids}
          on conflict (member_id) do update set prev_day = member_activity.day, day = excluded.day
          where member_activity.day < excluded.day
          returning prev_day`,
    );
    for (const r of moved) gaps.set(Number(r.prev_day), (gaps.get(Number(r.prev_day)) ?? 0) + 1);
  }
  await addGaps(tx, day, [...gaps].sort(([a], [b]) => a - b));
}

/**
 * Counts members active on `day` by their previous active day (`gaps`: [prev_day, members], in
 * prev_day order) into `activity_gaps`, and by its month into `activity_gap_months`.
 */
export async function addGaps(tx: Db, day: number, gaps: readonly (readonly [number, number])[]): Promise<void> {
  for (const part of chunks(gaps)) {
    const values = part.map(([prev, n]) => sql`(cast(${day} as integer), cast(${prev} as integer), cast(${n} as bigint))`);
    await runStatement(
      tx,
      sql`insert into activity_gaps (day, prev_day, members) values ${list(values)}
          on conflict (day, prev_day) do update set members = activity_gaps.members + excluded.members`,
    );
  }
  // At most one row per month of the program's history: one statement.
  const values = rollUpGaps(gaps.map(([prevDay, members]) => ({ day, prevDay, members }))).map(
    (m) => sql`(cast(${day} as integer), cast(${m.prevMonth} as integer), cast(${m.members} as bigint))`,
  );
  if (values.length) {
    await runStatement(
      tx,
      sql`insert into activity_gap_months (day, prev_month, members) values ${list(values)}
          on conflict (day, prev_month) do update set members = activity_gap_months.members + excluded.members`,
    );
  }
}

export async function addRewards(tx: Db, day: number, rewards: readonly (readonly [string, { redemptions: number; points: number }])[]): Promise<void> {
  for (const part of chunks(rewards)) {
    const values = part.map(([id, r]) => sql`(cast(${day} as integer), ${id}, cast(${r.redemptions} as bigint), cast(${r.points} as bigint))`);
    await runStatement(
      tx,
      sql`insert into reward_daily (day, reward_id, redemptions, points) values ${list(values)}
          on conflict (day, reward_id) do update set redemptions = reward_daily.redemptions + excluded.redemptions, points = reward_daily.points + excluded.points`,
    );
  }
}
