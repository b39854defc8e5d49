/**
 * Freshdesk's API rate limit, kept before calling with the shared limiter
 * (docs/adding-a-connector.md, "Rate limits"). Freshdesk limits each account per minute by plan,
 * every API call counted, failed ones too (docs/connectors/freshdesk.md, "Rate limits"). The
 * default is the smallest figure any plan documents, so a hub never collects 429s out of the
 * box; `FRESHDESK_RATE_LIMIT_PER_MINUTE` raises it to the account's own plan (or lowers it to
 * the hub's share when other integrations use the same account).
 */
import type { RateLimit } from '../../core/outbound/rate-limit.js';

export const DEFAULT_REQUESTS_PER_MINUTE = 50;

/** How long to stay away after an answer says no request is left this minute (Freshdesk gives no reset time). */
export const EXHAUSTED_HOLD_MS = 60_000;

/** The limit from `FRESHDESK_RATE_LIMIT_PER_MINUTE`: unset → the default; anything but a whole number ≥ 1 is refused at start. */
export function freshdeskRateLimits(perMinute: string | undefined): RateLimit[] {
  const text = perMinute?.trim();
  if (!text) return [{ requests: DEFAULT_REQUESTS_PER_MINUTE, perMs: 60_000 }];
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new Error(`FRESHDESK_RATE_LIMIT_PER_MINUTE must be a whole number of requests per minute (1 or more), got "${text}"`);
  }
  return [{ requests: Number(text), perMs: 60_000 }];
}
