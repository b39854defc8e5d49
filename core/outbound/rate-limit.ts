/**
 * A provider's published rate limits, kept by the adapter that calls it (docs/adding-a-connector.md,
 * "Rate limits"): `take(now)` before each request either grants it or says when the next one may
 * go, and the adapter answers `deferred` until then — a deferral does not count as an attempt, so
 * a burst of loyalty events waits its turn instead of collecting 429s and dead letters. After a
 * 429, `holdUntil` keeps every send away until the provider's `Retry-After` has passed.
 *
 * Limits are per hub process: several processes sharing one provider account should declare their
 * share (docs/operating.md). Each window is a fixed-size sliding log of grant times, so a limit of
 * 350 per second never lets a 351st request through within any 1,000 ms.
 */
export interface RateLimit {
  /** At most this many requests… */
  requests: number;
  /** …in any window of this many milliseconds. */
  perMs: number;
}

export type RateDecision = { ok: true } | { ok: false; until: number; reason: string };

export interface RateLimiter {
  /** Grants one request now, or says when one may go and which limit holds it back. */
  take(now: number): RateDecision;
  /** The provider asked us to stay away until `until` (a 429's Retry-After). */
  holdUntil(until: number, reason: string): void;
}

export function createRateLimiter(provider: string, limits: readonly RateLimit[]): RateLimiter {
  for (const l of limits) {
    if (!Number.isInteger(l.requests) || l.requests < 1 || !Number.isInteger(l.perMs) || l.perMs < 1) {
      throw new Error(`${provider}: a rate limit needs whole numbers of requests and milliseconds, got ${JSON.stringify(l)}`);
    }
  }
  // Per limit, a ring of the last `requests` grant times: the oldest tells when the window frees.
  const rings = limits.map((l) => ({ limit: l, times: new Array<number>(l.requests).fill(-Infinity), next: 0 }));
  let held: { until: number; reason: string } | undefined;

  return {
    take(now) {
      if (held && now < held.until) return { ok: false, until: held.until, reason: held.reason };
      held = undefined;
      let until = now;
      let reason = '';
      for (const ring of rings) {
        const frees = ring.times[ring.next]! + ring.limit.perMs;
        if (frees > until) {
          until = frees;
          reason = `${provider} allows ${ring.limit.requests} requests per ${describeWindow(ring.limit.perMs)}`;
        }
      }
      if (until > now) return { ok: false, until, reason };
      for (const ring of rings) {
        ring.times[ring.next] = now;
        ring.next = (ring.next + 1) % ring.limit.requests;
      }
      return { ok: true };
    },
    holdUntil(until, reason) {
      if (!held || until > held.until) held = { until, reason };
    },
  };
}

function describeWindow(ms: number): string {
  if (ms === 1000) return 'second';
  if (ms === 60_000) return 'minute';
  if (ms === 3_600_000) return 'hour';
  if (ms === 86_400_000) return 'day';
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
