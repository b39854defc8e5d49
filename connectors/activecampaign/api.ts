/**
 * The edge between the connector and ActiveCampaign's API v3, with plain `fetch` (the official
 * Node package speaks only the old v1 API): every request goes through `request`, which
 *
 * - keeps ActiveCampaign's published rate limit (5 requests per second per account) with the
 *   shared limiter, counting every HTTP request, not every send (docs/adding-a-connector.md,
 *   "Rate limits"): when the limiter says wait, it throws `ActiveCampaignWait` before calling;
 * - after a 429, holds every further request until `Retry-After` has passed;
 * - turns an error answer into `ActiveCampaignApiError` carrying ActiveCampaign's own reason
 *   (`errors[].title`/`detail`, or `message`), so the adapter can dead-letter with it.
 *
 * Authentication is the account's API key in the `Api-Token` header; the base URL is the
 * account's own API URL (`https://<account>.api-us1.com`), which is also what tests and proxies
 * redirect.
 */
import { jsonAnswer } from '../../core/outbound/provider-answer.js';
import { parseRetryAfter } from '../../core/outbound/adapter.js';
import { createRateLimiter, type RateLimiter } from '../../core/outbound/rate-limit.js';

/** ActiveCampaign's documented limit: 5 requests per second, per account. */
export const ACTIVECAMPAIGN_RATE_LIMITS = [{ requests: 5, perMs: 1000 }] as const;

/** How long to stay away after a 429 that names no `Retry-After`. */
const DEFAULT_429_WAIT_MS = 1000;

/** `ACTIVECAMPAIGN_API_URL` as people paste it: with or without a trailing slash or `/api/3`. */
export function activeCampaignBaseUrl(apiUrl: string): string {
  return apiUrl.trim().replace(/\/+$/, '').replace(/\/api\/3$/i, '');
}

/** ActiveCampaign answered with an error status; `reason` is ActiveCampaign's own words. */
export class ActiveCampaignApiError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    readonly reason: string | undefined,
    readonly request: string,
  ) {
    super(`${request} answered HTTP ${status}${reason ? `: ${reason}` : ''}`);
    this.name = 'ActiveCampaignApiError';
  }
}

/** No answer: the network failed, or the hub stopped waiting (abort, time limit). */
export class ActiveCampaignRequestError extends Error {
  constructor(
    message: string,
    readonly aborted: boolean,
  ) {
    super(message);
    this.name = 'ActiveCampaignRequestError';
  }
}

/** The rate limit (or a 429's Retry-After) says no request may go before `until`. */
export class ActiveCampaignWait extends Error {
  constructor(
    readonly until: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ActiveCampaignWait';
  }
}

export interface RequestContext {
  /** The dispatcher's clock at the start of the send. */
  now: number;
  signal: AbortSignal;
}

export interface ActiveCampaignApi {
  /** One request to `/api/3<path>`; the parsed JSON body (or `{}` for an empty one). */
  request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown, context: RequestContext): Promise<{ status: number; body: T }>;
}

export function createActiveCampaignApi(config: { apiUrl: string; apiKey: string; limiter?: RateLimiter }): ActiveCampaignApi {
  const base = `${activeCampaignBaseUrl(config.apiUrl)}/api/3`;
  const limiter = config.limiter ?? createRateLimiter('ActiveCampaign', ACTIVECAMPAIGN_RATE_LIMITS);

  return {
    async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown, context: RequestContext) {
      const what = `${method} /api/3${path.replace(/\?.*$/, '')}`;
      const turn = limiter.take(context.now);
      if (!turn.ok) throw new ActiveCampaignWait(turn.until, turn.reason);
      if (context.signal.aborted) throw new ActiveCampaignRequestError('aborted before the request was sent', true);

      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: {
            'api-token': config.apiKey,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: context.signal,
        });
      } catch (error) {
        if (context.signal.aborted) throw new ActiveCampaignRequestError(`aborted while waiting for ${what}`, true);
        throw new ActiveCampaignRequestError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, false);
      }
      const parsed = await jsonAnswer(res);
      if (res.ok) return { status: res.status, body: (parsed ?? {}) as T };

      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after') ?? undefined, context.now);
      if (res.status === 429) {
        limiter.holdUntil(context.now + (retryAfterMs ?? DEFAULT_429_WAIT_MS), 'ActiveCampaign answered 429 Too Many Requests');
      }
      throw new ActiveCampaignApiError(res.status, retryAfterMs, reasonOf(parsed), what);
    },
  };
}

/**
 * ActiveCampaign's reason for refusing: its v3 errors are `{ errors: [{ title, detail, code,
 * source: { pointer } }] }`, some endpoints answer `{ message }` instead.
 */
export function reasonOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { errors, message } = body as { errors?: unknown; message?: unknown };
  if (Array.isArray(errors)) {
    const parts = errors.flatMap((e) => {
      if (!e || typeof e !== 'object') return [];
      const { title, detail, source } = e as { title?: unknown; detail?: unknown; source?: { pointer?: unknown } };
      const words = [title, detail].filter((w): w is string => typeof w === 'string' && w.length > 0);
      const pointer = typeof source?.pointer === 'string' ? ` (${source.pointer})` : '';
      return words.length ? [`${[...new Set(words)].join(': ')}${pointer}`] : [];
    });
    if (parts.length) return truncate(parts.join('; '));
  }
  return typeof message === 'string' && message ? truncate(message) : undefined;
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
