/**
 * `activity_gap_months` from `activity_gaps` (core/storage/tables.ts): the gaps summed by the
 * month of their previous active day. One rule for the live write (./tally.ts), the rebuild
 * from the ledger (./backfill.ts), I6 (./check-aggregates.ts) and the bench's seed.
 */
import { monthOfDay } from './local-day.js';

export interface Gap {
  day: number;
  prevDay: number;
  members: number;
}

export interface GapMonth {
  day: number;
  prevMonth: number;
  members: number;
}

/** The gaps rolled up by (day, month of prev_day), in key order. */
export function rollUpGaps(gaps: Iterable<Gap>): GapMonth[] {
  const months = new Map<string, GapMonth>();
  for (const g of gaps) {
    const prevMonth = monthOfDay(g.prevDay);
    const key = `${g.day}:${prevMonth}`;
    const m = months.get(key);
    if (m) m.members += g.members;
    else months.set(key, { day: g.day, prevMonth, members: g.members });
  }
  return [...months.values()].sort((a, b) => a.day - b.day || a.prevMonth - b.prevMonth);
}
