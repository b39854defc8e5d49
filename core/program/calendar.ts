/**
 * Calendar arithmetic in the program's time zone: which day, week and month an instant falls in
 * (caps and tier windows count per local day), the weekday and time of day (happy-hour rules),
 * and the instant a month, quarter or year ends (end-of-period expiry and downgrades).
 * Built on Intl, so any IANA zone works and daylight saving is handled by the platform.
 */
const DAY_MS = 86_400_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws RangeError for a zone Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

export function localTime(at: number, timeZone: string): LocalTime {
  // UTC (the shipped program's zone) needs no Intl: formatToParts is costly on a hot path.
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    const d = new Date(at);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), weekday: WEEKDAYS[d.getUTCDay()]! };
  }
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: parts.weekday!.toLowerCase().slice(0, 3) as Weekday,
  };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2026-11-21` in the zone. */
export function dayKey(at: number, timeZone: string): string {
  const t = localTime(at, timeZone);
  return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
}

/** The local days (`YYYY-MM-DD`) of the week (Monday first), month or year containing `at`. */
export function periodStartDay(at: number, timeZone: string, period: 'day' | 'week' | 'month' | 'year'): string {
  const t = localTime(at, timeZone);
  if (period === 'day') return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
  if (period === 'month') return `${t.year}-${pad(t.month)}-01`;
  if (period === 'year') return `${t.year}-01-01`;
  const back = (WEEKDAYS.indexOf(t.weekday) + 6) % 7;
  const monday = new Date(Date.UTC(t.year, t.month - 1, t.day) - back * DAY_MS);
  return monday.toISOString().slice(0, 10);
}

/** A key naming the period `at` falls in: `2026-11-21`, `week-2026-11-16`, `2026-11`, `2026`, `ever`. */
export function periodKey(at: number, timeZone: string, period: 'ever' | 'day' | 'week' | 'month' | 'year'): string {
  if (period === 'ever') return 'ever';
  const start = periodStartDay(at, timeZone, period);
  if (period === 'month') return start.slice(0, 7);
  if (period === 'year') return start.slice(0, 4);
  if (period === 'week') return `week-${start}`;
  return start;
}

/** The day key `days - 1` days before `at`'s local day: the first day of an N-day window. */
export function windowStartDay(at: number, timeZone: string, days: number): string {
  const t = localTime(at, timeZone);
  return new Date(Date.UTC(t.year, t.month - 1, t.day) - (days - 1) * DAY_MS).toISOString().slice(0, 10);
}

/** The instant local wall time y-m-d h:mi occurs in the zone (the first one, across DST). */
export function zonedInstant(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const t = localTime(guess, timeZone);
    const seen = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
    const diff = wall - seen;
    if (diff === 0) break;
    guess += diff;
  }
  return guess;
}

/** The last millisecond of the local month / quarter / year containing `at`. */
export function endOfPeriod(at: number, timeZone: string, period: 'month' | 'quarter' | 'year'): number {
  const t = localTime(at, timeZone);
  let year = t.year;
  let month = period === 'year' ? 12 : period === 'quarter' ? Math.ceil(t.month / 3) * 3 : t.month;
  // The first instant of the next period, minus one millisecond.
  month += 1;
  if (month > 12) {
    month = 1;
    year += 1;
  }
  return zonedInstant(timeZone, year, month, 1) - 1;
}

/** The last millisecond of the local date `YYYY-MM-DD`. */
export function endOfDate(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d) + DAY_MS);
  return zonedInstant(timeZone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()) - 1;
}

export function startOfDate(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return zonedInstant(timeZone, y, m, d);
}

export { DAY_MS };
