/**
 * `points.threshold_reached` (SPEC §4, docs/mappings.md "points.threshold_reached"): a write that
 * takes a member's points from below a threshold the program names (`thresholds:`,
 * docs/program.md "Thresholds") to at or above it announces that threshold, once per crossing.
 * Nothing is stored: the write knows the balance before and after its change, so a member who
 * falls below and crosses again is announced again, and one write crossing two thresholds
 * announces both, lowest first.
 */
import type { BalanceSnapshot as BalanceFields } from './loyalty-events.js';

/**
 * What a threshold is compared with: the points the member holds and can spend — `available`,
 * plus `locked` (held by an open checkout, still theirs until captured), so a checkout hold that
 * is released does not announce the same milestone again. Pending points do not count: they can
 * still be taken back by a return, and a "you have 1,000 points" message must be true when it is
 * read; they count when the scheduler activates them (docs/program.md, "Thresholds").
 */
export function thresholdMeasure(b: BalanceFields): number {
  return b.available + b.locked;
}

/** The thresholds (ascending) a change from `before` to `after` crossed upwards. */
export function crossedThresholds(thresholds: readonly number[], before: BalanceFields, after: BalanceFields): number[] {
  const from = thresholdMeasure(before);
  const to = thresholdMeasure(after);
  if (to <= from) return [];
  return thresholds.filter((t) => from < t && t <= to);
}

/**
 * The `points.threshold_reached` events of one change: the fields of the event that announced
 * the change (`cause`: points, kind, source, reason, eventId, …), the threshold, and the balance
 * right after it.
 */
export function thresholdEvents(
  thresholds: readonly number[],
  memberId: string,
  before: BalanceFields,
  after: BalanceFields,
  cause: Record<string, unknown>,
): { type: 'points.threshold_reached'; memberId: string; data: Record<string, unknown> }[] {
  return crossedThresholds(thresholds, before, after).map((threshold) => ({
    type: 'points.threshold_reached',
    memberId,
    data: { ...cause, threshold, balance: after },
  }));
}
