/** When a lot earned under a rule activates and expires, from the rule's (or program's) settings. */
import { DAY_MS, endOfDate, endOfPeriod } from './calendar.js';
import type { Expiry } from './program-schema.js';

export function activationTime(now: number, pendingDays: number): number {
  return now + pendingDays * DAY_MS;
}

/** N days after activation, the end of the activation's month/quarter/year, a date, or never (null). */
export function expiryTime(activatesAt: number, expiry: Expiry, timeZone: string): number | null {
  if (expiry === 'never') return null;
  if ('afterDays' in expiry) return activatesAt + expiry.afterDays * DAY_MS;
  if ('endOf' in expiry) return endOfPeriod(activatesAt, timeZone, expiry.endOf);
  return endOfDate(expiry.on, timeZone);
}
