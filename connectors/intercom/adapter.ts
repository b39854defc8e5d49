/**
 * The `intercom` mapping adapter: for one loyalty event, writes the loyalty custom attributes on
 * the member's Intercom user and/or submits a data event to them, so that Intercom outbound
 * messages (in-app, e-mail, push) triggered by the event reach the customer with current values.
 *
 * One send is one delivery, in this order:
 * 1. attributes (if given): the three data attributes are created once per process
 *    (`POST /data_attributes`; "already exists" is success), then the user is found
 *    (`POST /contacts/search` by external_id or e-mail, role user) and updated
 *    (`PUT /contacts/{id}` with `custom_attributes`) — written before the event so that the
 *    message the event triggers shows the new values;
 * 2. event (if given): `POST /events`, the user named by user_id or e-mail.
 *
 * Intercom takes no idempotency key. Both writes are safe to repeat: an attribute update sets
 * values, and Intercom ignores a second event with the same user, name and `created_at`, which
 * is the loyalty event's time (connectors/intercom/event.ts). So a retry after a lost answer, or
 * a deferral half-way, re-sends what was done and nothing is recorded twice.
 *
 * A user Intercom does not know is skipped with the reason, never created: users are created by
 * the merchant's app when the customer signs in to the Messenger (with the merchant's user ID and
 * identity verification), and a contact made by the hub would be a second record for that person,
 * or put someone who never used the Messenger into the workspace (docs/connectors/intercom.md).
 *
 * Rate limits: each request first takes a turn from the shared limiter (Intercom's 10,000 a
 * minute in 10-second windows); an answer that says the window is spent, or a 429, keeps the
 * following sends deferred until `X-RateLimit-Reset` (connectors/intercom/rate-limit.ts).
 */
import { parseRetryAfter, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { createRateLimiter, type RateLimiter } from '../../core/outbound/rate-limit.js';
import { maskEmail } from '../../core/observability/redact.js';
import { createIntercomApi, IntercomApiError, IntercomRequestError, type DataAttributeDefinition, type IntercomAnswer, type IntercomApi } from './api.js';
import { dataEvent, type Who } from './event.js';
import { intercomOptions, LOYALTY_ATTRIBUTES, type IntercomOptions } from './options.js';
import { exhaustedUntil, INTERCOM_RATE_LIMITS, rateLimitWaitMs } from './rate-limit.js';

export const LOYALTY_DATA_ATTRIBUTES: DataAttributeDefinition[] = [
  { name: 'loyalty_points', model: 'contact', data_type: 'integer', description: 'Spendable loyalty points (Loyalty Hub).' },
  { name: 'loyalty_tier', model: 'contact', data_type: 'string', description: 'Current loyalty tier (Loyalty Hub).' },
  { name: 'loyalty_points_expiring', model: 'contact', data_type: 'integer', description: 'Loyalty points about to expire, as of the last expiry reminder (Loyalty Hub).' },
];

export interface IntercomAdapterConfig {
  /** `INTERCOM_ACCESS_TOKEN`. */
  accessToken: string;
  /** `INTERCOM_API_URL`: the EU or Australian host, a proxy, a local stub. */
  apiUrl?: string;
}

/** A step could not go on now: answer this (deferred by the rate limit). */
class Deferred extends Error {
  constructor(readonly outcome: SendOutcome) {
    super('deferred');
  }
}

/** The values to write: trimmed, the empty ones left out, the counts as numbers. */
export function attributesToWrite(attributes: IntercomOptions['attributes']): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const name of LOYALTY_ATTRIBUTES) {
    const value = attributes?.[name]?.trim();
    if (value) out[name] = name === 'loyalty_tier' ? value : Number(value);
  }
  return out;
}

