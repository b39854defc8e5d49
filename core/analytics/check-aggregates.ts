/**
 * I6 (core/ledger/index.ts): the analytics aggregates count every ledger line once —
 * per flow, the lines and points of `ledger_daily` equal those of `transfers`, and
 * `activity_gap_months` is `activity_gaps` rolled up by month. Checked when the
 * aggregates hold anything (a database whose lines were inserted around the ledger, as an
 * upgrade test does, has none until the backfill runs: core/analytics/backfill.ts).
 */
import { sql } from 'drizzle-orm';
import { allRows } from '../storage/dialect.js';
import type { Db } from '../storage/store.js';
import { flowOf, type LineShape } from './flows.js';
import { rollUpGaps } from './gap-months.js';

const KINDS = new Set(['earn', 'activate', 'spend', 'lock', 'capture', 'unlock', 'expire', 'reverse', 'adjust']);
import { DUE_FLOW, ENROLLED_FLOW } from './tally.js';

export async function checkAggregates(db: Db, transfers: readonly (LineShape & { amount: number })[]): Promise<string[]> {
  const rows = await allRows<{ flow: string; lines: unknown; points: unknown }>(
    db,
    sql`select flow, sum(lines) as lines, sum(points) as points from ledger_daily group by flow`,
  );
  if (rows.length === 0) return [];
  const want = new Map<string, { lines: number; points: number }>();
  for (const t of transfers) {
    if (!KINDS.has(t.kind)) continue; // I1 reports it
    const flow = flowOf(t);
    const f = want.get(flow) ?? { lines: 0, points: 0 };
    f.lines += 1;
    f.points += t.amount;
    want.set(flow, f);
  }
  const out: string[] = [];
  for (const r of rows) {
    if (r.flow === DUE_FLOW || r.flow === ENROLLED_FLOW) continue;
    const w = want.get(r.flow) ?? { lines: 0, points: 0 };
    want.delete(r.flow);
    if (Number(r.lines) !== w.lines || Number(r.points) !== w.points) {
      out.push(`I6 analytics ${r.flow}: ${Number(r.lines)} lines / ${Number(r.points)} points counted, the ledger has ${w.lines} / ${w.points}`);
    }
  }
  for (const [flow, w] of want) out.push(`I6 analytics ${flow}: not counted, the ledger has ${w.lines} lines / ${w.points} points`);
  out.push(...(await checkGapMonths(db)));
  return out;
}

/** `activity_gap_months` is `activity_gaps` summed by the month of `prev_day`, row for row. */
async function checkGapMonths(db: Db): Promise<string[]> {
  const gaps = await allRows<{ day: unknown; prev_day: unknown; members: unknown }>(db, sql`select day, prev_day, members from activity_gaps`);
  const want = new Map(rollUpGaps(gaps.map((g) => ({ day: Number(g.day), prevDay: Number(g.prev_day), members: Number(g.members) }))).map((m) => [`${m.day}/${m.prevMonth}`, m.members]));
  const out: string[] = [];
  for (const m of await allRows<{ day: unknown; prev_month: unknown; members: unknown }>(db, sql`select day, prev_month, members from activity_gap_months`)) {
    const key = `${Number(m.day)}/${Number(m.prev_month)}`;
    if (want.get(key) !== Number(m.members)) out.push(`I6 analytics activity_gap_months ${key}: ${Number(m.members)} members, activity_gaps has ${want.get(key) ?? 0}`);
    want.delete(key);
  }
  for (const [key, n] of want) out.push(`I6 analytics activity_gap_months ${key}: missing, activity_gaps has ${n} members`);
  return out;
}
