/**
 * The `klaviyo` mapping adapter: one send is one request, either a metric event
 * (`POST /api/events`, what Klaviyo flows trigger on) or the member's loyalty profile properties
 * (`POST /api/profile-import`). Plain `fetch`: the official Node SDK (klaviyo-api) retries inside
 * itself and takes no abort signal, while the dispatcher owns retries and timeouts
 * (docs/adding-a-connector.md, "Outbound: an adapter").
 *
 * Rate limits: Klaviyo limits each endpoint per account, in a one-second burst window and a
 * one-minute steady window. The adapter keeps both with the shared limiter, per endpoint, and
 * answers `deferred` (not an attempt) rather than collecting 429s; a 429 that still happens
 * (another integration using the same account) holds that endpoint's sends until its Retry-After.
 */
import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { classifyHttp, parseRetryAfter, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { createRateLimiter, type RateLimiter } from '../../core/outbound/rate-limit.js';
import { klaviyoReason, refusalHint } from './errors.js';
import { klaviyoOptions, type KlaviyoOptions } from './options.js';
import { eventRequestBody, KLAVIYO_REVISION, profileRequestBody, propertiesToSend, type ProfileIdentity } from './requests.js';

export const KLAVIYO_API = 'https://a.klaviyo.com';

/** The published limits of the two endpoints used, at the pinned revision. */
export const KLAVIYO_RATE_LIMITS = {
  events: [
    { requests: 350, perMs: 1000 },
    { requests: 3500, perMs: 60_000 },
  ],
  profileImport: [
    { requests: 75, perMs: 1000 },
    { requests: 750, perMs: 60_000 },
  ],
} as const;

/** How long a 429 without Retry-After keeps an endpoint's sends away: Klaviyo's burst window. */
const DEFAULT_HOLD_MS = 1000;

export interface KlaviyoAdapterConfig {
  /** `KLAVIYO_API_KEY`: a private API key (pk_…). */
  apiKey: string;
  /** `KLAVIYO_API_URL`: a proxy or a local stub instead of https://a.klaviyo.com. */
  apiUrl?: string;
}

type Member = SendContext['member'];

/** The profile to write or to record the event on, or why there is none. */
export function profileIdentity(options: KlaviyoOptions, member: Member): ProfileIdentity | { skip: string } {
  if (options.requireEmailConsent && !member?.consentEmail) {
    return { skip: 'the member has not agreed to receive e-mail (requireEmailConsent)' };
  }
  let email: string | undefined;
  if (options.email !== undefined) {
    email = options.email.trim();
    if (!email) return { skip: 'the e-mail to find the Klaviyo profile by rendered empty' };
  } else {
    email = member?.email?.trim() || undefined;
    if (!email) return { skip: member ? 'the member has no e-mail address to find their Klaviyo profile by' : 'the event concerns no member, and the action gives no email' };
  }
  const externalId = options.externalId !== undefined ? options.externalId.trim() : member?.id;
  return { email, ...(externalId ? { externalId } : {}) };
}

export function createKlaviyoAdapter(config: KlaviyoAdapterConfig): OutboundAdapter<KlaviyoOptions> {
  const base = (config.apiUrl?.trim() || KLAVIYO_API).replace(/\/+$/, '');
  const endpoints: Record<KlaviyoOptions['action'], { url: string; limiter: RateLimiter }> = {
    event: { url: `${base}/api/events`, limiter: createRateLimiter('Klaviyo (events)', KLAVIYO_RATE_LIMITS.events) },
    profile: { url: `${base}/api/profile-import`, limiter: createRateLimiter('Klaviyo (profile-import)', KLAVIYO_RATE_LIMITS.profileImport) },
  };
  const headers = {
    authorization: `Klaviyo-API-Key ${config.apiKey}`,
    accept: 'application/vnd.api+json',
    'content-type': 'application/vnd.api+json',
    revision: KLAVIYO_REVISION,
  };

  return {
    name: 'klaviyo',
    options: klaviyoOptions,
    async send(options, context) {
      const who = profileIdentity(options, context.member);
      if ('skip' in who) return { status: 'skipped', reason: `klaviyo: ${who.skip}` };

      let body: unknown;
      if (options.action === 'event') {
        body = eventRequestBody(options, who, context.idempotencyKey);
      } else {
        const properties = propertiesToSend(options.properties);
        if (Object.keys(properties).length === 0) return { status: 'skipped', reason: 'klaviyo: every profile property rendered empty; nothing to write' };
        body = profileRequestBody(properties, who);
      }

      const endpoint = endpoints[options.action];
      const turn = endpoint.limiter.take(context.now);
      if (!turn.ok) return { status: 'deferred', until: turn.until, reason: `klaviyo: ${turn.reason}` };
      if (context.signal.aborted) return { status: 'retry', error: 'klaviyo: aborted' };

      let res: Response;
      try {
        res = await fetch(endpoint.url, { method: 'POST', headers, body: JSON.stringify(body), signal: context.signal });
      } catch (error) {
        if (context.signal.aborted) return { status: 'retry', error: 'klaviyo: aborted' };
        return { status: 'retry', error: `klaviyo: request failed: ${requestFailure(error)}` };
      }
      return answer(res, endpoint.limiter, context);
    },
  };
}

async function answer(res: Response, limiter: RateLimiter, context: SendContext): Promise<SendOutcome> {
  const body = await jsonAnswer(res);
  if (res.ok) {
    // A profile-import answers the profile (its id); an event is accepted (202) with no body.
    const id = (body as { data?: { id?: unknown } } | undefined)?.data?.id;
    return { status: 'delivered', statusCode: res.status, ...(typeof id === 'string' && id ? { providerMessageId: id } : {}) };
  }
  const reason = klaviyoReason(body);
  const error = `klaviyo: HTTP ${res.status}${reason ? ` ${reason}` : ''}${refusalHint(res.status, body)}`;
  if (res.status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after') ?? undefined, context.now);
    limiter.holdUntil(context.now + (retryAfterMs ?? DEFAULT_HOLD_MS), 'Klaviyo answered 429 Too Many Requests');
    return { status: 'retry', statusCode: 429, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error };
  }
  const outcome = classifyHttp(res.status, res.headers, context.now);
  if (outcome.status === 'retry' || outcome.status === 'permanent') return { ...outcome, error };
  return outcome;
}