export function createIntercomAdapter(config: IntercomAdapterConfig, limiter: RateLimiter = createRateLimiter('Intercom', INTERCOM_RATE_LIMITS)): OutboundAdapter<IntercomOptions> {
  const api: IntercomApi = createIntercomApi({ accessToken: config.accessToken, apiUrl: config.apiUrl });
  let schema: Promise<string | undefined> | undefined;

  /** One turn of the rate limit, or a deferral of the whole send. */
  function turn(context: SendContext): void {
    const granted = limiter.take(context.now);
    if (!granted.ok) throw new Deferred({ status: 'deferred', until: granted.until, reason: `intercom: ${granted.reason}` });
  }

  /** Any answer: a spent window keeps the next sends away until it refills. */
  function noteWindow(answer: { headers: Headers }, context: SendContext): void {
    const until = exhaustedUntil(answer.headers, context.now);
    if (until !== undefined) limiter.holdUntil(until, 'Intercom: no request left in this rate-limit window');
  }

  async function request<T extends IntercomAnswer | { answer: IntercomAnswer }>(context: SendContext, call: () => Promise<T>): Promise<T> {
    turn(context);
    try {
      const result = await call();
      noteWindow('answer' in result ? result.answer : result, context);
      return result;
    } catch (error) {
      if (error instanceof IntercomApiError) noteWindow(error, context);
      throw error;
    }
  }

  /**
   * Creates the three attributes once; resolves with a note when Intercom refused to (kept for
   * the message of an update that then fails), rejects when Intercom could not answer (the send
   * is retried, and so is the creation).
   */
  function ensureAttributes(context: SendContext): Promise<string | undefined> {
    schema ??= (async () => {
      const refused: string[] = [];
      for (const definition of LOYALTY_DATA_ATTRIBUTES) {
        try {
          await request(context, () => api.createDataAttribute(definition, context.signal));
        } catch (error) {
          if (!(error instanceof IntercomApiError) || error.status === 408 || error.status === 429 || error.status >= 500) throw error;
          // "You already have 'loyalty_points' in your … data": created before, by us or by hand —
          // unless it is a company attribute of that name, which blocks ours (then noted below).
          if (error.status === 400 && /already have/i.test(error.intercomMessage ?? '') && !/in your company data/i.test(error.intercomMessage ?? '')) continue;
          refused.push(`${definition.name}: ${describeApiError(error)}`);
        }
      }
      return refused.length ? `Intercom refused to create the loyalty attributes (${refused.join('; ')})` : undefined;
    })();
    const attempt = schema;
    attempt.catch(() => {
      if (schema === attempt) schema = undefined;
    });
    return attempt;
  }

  async function writeAttributes(who: Who, values: Record<string, string | number>, context: SendContext): Promise<SendOutcome | string[]> {
    const schemaNote = await ensureAttributes(context);
    const field = 'userId' in who ? 'external_id' : 'email';
    const value = 'userId' in who ? who.userId : who.email;
    const { contacts } = await request(context, () => api.searchUsers(field, value, context.signal));
    const updated: string[] = [];
    for (const contact of contacts) {
      try {
        await request(context, () => api.updateContact(contact.id, values, context.signal));
        updated.push(contact.id);
      } catch (error) {
        if (error instanceof IntercomApiError && error.status === 404) continue; // merged or deleted since the search
        if (error instanceof IntercomApiError && schemaNote && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) {
          return { status: 'permanent', statusCode: error.status, error: `intercom: ${describeApiError(error)} — ${schemaNote}` };
        }
        throw error;
      }
    }
    return updated.length ? updated : { status: 'skipped', reason: `intercom: ${describeWho(who)}` };
  }

  async function submitEvent(event: NonNullable<IntercomOptions['event']>, who: Who, context: SendContext): Promise<SendOutcome | undefined> {
    try {
      await request(context, () => api.submitEvent(dataEvent(event, who), context.signal));
      return undefined;
    } catch (error) {
      // "Events sent about users that cannot be found will return a 404 Not Found."
      if (error instanceof IntercomApiError && error.status === 404) {
        return { status: 'skipped', reason: `intercom: ${describeWho(who)} (${error.intercomMessage ?? 'not found'})` };
      }
      throw error;
    }
  }

  return {
    name: 'intercom',
    options: intercomOptions,
    async send(options, context) {
      const who = resolveWho(options, context.member);
      if ('skip' in who) return { status: 'skipped', reason: `intercom: ${who.skip}` };
      const values = attributesToWrite(options.attributes);
      const writeValues = Object.keys(values).length > 0;
      if (!options.event && !writeValues) return { status: 'skipped', reason: 'intercom: every attribute value rendered empty; nothing to write' };
      if (context.signal.aborted) return { status: 'retry', error: 'intercom: aborted' };

      try {
        let updated: string[] = [];
        if (writeValues) {
          const written = await writeAttributes(who, values, context);
          if (!Array.isArray(written)) return written;
          updated = written;
        }
        if (options.event) {
          const refused = await submitEvent(options.event, who, context);
          if (refused) return refused;
        }
        return { status: 'delivered', statusCode: options.event ? 202 : 200, ...(updated.length ? { providerMessageId: updated.join(',') } : {}) };
      } catch (error) {
        if (error instanceof Deferred) return error.outcome;
        return failure(error, context);
      }
    },
  };

  /** 429 and 5xx retried (a 429 also holds every send until the window refills); other 4xx final with Intercom's reason. */
  function failure(error: unknown, context: SendContext): SendOutcome {
    if (error instanceof IntercomRequestError) return { status: 'retry', error: error.aborted ? 'intercom: aborted' : `intercom: ${error.message}` };
    if (!(error instanceof IntercomApiError)) return { status: 'retry', error: `intercom: ${error instanceof Error ? error.message : String(error)}` };
    if (error.status === 429) {
      const wait = rateLimitWaitMs(error.headers, context.now);
      limiter.holdUntil(context.now + wait, 'Intercom answered 429');
      return { status: 'retry', statusCode: 429, retryAfterMs: wait, error: `intercom: ${describeApiError(error)}` };
    }
    if (error.status === 408 || error.status >= 500) {
      const retryAfterMs = parseRetryAfter(error.headers.get('retry-after') ?? undefined, context.now);
      return { status: 'retry', statusCode: error.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: `intercom: ${describeApiError(error)}` };
    }
    return { status: 'permanent', statusCode: error.status, error: `intercom: ${describeApiError(error)}` };
  }
}

