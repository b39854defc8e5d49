/**
 * The analytics flush of a small write (./tally.ts): a `POST /v1/events` earn or a webhook's
 * order counts two or three sums and one active member. Each is one prepared single-row upsert
 * here (`prepared()`, core/storage/prepared.ts: built and compiled once per connection), where
 * the multi-row statements of a big write cost more than the rows they wrote: a `values` CTE
 * grouped, sorted and joined to `member_standing` took ~46 µs on SQLite for two rows, and
 * Drizzle rebuilt its text on every write (docs/architecture.md, "Statements per write").
 * They write exactly what the multi-row statements write, row by row.
 */
import { sql } from 'drizzle-orm';
import { prepared } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import type { LineSum } from './tally.js';

/**
 * Adds one sum to its `ledger_daily` row, under the sum's tier, else the member's standing
 * (read by the upsert itself), else ''. Sums of one member never share a row key, and sums of
 * several members that do are applied one after the other, so no grouping is needed.
 */
export async function addLineSum(tx: Db, s: LineSum): Promise<void> {
  await prepared(tx, 'analytics_line_sum', (db, t) =>
    db
      .insert(t.ledgerDaily)
      .values({
        day: sql.placeholder('day'),
        flow: sql.placeholder('flow'),
        source: sql.placeholder('source'),
        channel: sql.placeholder('channel'),
        tier: sql`coalesce(cast(${sql.placeholder('tier')} as text), (select ${t.memberStanding.tier} from ${t.memberStanding} where ${t.memberStanding.memberId} = ${sql.placeholder('memberId')}), '')`,
        lines: sql.placeholder('lines'),
        points: sql.placeholder('points'),
      })
      .onConflictDoUpdate({
        target: [t.ledgerDaily.day, t.ledgerDaily.flow, t.ledgerDaily.source, t.ledgerDaily.channel, t.ledgerDaily.tier],
        set: { lines: sql`${t.ledgerDaily.lines} + excluded.lines`, points: sql`${t.ledgerDaily.points} + excluded.points` },
      }),
  )({ day: s.day, flow: s.flow, source: s.source, channel: s.channel, tier: s.tier, memberId: s.memberId, lines: s.lines, points: s.points });
}

/**
 * Marks one member active on `day` (the rule of ./tally.ts `addActivity`); answers the active
 * day before it when this moved it (-1: never before), undefined when the member was already
 * counted on `day` or later.
 */
export async function markActive(tx: Db, day: number, memberId: string): Promise<number | undefined> {
  const [moved] = await prepared(tx, 'analytics_member_active', (db, t) =>
    db
      .insert(t.memberActivity)
      .values({ memberId: sql.placeholder('memberId'), day: sql.placeholder('day'), prevDay: -1 })
      .onConflictDoUpdate({
        target: t.memberActivity.memberId,
        set: { prevDay: sql`${t.memberActivity.day}`, day: sql`excluded.day` },
        setWhere: sql`${t.memberActivity.day} < excluded.day`,
      })
      .returning({ prevDay: t.memberActivity.prevDay }),
  )({ memberId, day });
  return moved ? Number(moved.prevDay) : undefined;
}

/** Counts `members` more members active on `day` whose previous active day was `prevDay`. */
export async function addGap(tx: Db, day: number, prevDay: number, members: number): Promise<void> {
  await prepared(tx, 'analytics_gap', (db, t) =>
    db
      .insert(t.activityGaps)
      .values({ day: sql.placeholder('day'), prevDay: sql.placeholder('prevDay'), members: sql.placeholder('members') })
      .onConflictDoUpdate({ target: [t.activityGaps.day, t.activityGaps.prevDay], set: { members: sql`${t.activityGaps.members} + excluded.members` } }),
  )({ day, prevDay, members });
}

/** Counts `members` more members active on `day` whose previous active day fell in `prevMonth` (./local-day.ts, `monthOfDay`). */
export async function addGapMonth(tx: Db, day: number, prevMonth: number, members: number): Promise<void> {
  await prepared(tx, 'analytics_gap_month', (db, t) =>
    db
      .insert(t.activityGapMonths)
      .values({ day: sql.placeholder('day'), prevMonth: sql.placeholder('prevMonth'), members: sql.placeholder('members') })
      .onConflictDoUpdate({ target: [t.activityGapMonths.day, t.activityGapMonths.prevMonth], set: { members: sql`${t.activityGapMonths.members} + excluded.members` } }),
  )({ day, prevMonth, members });
}
