/**
 * Quiet hours in a program's time zone, computed with Intl only (no tz library): the wall clock
 * at an instant comes from Intl.DateTimeFormat, and a wall-clock time is turned back into an
 * instant by trying the zone's UTC offsets on both sides of it — which is what makes DST days
 * come out right (08:00 is 12:00Z on the morning New York springs forward, 13:00Z the day before).
 */

export interface QuietHours {
  /** `HH:MM`, local time, the start of the quiet window. */
  start: string;
  /** `HH:MM`, local time, when sending may resume (exclusive end of the window). */
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '08:00' };

const DAY = 86_400_000;

/**
 * When `now` falls inside the quiet window in `timeZone`, the instant (epoch ms) the window ends;
 * otherwise null. A window whose start is after its end spans midnight (21:00–08:00); equal start
 * and end means no quiet hours. Throws a RangeError for an unknown time zone.
 */
export function quietUntil(now: number, timeZone: string, hours: QuietHours): number | null {
  const start = minutes(hours.start);
  const end = minutes(hours.end);
  if (start === end) return null;
  const wall = wallClock(now, timeZone);
  const t = wall.hour * 60 + wall.minute + wall.second / 60;
  const overnight = start > end;
  const quiet = overnight ? t >= start || t < end : t >= start && t < end;
  if (!quiet) return null;
  // In an overnight window before midnight, the end is tomorrow morning; otherwise today.
  const dayOffset = overnight && t >= start ? 1 : 0;
  return instantOf(wall.year, wall.month, wall.day + dayOffset, Math.floor(end / 60), end % 60, timeZone);
}

function minutes(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`not an HH:MM time: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
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
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(at: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at an instant, in ms (wall clock minus UTC). */
function offsetAt(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens in `timeZone` (day may overflow the month; Date.UTC
 * normalizes it). Like Temporal's `compatible` disambiguation: a time that occurs twice (the
 * autumn hour) gives the first; a time skipped by the spring change gives the instant as far past
 * the change as the time was (02:30 on a spring-forward night → 03:30 new time).
 */
export function instantOf(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offsets in force a day before and a day after cover any transition near this time.
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  const candidates = [...new Set([before, after])].map((o) => wall - o).filter((c) => offsetAt(c, timeZone) === wall - c);
  if (candidates.length) return Math.min(...candidates);
  // Skipped: read the wall time with the offset from before the change.
  return wall - before;
}
