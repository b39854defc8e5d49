/**
 * Freshdesk tickets (docs/connectors/freshdesk.md): one ticket per delivery, through
 * `POST /api/v2/tickets` with API-key Basic auth.
 *
 * Freshdesk takes no idempotency key, so the delivery id is written on the ticket as a tag and,
 * before creating, the adapter searches for a ticket carrying it (`GET /api/v2/search/tickets`):
 * an attempt after a lost answer, a restarted dispatcher or a manual retry finds the ticket the
 * earlier attempt opened and reports it delivered instead of opening a second one
 * (docs/connectors/freshdesk.md, "Duplicates"). Freshdesk's search index takes a few minutes to
 * show a new ticket, so after a creation whose answer was lost (timeout, network error, 5xx) the
 * next attempt waits — deferred, not counted — until the index can be trusted.
 *
 * Every request takes a turn from the shared limiter first; a 429 holds every send until its
 * Retry-After. The dispatcher owns retries: this adapter answers each attempt once.
 */
import { createHash } from 'node:crypto';
import type { AdapterServices } from '../../core/connectors/definition.js';
import { classifyHttp, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { createRateLimiter, type RateLimiter } from '../../core/outbound/rate-limit.js';
import { loyaltyContextHtml, readLoyaltyContext } from './loyalty-context.js';
import { freshdeskOptions, type FreshdeskOptions } from './options.js';
import { EXHAUSTED_HOLD_MS, freshdeskRateLimits } from './rate-limit.js';
import { unansweredCreations } from './unanswered.js';

/** How long Freshdesk's search may take to show a new ticket (docs/connectors/freshdesk.md, "Duplicates"). */
export const SEARCH_INDEX_DELAY_MS = 5 * 60_000;
import { resolveRequester, ticketBody } from './ticket.js';

export interface FreshdeskAdapterConfig {
  domain: string;
  apiKey: string;
  /** Replaces `https://<domain>.freshdesk.com` (a proxy, a sandbox, a local stub). */
  apiUrl?: string;
  /** `FRESHDESK_RATE_LIMIT_PER_MINUTE` as set, or undefined for the default. */
  requestsPerMinute?: string;
  /** The hub's store, for the loyalty context; without it tickets carry none. */
  services?: AdapterServices;
}

/** `FRESHDESK_DOMAIN` as people write it: `acme`, `acme.freshdesk.com` or `https://acme.freshdesk.com/`. */
export function freshdeskBaseUrl(config: Pick<FreshdeskAdapterConfig, 'domain' | 'apiUrl'>): string {
  if (config.apiUrl?.trim()) return config.apiUrl.trim().replace(/\/+$/, '');
  const host = config.domain.trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
  return `https://${host.includes('.') ? host : `${host}.freshdesk.com`}`;
}

/**
 * The tag that marks a delivery's ticket: the delivery id itself (`dlv_…`, 30 characters), so an
 * agent can look the delivery up; a key that is not tag-safe (a quote would break the search
 * query), or longer than 32 characters — kept short, as help desks limit tag length — is hashed
 * into one that is.
 */
export function deliveryTag(idempotencyKey: string): string {
  if (/^[A-Za-z0-9_-]{1,32}$/.test(idempotencyKey)) return idempotencyKey;
  return `lh_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 29)}`;
}

type Answer = { res: Response; body: unknown } | { failed: SendOutcome };

export function createFreshdeskAdapter(config: FreshdeskAdapterConfig, limiter: RateLimiter = createRateLimiter('Freshdesk', freshdeskRateLimits(config.requestsPerMinute))): OutboundAdapter<FreshdeskOptions> {
  const base = freshdeskBaseUrl(config);
  // API-key authentication: the key as user name, any password ("X"), Basic.
  const authorization = `Basic ${Buffer.from(`${config.apiKey}:X`).toString('base64')}`;
  // Deliveries whose creation request may have reached Freshdesk without an answer, and when.
  const unanswered = unansweredCreations(config.services?.state);

  async function call(method: 'GET' | 'POST', url: string, context: SendContext, body?: unknown): Promise<Answer> {
    const turn = limiter.take(context.now);
    if (!turn.ok) return { failed: { status: 'deferred', until: turn.until, reason: turn.reason } };
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: context.signal,
      });
    } catch (error) {
      if (context.signal.aborted) return { failed: { status: 'retry', error: 'freshdesk: aborted' } };
      return { failed: { status: 'retry', error: `freshdesk: request failed: ${requestFailure(error)}` } };
    }
    const answer = await jsonAnswer(res);
    if (res.headers.get('x-ratelimit-remaining')?.trim() === '0') {
      limiter.holdUntil(context.now + EXHAUSTED_HOLD_MS, 'Freshdesk: no request left in this minute (X-RateLimit-Remaining: 0)');
    }
    if (res.ok) return { res, body: answer };
    const outcome = classifyHttp(res.status, res.headers, context.now);
    const error = `freshdesk: ${method === 'GET' ? 'ticket search' : 'ticket creation'} HTTP ${res.status}${errorDetail(answer)}`;
    if (outcome.status === 'retry') {
      if (res.status === 429) limiter.holdUntil(context.now + (outcome.retryAfterMs ?? EXHAUSTED_HOLD_MS), 'Freshdesk answered 429 Too Many Requests');
      return { failed: { ...outcome, error } };
    }
    return { failed: outcome.status === 'permanent' ? { ...outcome, error } : outcome };
  }

  return {
    name: 'freshdesk',
    options: freshdeskOptions,
    async send(options, context) {
      if (context.signal.aborted) return { status: 'retry', error: 'freshdesk: aborted' };
      const requester = resolveRequester(options.requester, context.member);
      if (typeof requester === 'string') return { status: 'permanent', error: `freshdesk: ${requester}` };
      const tag = deliveryTag(context.idempotencyKey);

      const found = await call('GET', `${base}/api/v2/search/tickets?query=${encodeURIComponent(`"tag:'${tag}'"`)}`, context);
      if ('failed' in found) return found.failed;
      const existing = ticketIdOf((found.body as { results?: unknown } | undefined)?.results);
      if (existing) {
        await unanswered.settle(tag);
        return { status: 'delivered', statusCode: found.res.status, providerMessageId: existing };
      }
      const lost = await unanswered.since(tag);
      if (lost !== undefined && context.now < lost + SEARCH_INDEX_DELAY_MS) {
        return { status: 'deferred', until: lost + SEARCH_INDEX_DELAY_MS, reason: 'freshdesk: an earlier attempt got no answer; waiting for Freshdesk search to show its ticket, if it opened one' };
      }

      const loyalty = options.loyaltyContext !== false && context.member && config.services ? await readLoyaltyContext(config.services, context.member.id) : undefined;
      const created = await call('POST', `${base}/api/v2/tickets`, context, ticketBody(options, requester, tag, loyalty ? loyaltyContextHtml(loyalty) : ''));
      if ('failed' in created) {
        // A 429 or a 4xx created nothing; a lost answer or a 5xx may have.
        const f = created.failed;
        if (f.status === 'retry' && f.statusCode !== 429) await unanswered.mark(tag, context.now);
        return f;
      }
      await unanswered.settle(tag);
      const id = ticketIdOf([created.body]);
      return { status: 'delivered', statusCode: created.res.status, ...(id ? { providerMessageId: id } : {}) };
    },
  };
}

