/**
 * `GET /v1/analytics/summary` (docs/api.md, "Analytics"): the figures finance asks for, read
 * from the aggregates the write boundary keeps with the ledger (./tally.ts), never by scanning
 * transfers — a handful of range reads whatever the size of the program (docs/BENCHMARKS.md (j)).
 * Days are local days in the program's time zone; `from` and `to` are whole days, both included.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Program } from '../program/compiled-program.js';
import { startOfDate } from '../program/calendar.js';
import { allRows } from '../storage/dialect.js';
import type { Db } from '../storage/store.js';
import { currencyExponent, toMinorUnits } from '../triggers/money.js';
import { FLOWS, LIABILITY_SIGN, PENDING_SIGN, type Flow } from './flows.js';
import { dateOfDay, dayOfDate, firstDayOfMonth, monthOfDay } from './local-day.js';
import { DUE_FLOW, ENROLLED_FLOW } from './tally.js';

export type GroupBy = 'day' | 'week' | 'month';

export interface SummaryQuery {
  /** First and last local day (days since 1970-01-01), both included. */
  from: number;
  to: number;
  groupBy: GroupBy;
}

/** Points moved in a range, by what happened to them. */
export interface PointFigures {
  issued: number;
  issuedPending: number;
  redeemed: number;
  expired: number;
  reversed: { earned: number; redeemed: number };
  adjusted: { credit: number; debit: number };
  /** issued − redeemed − expired − reversed.earned + reversed.redeemed + adjusted.credit − adjusted.debit. */
  net: number;
}

type Sums = Partial<Record<Flow | typeof DUE_FLOW | typeof ENROLLED_FLOW, number>>;

function figures(s: Sums): PointFigures {
  const n = (f: Flow) => s[f] ?? 0;
  const issued = n('earn') + n('earn_pending');
  const redeemed = n('spend') + n('capture');
  let net = 0;
  for (const f of FLOWS) net += LIABILITY_SIGN[f] * n(f);
  return {
    issued,
    issuedPending: n('earn_pending'),
    redeemed,
    expired: n('expire'),
    reversed: { earned: n('reverse_earn') + n('reverse_pending'), redeemed: n('reverse_spend') },
    adjusted: { credit: n('adjust_credit'), debit: n('adjust_debit') },
    net,
  };
}

/** A ratio of two integers as a decimal of at most 4 places; null when nothing was in the denominator. */
function rate(numerator: number, denominator: number): number | null {
  return denominator > 0 ? Math.round((numerator * 10_000) / denominator) / 10_000 : null;
}

/** The buckets of the series: [first day, last day] clipped to the range. */
export function buckets(q: SummaryQuery): { period: string; from: number; to: number }[] {
  const out: { period: string; from: number; to: number }[] = [];
  let day = q.from;
  while (day <= q.to) {
    let end: number;
    const date = dateOfDay(day);
    if (q.groupBy === 'day') end = day;
    else if (q.groupBy === 'week') end = day + ((7 - ((new Date(date).getUTCDay() + 6) % 7)) - 1); // through Sunday
    else {
      const d = new Date(date);
      end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 86_400_000 - 1;
    }
    end = Math.min(end, q.to);
    // A week is named by its Monday, a month by YYYY-MM, even where the range clips it.
    const period = q.groupBy === 'month' ? date.slice(0, 7) : q.groupBy === 'week' ? dateOfDay(day - ((new Date(date).getUTCDay() + 6) % 7)) : date;
    out.push({ period, from: day, to: end });
    day = end + 1;
  }
  return out;
}

const int = (v: unknown) => Number(v ?? 0);

/**
 * `b(period, lo, hi, lo_month, month_start)`: the buckets as a relation both dialects join on,
 * with the month of each first day (./local-day.ts, `monthOfDay`) and where that month starts.
 */
function bucketRelation(rows: { period: string; lo: number; hi: number }[]): SQL {
  return sql`b(period, lo, hi, lo_month, month_start) as (values ${sql.join(
    rows.map((r) => sql`(${r.period}, cast(${r.lo} as bigint), cast(${r.hi} as bigint), cast(${monthOfDay(r.lo)} as bigint), cast(${firstDayOfMonth(r.lo)} as bigint))`),
    sql`, `,
  )})`;
}

