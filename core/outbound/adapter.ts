/**
 * The outbound adapter interface: how the dispatcher hands one rendered message to a provider
 * (SendGrid, Twilio, Slack, Zendesk, signed webhooks, CRMs). An adapter lives in its platform's
 * folder under `connectors/` and is created from the environment by that connector's
 * definition; nothing about a provider leaks into the core.
 *
 * A mapping action (`send:` in a mapping file) names the adapter and gives its options; string
 * options are Liquid templates, rendered by the mapping engine before the adapter sees them.
 */
import type { z } from 'zod';

/** What a send came to. The dispatcher decides retries and dead letters from it. */
export type SendOutcome =
  | { status: 'delivered'; statusCode?: number; providerMessageId?: string }
  /** Try again later: a 5xx, a timeout, a 429 (with `retryAfterMs` from `Retry-After`). */
  | { status: 'retry'; statusCode?: number; retryAfterMs?: number; error: string }
  /** Never going to work as sent (a 4xx other than 408/429): dead-letter at once. */
  | { status: 'permanent'; statusCode?: number; error: string }
  /** Deliberately not sent (no consent, no address): recorded, not retried, not a failure. */
  | { status: 'skipped'; reason: string }
  /** Not now, and not a failure (quiet hours): send at `until`; the attempt does not count. */
  | { status: 'deferred'; until: number; reason: string };

export interface SendContext {
  /** Stable across every attempt of one delivery: pass it to providers that accept one. */
  idempotencyKey: string;
  attempt: number;
  /** The member the message is about, as of the event (null for member-less events). */
  member: { id: string; email: string | null; phone: string | null; consentEmail: boolean; consentSms: boolean; firstName: string | null; lastName: string | null } | null;
  /** The program's time zone (IANA), for quiet hours. */
  timeZone: string;
  now: number;
  signal: AbortSignal;
}

export interface OutboundAdapter<Options = Record<string, unknown>> {
  /** The name mappings use in `send: { adapter: … }`. */
  name: string;
  /** The options a mapping action may give, validated when mappings load (after rendering too). */
  options: z.ZodType<Options>;
  send(options: Options, context: SendContext): Promise<SendOutcome>;
}

/**
 * Classifies an HTTP answer from a provider the way every adapter should: 2xx delivered; 408,
 * 429 and 5xx retried (honouring `Retry-After`, seconds or an HTTP date); any other 4xx
 * permanent. An adapter whose provider uses another code for "try again" (Zendesk's 409 while
 * an idempotent request is in flight) handles it before calling this.
 */
export function classifyHttp(statusCode: number, headers: Headers | Record<string, string | undefined>, now = Date.now()): SendOutcome {
  if (statusCode >= 200 && statusCode < 300) return { status: 'delivered', statusCode };
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) ?? undefined : headers[name] ?? headers[name.toLowerCase()]);
  if (statusCode === 408 || statusCode === 429 || statusCode >= 500) {
    return { status: 'retry', statusCode, retryAfterMs: parseRetryAfter(get('retry-after'), now), error: `HTTP ${statusCode}` };
  }
  return { status: 'permanent', statusCode, error: `HTTP ${statusCode}` };
}

export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
