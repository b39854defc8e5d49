/**
 * Birthdays and anniversaries (docs/program.md, "Birthdays and anniversaries"): once a day in the
 * program's time zone the scheduler turns members' birth dates and enrolment dates into the
 * activities `birthday` and `anniversary` (SPEC §4), applied like any other trigger
 * (`applyTrigger`), so the program's rules decide what they earn.
 *
 * - Exactly once per member and year: the trigger id is `hub:birthday:<member>:<year>` (or
 *   `hub:anniversary:…`), and the applied-trigger key answers a second sweep — the same
 *   process ticking twice, a restart, another hub on the same database — as a duplicate.
 * - 29 February: celebrated on 28 February in a year without one.
 * - Only `active` members (not erased, not suspended); no anniversary in the year of enrolment,
 *   no birthday in the year of birth.
 * - A hub that was down catches up the days it missed, at most `CATCH_UP_DAYS` back; the first
 *   sweep ever starts today (an upgrade does not award last week's birthdays).
 * - Cheap on a big program: members are looked up by index (every possible birth date of the day,
 *   enrolment instants of the day in each past year), in batches by member id, and each day's
 *   progress is kept in `celebration_sweeps`, so a finished day costs one read per tick.
 */
import { and, eq, gte, inArray, isNotNull, lte, max, min, or, type SQL } from 'drizzle-orm';
import type { Commit } from '../commit/commit.js';
import type { Clock } from '../ledger/types.js';
import { tablesOf } from '../storage/prepared.js';
import type { Store } from '../storage/store.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import { applyTrigger } from './apply-trigger.js';
import { DAY_MS, dayKey, endOfDate, localTime, startOfDate } from './calendar.js';
import type { Program } from './compiled-program.js';

export type CelebrationKind = 'birthday' | 'anniversary';
export const CELEBRATION_KINDS: readonly CelebrationKind[] = ['birthday', 'anniversary'];

/** A day missed while the hub was down is still celebrated up to this many days late. */
export const CATCH_UP_DAYS = 7;

/** Members applied per write: each is an `applyTrigger`, so a commit stays short. */
const MEMBERS_PER_COMMIT = 200;

/** Birth years looked up at most this far back, whatever a stored date claims. */
const OLDEST_AGE = 130;

export interface CelebrationDeps {
  store: Store;
  commit: Commit;
  clock: Clock;
}

export interface CelebrationWork {
  birthdays: number;
  anniversaries: number;
}

/** Sweeps the days due; applies at most `limit` triggers per kind in one call. */
export async function runCelebrations(deps: CelebrationDeps, program: Program, limit = 1000): Promise<CelebrationWork> {
  const now = deps.clock();
  const today = dayKey(now, program.timeZone);
  const work: CelebrationWork = { birthdays: 0, anniversaries: 0 };
  for (const kind of CELEBRATION_KINDS) {
    let budget = limit;
    for (const day of await daysDue(deps.store, kind, today)) {
      const applied = await sweepDay(deps, program, kind, day, budget);
      budget -= applied.handled;
      if (kind === 'birthday') work.birthdays += applied.applied;
      else work.anniversaries += applied.applied;
      if (!applied.finished || budget <= 0) break;
    }
  }
  return work;
}

