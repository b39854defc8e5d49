/**
 * The outbound half of the Marketing Cloud connector: a mapping action `send: { adapter: sfmc, … }`
 * fires a Journey Builder API entry event, `POST <rest base>/interaction/v1/events` with
 * `{ ContactKey, EventDefinitionKey, Data }`, so every journey that starts on that event receives
 * the contact with the loyalty fields.
 *
 * Outcomes: 201 → delivered (Marketing Cloud's `eventInstanceId` kept); 401 → the token is dropped
 * and the event sent once more with a new one; 408, 429 and 5xx → retry, honouring `Retry-After`
 * (a 429 also holds every send until then); other 4xx → permanent with Marketing Cloud's own
 * `message` and `errorcode`. No idempotency key exists for entry events: see
 * docs/connectors/sfmc.md, "Sent twice?".
 */
import { TokenRequestError, tokenFailure } from '../../core/outbound/token-cache.js';
import { jsonObjectAnswer } from '../../core/outbound/provider-answer.js';
import { maskEmail } from '../../core/observability/redact.js';
import { classifyHttp, type OutboundAdapter, type SendContext } from '../../core/outbound/adapter.js';
import { createRateLimiter } from '../../core/outbound/rate-limit.js';
import { sfmcOptions, type SfmcOptions } from './options.js';
import { createTokenCache, type TokenCache } from './token.js';

export interface SfmcAdapterConfig {
  subdomain: string;
  clientId: string;
  clientSecret: string;
  accountId?: string;
  /** `SFMC_AUTH_URL`: replaces `https://<subdomain>.auth.marketingcloudapis.com`. */
  authUrl?: string;
  /** `SFMC_REST_URL`: replaces `https://<subdomain>.rest.marketingcloudapis.com`. */
  restUrl?: string;
  /** The member's aliases (`sfmc:<contact key>`, …), read at send time. */
  aliasesOf: (memberId: string) => Promise<string[]>;
}

/**
 * Marketing Cloud publishes no fixed REST limit (it throttles an account with 429s "until the
 * issue is resolved"); 2,500 calls a minute is the ceiling its support recommends, kept here so a
 * burst of loyalty events is spread out rather than throttled (docs/connectors/sfmc.md).
 */
export const SFMC_RATE_LIMITS = [{ requests: 2500, perMs: 60_000 }];

/** `SFMC_SUBDOMAIN` as people paste it: `mc563885gzs27c5t9-63k636ttgm`, or a whole base URL. */
export function sfmcBaseUrls(config: Pick<SfmcAdapterConfig, 'subdomain' | 'authUrl' | 'restUrl'>): { auth: string; rest: string } {
  const sub = config.subdomain
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
    .replace(/\.(auth|rest|soap)\.marketingcloudapis\.com$/i, '');
  return {
    auth: (config.authUrl?.trim() || `https://${sub}.auth.marketingcloudapis.com`).replace(/\/+$/, ''),
    rest: (config.restUrl?.trim() || `https://${sub}.rest.marketingcloudapis.com`).replace(/\/+$/, ''),
  };
}

type Member = SendContext['member'];

async function contactKeyOf(options: SfmcOptions, member: Member, aliasesOf: SfmcAdapterConfig['aliasesOf']): Promise<string | { skip: string }> {
  if (options.contactKey !== undefined) {
    const key = options.contactKey.trim();
    return key || { skip: 'the contact key rendered empty' };
  }
  if (!member) return { skip: 'the event concerns no member, and the action names no contactKey' };
  const alias = (await aliasesOf(member.id)).find((a) => a.startsWith('sfmc:'));
  return alias ? alias.slice('sfmc:'.length) : { skip: 'the member has no Marketing Cloud contact (no sfmc: alias); give contactKey, e.g. "{{ member.email }}"' };
}

