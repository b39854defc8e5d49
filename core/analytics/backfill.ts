/**
 * Builds the analytics aggregates (./tally.ts) from the ledger itself, for a database whose
 * lines were written before the aggregates existed — or whose program changed its time zone,
 * since the aggregates count local days (docs/architecture.md, "Analytics aggregates").
 *
 * Run by the hub when it starts, after the migrations (core/hub.ts): `analytics_state` says
 * whether the aggregates were built and in which zone; when they were, in this zone, it does
 * nothing. Otherwise it empties the aggregates and rebuilds them in one write, so it is
 * idempotent and a crash half-way leaves nothing half-built. Plain code, not SQL in a generated
 * migration: it needs the program's time zone, and the generated files are drizzle-kit's.
 *
 * What a line written before the aggregates existed cannot tell (nothing on the transfer
 * recorded it): its channel (counted as `unknown`) and the member's tier at the time (counted
 * under the tier the member holds now). Its source is the platform its trigger names (the
 * `event_id` prefix, `shopify:order:…`), else `scheduler`/`cli` by its actor, else `api`.
 * Members enrolled before are counted under source `api`. Totals, rates, the series, members
 * and reward popularity are exact.
 */
import { sql } from 'drizzle-orm';
import type { Commit } from '../commit/commit.js';
import { allRows, pgOf, runStatement } from '../storage/dialect.js';
import { insertRows } from '../storage/insert-rows.js';
import type { Db, Store } from '../storage/store.js';
import { flowOf, makesActive } from './flows.js';
import { rollUpGaps } from './gap-months.js';
import { localDay } from './local-day.js';
import { defaultOrigin, DUE_FLOW, ENROLLED_FLOW } from './tally.js';

const STATE_ID = 'aggregates';
const PAGE = 5000;

/** Builds the aggregates unless they were built for this time zone; true when it rebuilt them. */
export async function ensureAggregates(store: Store, commit: Commit, timeZone: string): Promise<boolean> {
  const [state] = await allRows<{ time_zone: string }>(store.db, sql`select time_zone from analytics_state where id = ${STATE_ID}`);
  if (state?.time_zone === timeZone) return false;
  return commit('system', async (w) => {
    // One builder at a time, and no line committed between its read and its write: on
    // PostgreSQL a lock that conflicts with itself and with inserts (SQLite has one writer).
    if (pgOf(w.tx)) await runStatement(w.tx, sql`lock table transfers in share row exclusive mode`);
    // Another hub process starting beside this one may have built them while this one waited.
    const [again] = await allRows<{ time_zone: string }>(w.tx, sql`select time_zone from analytics_state where id = ${STATE_ID}`);
    if (again?.time_zone === timeZone) return false;
    await rebuildAggregates(w.tx, timeZone, w.now);
    return true;
  });
}

/** The source a line written before the aggregates existed is counted under. */
function sourceOf(eventId: string | null, actor: string | null): string {
  const platform = eventId?.match(/^([a-z][a-z0-9_-]{0,31}):/)?.[1];
  return platform ?? defaultOrigin(actor ?? '').source;
}