export async function summarize(db: Db, program: Program, q: SummaryQuery, now: number) {
  const tz = program.timeZone;
  const baseTier = program.tiers[0]?.id ?? null;
  // A member with no standing yet holds the program's first tier; '' stays as null without tiers.
  const tierKey = (t: string) => (t === '' ? (baseTier ?? '') : t);

  // 1. Every flow of the range by source, channel and tier: totals and the three splits.
  const split = await allRows<{ flow: string; source: string; channel: string; tier: string; lines: unknown; points: unknown }>(
    db,
    sql`select flow, source, channel, tier, sum(lines) as lines, sum(points) as points from ledger_daily
        where day >= ${q.from} and day <= ${q.to} group by flow, source, channel, tier`,
  );
  let enrolledInRange = 0;
  const total: Sums = {};
  const by = { source: new Map<string, Sums>(), channel: new Map<string, Sums>(), tier: new Map<string, Sums>() };
  for (const r of split) {
    if (r.flow === ENROLLED_FLOW) {
      enrolledInRange += int(r.lines);
      continue;
    }
    const flow = r.flow as Flow;
    const points = int(r.points);
    total[flow] = (total[flow] ?? 0) + points;
    if (r.flow === DUE_FLOW) continue;
    for (const [dim, key] of [['source', r.source], ['channel', r.channel], ['tier', tierKey(r.tier)]] as const) {
      const m = by[dim].get(key) ?? {};
      m[flow] = (m[flow] ?? 0) + points;
      by[dim].set(key, m);
    }
  }

  // 2. The series: every flow per day, summed into buckets here (at most days × flows rows).
  const perDay = await allRows<{ day: unknown; flow: string; lines: unknown; points: unknown }>(
    db,
    sql`select day, flow, sum(lines) as lines, sum(points) as points from ledger_daily where day >= ${q.from} and day <= ${q.to} and flow <> ${DUE_FLOW} group by day, flow`,
  );
  const series = buckets(q);
  const sumsOf = new Map(series.map((b) => [b.from, {} as Sums]));
  const enrolledOf = new Map(series.map((b) => [b.from, 0]));
  const bucketStart = (day: number) => {
    let lo = 0;
    let hi = series.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (series[mid]!.from <= day) lo = mid;
      else hi = mid - 1;
    }
    return series[lo]!.from;
  };
  for (const r of perDay) {
    const start = bucketStart(int(r.day));
    if (r.flow === ENROLLED_FLOW) {
      enrolledOf.set(start, enrolledOf.get(start)! + int(r.lines));
      continue;
    }
    const s = sumsOf.get(start)!;
    const flow = r.flow as Flow;
    s[flow] = (s[flow] ?? 0) + int(r.points);
  }

  // 3. Active members: Σ members active on a day of the bucket whose previous active day was
  //    before the bucket — each member once (core/storage/tables.ts, activity_gaps). Those whose
  //    previous active day fell in a month before the bucket's first day's are read from the
  //    roll-up by month (activity_gap_months: at most days × months rows, one primary-key range
  //    per bucket); those whose previous day fell in that month, before the bucket, from
  //    activity_gaps: one short primary-key range per day of a bucket that starts mid-month
  //    (`d`, the days of such buckets). docs/BENCHMARKS.md (j): 2 years by month read 176k rows before.
  const all = [{ period: '*', lo: q.from, hi: q.to }, ...series.map((b) => ({ period: b.period, lo: b.from, hi: b.to }))];
  const activeRows = await allRows<{ period: string; members: unknown }>(
    db,
    sql`with recursive ${bucketRelation(all)},
          d(period, day, lo, month_start, hi) as (
            select period, lo, lo, month_start, hi from b where month_start < lo
            union all
            select period, day + 1, lo, month_start, hi from d where day < hi)
        select a.period as period, sum(a.members) as members from (
          select b.period as period,
                 (select sum(m.members) from activity_gap_months m where m.day >= b.lo and m.day <= b.hi and m.prev_month < b.lo_month) as members
          from b
          union all
          select d.period as period, g.members as members
          from d join activity_gaps g on g.day = d.day and g.prev_day >= d.month_start and g.prev_day < d.lo
        ) as a group by a.period`,
  );
  const active = new Map(activeRows.map((r) => [r.period, int(r.members)]));

  // 5. Liability at the end of `to` (or now, when `to` is today or later): every flow up to then.
  const upTo = await allRows<{ flow: string; points: unknown }>(
    db,
    sql`select flow, sum(points) as points from ledger_daily where day <= ${q.to} and flow <> ${DUE_FLOW} and flow <> ${ENROLLED_FLOW} group by flow`,
  );
  let liability = 0;
  let pending = 0;
  for (const r of upTo) {
    const flow = r.flow as Flow;
    liability += LIABILITY_SIGN[flow] * int(r.points);
    pending += (PENDING_SIGN[flow] ?? 0) * int(r.points);
  }
  const endOfTo = startOfDate(dateOfDay(q.to + 1), tz) - 1;

  // 6. Reward popularity.
  const rewardRows = await allRows<{ reward_id: string; name: string | null; redemptions: unknown; points: unknown }>(
    db,
    sql`select d.reward_id as reward_id, r.name as name, sum(d.redemptions) as redemptions, sum(d.points) as points
        from reward_daily d left join rewards r on r.id = d.reward_id
        where d.day >= ${q.from} and d.day <= ${q.to} group by d.reward_id, r.name`,
  );
  const rewards = rewardRows
    .map((r) => ({ rewardId: r.reward_id, name: r.name, redemptions: int(r.redemptions), points: int(r.points) }))
    .sort((a, b) => b.redemptions - a.redemptions || b.points - a.points || (a.rewardId < b.rewardId ? -1 : 1));

  const totals = figures(total);
  const due = total[DUE_FLOW] ?? 0;
  // Largest issuer first, then by name, so the order is stable.
  const ordered = (m: Map<string, Sums>) =>
    [...m].map(([key, s]) => ({ key, figures: figures(s) })).sort((a, b) => b.figures.issued - a.figures.issued || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  return {
    from: dateOfDay(q.from),
    to: dateOfDay(q.to),
    groupBy: q.groupBy,
    timeZone: tz,
    points: totals,
    liability: {
      at: new Date(Math.min(endOfTo, now)).toISOString(),
      points: liability,
      pending,
      value: liabilityValue(program, liability),
    },
    rates: {
      breakage: rate(totals.expired, due),
      expiringDue: due,
      redemption: rate(totals.redeemed, totals.issued),
    },
    members: { active: active.get('*') ?? 0, new: enrolledInRange },
    bySource: ordered(by.source).map(({ key, figures: f }) => ({ source: key, ...f })),
    byChannel: ordered(by.channel).map(({ key, figures: f }) => ({ channel: key, ...f })),
    byTier: ordered(by.tier).map(({ key, figures: f }) => ({ tier: key === '' ? null : key, ...f })),
    series: series.map((b) => ({
      period: b.period,
      from: dateOfDay(b.from),
      to: dateOfDay(b.to),
      points: figures(sumsOf.get(b.from)!),
      members: { active: active.get(b.period) ?? 0, new: enrolledOf.get(b.from)! },
    })),
    rewards,
  };
}

/**
 * The liability in money at the program's point value (`redemption.pointsValue`: 100 points =
 * 1.00 USD), in minor units, rounded down to a whole minor unit; one entry per currency the
 * program values points in (none when it sets no value).
 */
export function liabilityValue(program: Program, points: number): { currency: string; amount: number; exponent: number }[] {
  const pv = program.config.redemption.pointsValue;
  if (!pv) return [];
  const perPoints = BigInt(pv.points);
  const minor = BigInt(toMinorUnits(pv.value, pv.currency));
  const product = BigInt(points) * minor;
  // Floor division, also for a negative liability (more taken back than was owed).
  const amount = product >= 0n ? product / perPoints : -((-product + perPoints - 1n) / perPoints);
  const currency = pv.currency.toUpperCase();
  return [{ currency, amount: Number(amount), exponent: currencyExponent(currency) }];
}

export { dayOfDate };