export function createSfmcAdapter(config: SfmcAdapterConfig): OutboundAdapter<SfmcOptions> {
  const urls = sfmcBaseUrls(config);
  const tokens: TokenCache = createTokenCache({ authUrl: urls.auth, clientId: config.clientId, clientSecret: config.clientSecret, accountId: config.accountId });
  const limiter = createRateLimiter('Marketing Cloud', SFMC_RATE_LIMITS);

  async function fire(body: string, context: SendContext): Promise<Response> {
    const token = await tokens.get(context.now, context.signal);
    const res = await post(token, body, context.signal);
    if (res.status !== 401) return res;
    // A token Marketing Cloud no longer takes (revoked, or the clock drifted): one new token.
    tokens.drop(token);
    await res.text().catch(() => undefined);
    return post(await tokens.get(context.now, context.signal), body, context.signal);
  }

  function post(token: string, body: string, signal: AbortSignal): Promise<Response> {
    return fetch(`${urls.rest}/interaction/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=UTF-8', accept: 'application/json' },
      body,
      signal,
    });
  }

  return {
    name: 'sfmc',
    options: sfmcOptions,
    async send(options, context) {
      if (options.requireEmailConsent && context.member && !context.member.consentEmail) {
        return { status: 'skipped', reason: 'sfmc: the member does not accept marketing e-mail (requireEmailConsent)' };
      }
      const contactKey = await contactKeyOf(options, context.member, config.aliasesOf);
      if (typeof contactKey !== 'string') return { status: 'skipped', reason: `sfmc: ${contactKey.skip}` };
      const turn = limiter.take(context.now);
      if (!turn.ok) return { status: 'deferred', until: turn.until, reason: `sfmc: ${turn.reason}` };
      if (context.signal.aborted) return { status: 'retry', error: 'sfmc: aborted' };

      const data: Record<string, string> = { ...options.data };
      if (options.deliveryIdField) data[options.deliveryIdField] = context.idempotencyKey;
      const body = JSON.stringify({ ContactKey: contactKey, EventDefinitionKey: options.eventDefinitionKey, Data: data });

      let res: Response;
      try {
        res = await fire(body, context);
      } catch (error) {
        if (error instanceof TokenRequestError) return tokenFailure('sfmc', error, context);
        if (context.signal.aborted) return { status: 'retry', error: 'sfmc: aborted' };
        return { status: 'retry', error: `sfmc: request failed: ${error instanceof Error ? error.message : String(error)}` };
      }
      const answer = await jsonObjectAnswer(res);
      const outcome = classifyHttp(res.status, res.headers, context.now);
      if (outcome.status === 'delivered') {
        const id = answer?.eventInstanceId;
        return { status: 'delivered', statusCode: res.status, ...(typeof id === 'string' ? { providerMessageId: id } : {}) };
      }
      const error = `sfmc: HTTP ${res.status}${describeError(answer)}`;
      if (outcome.status === 'retry') {
        if (res.status === 429) limiter.holdUntil(context.now + (outcome.retryAfterMs ?? 60_000), 'Marketing Cloud answered 429');
        return { ...outcome, error };
      }
      return outcome.status === 'permanent' ? { ...outcome, error } : outcome;
    },
  };
}

/**
 * Marketing Cloud's error body `{ message, errorcode, documentation }` → ` <message> (errorcode 30000)`.
 * The message may quote the contact key, often an e-mail address: masked, as in every log line
 * (docs/security.md, "Logs").
 */
function describeError(body: Record<string, unknown> | undefined): string {
  if (!body) return '';
  const message = typeof body.message === 'string' ? maskEmail(body.message) : undefined;
  const code = typeof body.errorcode === 'number' || typeof body.errorcode === 'string' ? body.errorcode : undefined;
  let text = [message, code !== undefined ? `(errorcode ${code})` : undefined].filter(Boolean).join(' ');
  if (text.length > 300) text = `${text.slice(0, 300)}…`;
  return text ? ` ${text}` : '';
}