/** The first ticket's id in a list of tickets, as text. */
function ticketIdOf(list: unknown): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const id = (list[0] as { id?: unknown } | undefined)?.id;
  return typeof id === 'number' || (typeof id === 'string' && id) ? String(id) : undefined;
}

/**
 * Freshdesk's error documents: `{ description: "Validation failed", errors: [{ field, message, code }] }`
 * → ` Validation failed (email: There is no contact … [invalid_value])`, and `{ code, message }`
 * (authentication, access) → ` invalid_credentials: You have to be logged in …`. Kept short.
 */
function errorDetail(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const b = body as { description?: unknown; errors?: unknown; code?: unknown; message?: unknown };
  const head = [typeof b.code === 'string' ? b.code : undefined, typeof b.description === 'string' ? b.description : typeof b.message === 'string' ? b.message : undefined]
    .filter(Boolean)
    .join(': ');
  const details = Array.isArray(b.errors)
    ? b.errors.slice(0, 3).map((e: { field?: unknown; message?: unknown; code?: unknown }) =>
        [typeof e.field === 'string' && e.field ? `${e.field}: ` : '', typeof e.message === 'string' ? e.message : 'invalid', typeof e.code === 'string' ? ` [${e.code}]` : ''].join(''),
      )
    : [];
  let text = head + (details.length ? ` (${details.join('; ')})` : '');
  if (text.length > 300) text = `${text.slice(0, 300)}…`;
  return text ? ` ${text}` : '';
}