/** Empties the aggregates and counts the whole ledger into them; the caller holds the lock (above). */
export async function rebuildAggregates(tx: Db, timeZone: string, now: number): Promise<void> {
  for (const table of ['ledger_daily', 'member_activity', 'activity_gaps', 'activity_gap_months', 'reward_daily', 'analytics_state']) {
    await runStatement(tx, sql`delete from ${sql.identifier(table)}`);
  }
  // Local days by quarter hour: every zone's offset and switch is a multiple of 15 minutes.
  const days = new Map<number, number>();
  const dayOf = (at: number) => {
    const q = Math.floor(at / 900_000);
    let d = days.get(q);
    if (d === undefined) days.set(q, (d = localDay(at, timeZone)));
    return d;
  };

  const sums = new Map<string, { day: number; flow: string; source: string; channel: string; tier: string; lines: number; points: number }>();
  const add = (day: number, flow: string, source: string, tier: string, points: number) => {
    const key = `${day}\u0000${flow}\u0000${source}\u0000${tier}`;
    const s = sums.get(key);
    if (s) {
      s.lines += 1;
      s.points += points;
    } else sums.set(key, { day, flow, source, channel: 'unknown', tier, lines: 1, points });
  };
  const last = new Map<string, { day: number; prev: number }>();
  const gaps = new Map<string, { day: number; prevDay: number; members: number }>();

  let after = 0;
  for (;;) {
    const page = await allRows<{
      seq: unknown; kind: string; debit_account: string; credit_account: string; member_id: string; amount: unknown;
      created_at: unknown; event_id: string | null; actor: string | null; expires_at: unknown; tier: string | null;
    }>(
      tx,
      sql`select t.seq as seq, t.kind as kind, t.debit_account as debit_account, t.credit_account as credit_account,
                 t.member_id as member_id, t.amount as amount, t.created_at as created_at, t.event_id as event_id,
                 t.actor as actor, l.expires_at as expires_at, s.tier as tier
          from transfers t
          left join lots l on t.kind = 'earn' and l.id = t.lot_id
          left join member_standing s on s.member_id = t.member_id
          where t.seq > ${after} order by t.seq limit ${PAGE}`,
    );
    for (const r of page) {
      const flow = flowOf({ kind: r.kind, debitAccount: r.debit_account, creditAccount: r.credit_account, memberId: r.member_id });
      const day = dayOf(Number(r.created_at));
      const source = sourceOf(r.event_id, r.actor);
      const tier = r.tier ?? '';
      const points = Number(r.amount);
      add(day, flow, source, tier, points);
      if (r.expires_at !== null && r.expires_at !== undefined) add(dayOf(Number(r.expires_at)), DUE_FLOW, source, tier, points);
      if (!makesActive(flow, r.actor)) continue;
      // The same rule as the live write (./tally.ts addActivity): a member's first activity of a
      // later day counts once, with the active day before it.
      const seen = last.get(r.member_id);
      if (seen && day <= seen.day) continue;
      const prevDay = seen?.day ?? -1;
      last.set(r.member_id, { day, prev: prevDay });
      const key = `${day}:${prevDay}`;
      const g = gaps.get(key);
      if (g) g.members += 1;
      else gaps.set(key, { day, prevDay, members: 1 });
    }
    if (page.length < PAGE) break;
    after = Number(page.at(-1)!.seq);
  }

  // New members: every member counts on the day it enrolled, whether erased since or not.
  for (let after = ''; ; ) {
    const page = await allRows<{ id: string; created_at: unknown }>(tx, sql`select id, created_at from members where id > ${after} order by id limit ${PAGE}`);
    for (const m of page) add(dayOf(Number(m.created_at)), ENROLLED_FLOW, 'api', '', 0);
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }

  const rewards = await allRows<{ reward_id: string; points: unknown; created_at: unknown }>(tx, sql`select reward_id, points, created_at from redemptions`);
  const perReward = new Map<string, { day: number; rewardId: string; redemptions: number; points: number }>();
  for (const r of rewards) {
    const day = dayOf(Number(r.created_at));
    const key = `${day}\u0000${r.reward_id}`;
    const x = perReward.get(key) ?? { day, rewardId: r.reward_id, redemptions: 0, points: 0 };
    x.redemptions += 1;
    x.points += Number(r.points);
    perReward.set(key, x);
  }

  await insertRows(tx, 'ledgerDaily', [...sums.values()]);
  await insertRows(tx, 'memberActivity', [...last].map(([memberId, a]) => ({ memberId, day: a.day, prevDay: a.prev })));
  await insertRows(tx, 'activityGaps', [...gaps.values()]);
  await insertRows(tx, 'activityGapMonths', rollUpGaps(gaps.values()));
  await insertRows(tx, 'rewardDaily', [...perReward.values()]);
  await insertRows(tx, 'analyticsState', [{ id: STATE_ID, timeZone, builtAt: now }]);
}
