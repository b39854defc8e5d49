/**
 * Local days as numbers: the date an instant falls on in the program's time zone
 * (core/program/calendar.ts), counted as days since 1970-01-01. The analytics aggregates are
 * keyed by it (docs/architecture.md, "Analytics aggregates"): an integer compares and ranges
 * cheaply in both dialects, and a week or a month is a range of them.
 */
import { DAY_MS, localTime } from '../program/calendar.js';

/** The local day `at` falls on in `timeZone`. */
export function localDay(at: number, timeZone: string): number {
  const t = localTime(at, timeZone);
  return Date.UTC(t.year, t.month - 1, t.day) / DAY_MS;
}

/** `YYYY-MM-DD` → its day number (the string is assumed valid). */
export function dayOfDate(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** Day number → `YYYY-MM-DD`. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The month a day number falls in, as months since 1970-01 (`activity_gap_months.prev_month`);
 * -1 for -1 (a member never active before). The same numbering as migration 0014's SQL.
 */
export function monthOfDay(day: number): number {
  if (day < 0) return -1;
  const d = new Date(day * DAY_MS);
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
}

/** The first day of the month `day` falls in. */
export function firstDayOfMonth(day: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
}