/** Who the action is about: the options' user ID or e-mail, else the member's e-mail. */
export function resolveWho(options: IntercomOptions, member: SendContext['member']): Who | { skip: string } {
  if (options.userId !== undefined) {
    const userId = options.userId.trim();
    return userId ? { userId } : { skip: 'the user ID to find the Intercom user by rendered empty' };
  }
  if (options.email !== undefined) {
    const email = options.email.trim();
    return email ? { email } : { skip: 'the e-mail to find the Intercom user by rendered empty' };
  }
  if (!member) return { skip: 'the event concerns no member, and the action names no user (userId or email)' };
  const email = member.email?.trim();
  return email ? { email } : { skip: 'the member has no e-mail address to find their Intercom user by (give userId)' };
}

function describeWho(who: Who): string {
  return 'userId' in who ? `no Intercom user has the user ID ${JSON.stringify(who.userId)}` : `no Intercom user has the e-mail ${maskEmail(who.email)}`;
}

/** `HTTP 400 parameter_invalid: … (request_id …)`, with a hint for the token's faults. */
function describeApiError(error: IntercomApiError): string {
  const hint =
    error.status === 401
      ? ' (Intercom refused INTERCOM_ACCESS_TOKEN; check the token, and INTERCOM_API_URL for a workspace hosted in the EU or Australia)'
      : error.status === 403
        ? ' (the Intercom app lacks a permission: the hub reads and writes users, writes events and creates data attributes)'
        : '';
  return `HTTP ${error.status}${error.code ? ` ${error.code}` : ''}${error.intercomMessage ? `: ${error.intercomMessage}` : ''}${error.requestId ? ` (request_id ${error.requestId})` : ''}${hint}`;
}
