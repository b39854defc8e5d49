/**
 * When a failed delivery is tried again: after the n-th failure, wait SCHEDULE[n-1] (Standard
 * Webhooks' schedule), ±10 % jitter so a provider outage does not end in a thundering herd.
 * After the last step the delivery is dead-lettered — kept, listed, retryable by hand; never
 * dropped.
 */
export const DEFAULT_SCHEDULE_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];

export function parseSchedule(text: string | undefined): number[] {
  if (!text) return DEFAULT_SCHEDULE_MS;
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  return text.split(',').map((part) => {
    const m = /^\s*(\d+)\s*(ms|s|m|h)\s*$/.exec(part);
    if (!m) throw new Error(`DELIVERY_RETRY_SCHEDULE: "${part}" is not a duration like 5s, 5m, 2h`);
    return Number(m[1]) * unit[m[2]!]!;
  });
}

/** The wait after `failures` failures, or undefined when the schedule is exhausted. */
export function nextDelay(schedule: number[], failures: number, random: () => number = Math.random): number | undefined {
  const base = schedule[failures - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (0.9 + 0.2 * random()));
}