function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The days still to sweep, oldest first: after the last finished one, at most CATCH_UP_DAYS back. */
async function daysDue(store: Store, kind: CelebrationKind, today: string): Promise<string[]> {
  const { celebrationSweeps: s } = tablesOf(store.db);
  const [last] = await store.db
    .select({ day: max(s.day) })
    .from(s)
    .where(and(eq(s.kind, kind), isNotNull(s.doneAt)));
  const [started] = await store.db.select({ day: min(s.day) }).from(s).where(eq(s.kind, kind));
  // Never swept: start today. Otherwise the day after the last finished one (or the first
  // started and unfinished), but never more than CATCH_UP_DAYS back.
  if (!started?.day) return [today];
  const oldest = shiftDay(today, -CATCH_UP_DAYS);
  let from = last?.day ? shiftDay(last.day, 1) : started.day;
  if (from < oldest) from = oldest;
  const days: string[] = [];
  for (let d = from; d <= today; d = shiftDay(d, 1)) days.push(d);
  return days;
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The calendar days (`MM-DD`) celebrated on `day`: 29 February joins 28 February in a common year. */
export function monthDaysCelebratedOn(day: string): string[] {
  const monthDay = day.slice(5);
  return monthDay === '02-28' && !isLeap(Number(day.slice(0, 4))) ? ['02-28', '02-29'] : [monthDay];
}

/**
 * Which members `day` celebrates: birth dates or enrolment instants (in the program's zone) on
 * that calendar day of an earlier year; active members only.
 */
async function candidates(store: Store, program: Program, kind: CelebrationKind, day: string): Promise<SQL | undefined> {
  const { members } = tablesOf(store.db);
  const year = Number(day.slice(0, 4));
  const monthDays = monthDaysCelebratedOn(day);
  if (kind === 'birthday') {
    // Every possible birth date of the day, from the oldest stored: point look-ups on
    // members_birth_date_idx instead of a scan of `substr(birth_date, …)` over every member.
    const [oldest] = await store.db.select({ birthDate: min(members.birthDate) }).from(members);
    const stored = Number(oldest?.birthDate?.slice(0, 4));
    if (!Number.isInteger(stored) || stored >= year) return undefined;
    const first = Math.max(stored, year - OLDEST_AGE);
    const dates: string[] = [];
    for (let y = first; y < year; y++) for (const md of monthDays) if (md !== '02-29' || isLeap(y)) dates.push(`${y}-${md}`);
    return inArray(members.birthDate, dates);
  }
  const [oldest] = await store.db.select({ createdAt: min(members.createdAt) }).from(members);
  if (oldest?.createdAt == null) return undefined;
  const first = localTime(oldest.createdAt, program.timeZone).year;
  const ranges: SQL[] = [];
  for (let y = first; y < year; y++) {
    for (const md of monthDays) {
      if (md === '02-29' && !isLeap(y)) continue;
      const date = `${y}-${md}`;
      ranges.push(and(gte(members.createdAt, startOfDate(date, program.timeZone)), lte(members.createdAt, endOfDate(date, program.timeZone)))!);
    }
  }
  return ranges.length ? or(...ranges) : undefined;
}

/**
 * Applies the next `limit` members of `day` at most (in commits of MEMBERS_PER_COMMIT), each
 * commit moving the day's cursor with the triggers it applied.
 */
async function sweepDay(
  deps: CelebrationDeps,
  program: Program,
  kind: CelebrationKind,
  day: string,
  limit: number,
): Promise<{ handled: number; applied: number; finished: boolean }> {
  const { store, commit } = deps;
  const { celebrationSweeps: s, members } = tablesOf(store.db);
  const [cursor] = await store.db.select().from(s).where(and(eq(s.kind, kind), eq(s.day, day)));
  if (cursor?.doneAt != null) return { handled: 0, applied: 0, finished: true };
  // The day's members at once (a few thousand on a program of a million: members / 365), by
  // index, then in id order in memory: an `order by id` would lead a planner without statistics
  // to walk every member by primary key instead (SQLite does).
  const which = await candidates(store, program, kind, day);
  const after = cursor?.after ?? '';
  const todo = which
    ? (
        await store.db
          .select({ id: members.id, birthDate: members.birthDate, createdAt: members.createdAt })
          .from(members)
          .where(and(which, eq(members.status, 'active')))
      )
        .filter((m) => m.id > after)
        .sort((a, b) => (a.id < b.id ? -1 : 1))
    : [];
  let handled = 0;
  let applied = 0;
  for (;;) {
    const batch = todo.slice(handled, handled + Math.min(MEMBERS_PER_COMMIT, limit - handled));
    const finished = handled + batch.length >= todo.length;
    const last = batch.at(-1)?.id ?? after;
    applied += await commit('scheduler', async (w) => {
      let n = 0;
      for (const m of batch) {
        const outcome = await applyTrigger(w, program, celebrationTrigger(kind, day, program, m));
        if (outcome.status === 'applied') n++;
      }
      const { celebrationSweeps: t } = tablesOf(w.tx);
      const doneAt = finished ? w.now : null;
      await w.tx
        .insert(t)
        .values({ kind, day, after: last, doneAt, updatedAt: w.now })
        .onConflictDoUpdate({ target: [t.kind, t.day], set: { after: last, doneAt, updatedAt: w.now } });
      return n;
    });
    handled += batch.length;
    if (finished) return { handled, applied, finished: true };
    if (handled >= limit) return { handled, applied, finished: false };
  }
}

/** The activity for one member's day; its id makes it once per member and year. */
function celebrationTrigger(
  kind: CelebrationKind,
  day: string,
  program: Program,
  member: { id: string; birthDate: string | null; createdAt: number },
): TriggerEvent {
  const year = Number(day.slice(0, 4));
  const since = kind === 'birthday' ? Number(member.birthDate!.slice(0, 4)) : localTime(member.createdAt, program.timeZone).year;
  return {
    id: `hub:${kind}:${member.id}:${year}`,
    type: 'activity',
    name: kind,
    source: 'hub',
    // The celebrated day, not the sweep's instant: a 31 December birthday caught up on 2 January
    // counts toward the year it belongs to (per-year limits, date conditions).
    occurredAt: startOfDate(day, program.timeZone),
    customer: { memberId: member.id },
    attributes: { date: day, years: year - since },
  };
}
