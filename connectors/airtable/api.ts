/**
 * What every Airtable call shares (docs/connectors/airtable.md): the base URL (`AIRTABLE_API_URL`
 * for a proxy or a local stub), the personal access token as a Bearer, Airtable's published rate
 * limit of 5 requests per second per base — kept per base by one limiter that the adapter, the
 * payload reads of the webhook and the refresh job all take turns from — and the reason of an
 * error answer, `{ error: { type, message } }` (or `{ error: "NOT_FOUND" }`).
 */
import { createRateLimiter, type RateLimiter } from '../../core/outbound/rate-limit.js';

export const DEFAULT_API_URL = 'https://api.airtable.com';

/**
 * Airtable answers 429 without Retry-After and documents the penalty instead: "wait 30 seconds
 * before subsequent requests will succeed".
 */
export const RATE_LIMIT_PENALTY_MS = 30_000;

export interface AirtableApi {
  baseUrl: string;
  token: string;
  baseId: string;
}

export function airtableApi(env: Record<string, string | undefined>): AirtableApi {
  return {
    baseUrl: (env.AIRTABLE_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, ''),
    token: env.AIRTABLE_TOKEN?.trim() ?? '',
    baseId: env.AIRTABLE_BASE_ID?.trim() ?? '',
  };
}

export function authHeaders(api: AirtableApi): Record<string, string> {
  return { authorization: `Bearer ${api.token}`, accept: 'application/json' };
}

const limiters = new Map<string, RateLimiter>();

/** The limiter of one base, shared by everything in this process that calls it. */
export function baseLimiter(baseId: string): RateLimiter {
  let limiter = limiters.get(baseId);
  if (!limiter) limiters.set(baseId, (limiter = createRateLimiter('Airtable', [{ requests: 5, perMs: 1000 }])));
  return limiter;
}

/** `INVALID_VALUE_FOR_COLUMN: Field "Points" cannot accept the provided value`, short. */
export function errorReason(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const error = (body as { error?: unknown }).error;
  let text = '';
  if (typeof error === 'string') text = error;
  else if (error && typeof error === 'object') {
    const { type, message } = error as { type?: unknown; message?: unknown };
    text = [typeof type === 'string' ? type : undefined, typeof message === 'string' ? message : undefined].filter(Boolean).join(': ');
  }
  if (text.length > 300) text = `${text.slice(0, 300)}…`;
  return text;
}
