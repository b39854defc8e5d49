/**
 * Intercom's published rate limit, kept before calling with the shared limiter
 * (docs/adding-a-connector.md, "Rate limits"), and what its answers say about the window.
 *
 * A private app may make 10,000 calls a minute (25,000 per workspace across its apps), spread
 * over 10-second windows: 1,666 per window. Every answer carries `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix seconds when the window refills); a 429
 * carries them too, with `rate_limit_exceeded`. Intercom documents no `Retry-After`, but one is
 * honoured first if a proxy adds it.
 */
import { parseRetryAfter } from '../../core/outbound/adapter.js';
import type { RateLimit } from '../../core/outbound/rate-limit.js';

export const INTERCOM_RATE_LIMITS: readonly RateLimit[] = [
  { requests: 1666, perMs: 10_000 },
  { requests: 10_000, perMs: 60_000 },
];

/** Intercom's window, when an answer does not say when it resets. */
export const WINDOW_MS = 10_000;
/** A reset further away than this is a clock disagreement, not Intercom's window. */
const MAX_WAIT_MS = 60_000;

/** How long to stay away after a 429: Retry-After, else until X-RateLimit-Reset, else one window. */
export function rateLimitWaitMs(headers: Headers, now: number): number {
  const retryAfter = parseRetryAfter(headers.get('retry-after') ?? undefined, now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = resetAt(headers);
  if (reset === undefined) return WINDOW_MS;
  return Math.min(MAX_WAIT_MS, Math.max(1000, reset - now));
}

/** After any answer: when the window refills if it said no request remains in it, else undefined. */
export function exhaustedUntil(headers: Headers, now: number): number | undefined {
  if (headers.get('x-ratelimit-remaining')?.trim() !== '0') return undefined;
  const reset = resetAt(headers);
  return Math.min(now + MAX_WAIT_MS, reset !== undefined && reset > now ? reset : now + WINDOW_MS);
}

function resetAt(headers: Headers): number | undefined {
  const value = headers.get('x-ratelimit-reset')?.trim();
  return value && /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
}
