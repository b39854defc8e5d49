/**
 * The outbound half of the HubSpot connector: a mapping action `send: { adapter: hubspot, … }`
 * writes the loyalty properties (`loyalty_points`, `loyalty_tier`, `loyalty_points_expiring`) on
 * a HubSpot contact.
 *
 * One send is one delivery: its member's contact(s) are written in one
 * `POST /crm/v3/objects/contacts/batch/update` (a member who came from two HubSpot contacts has
 * two inputs). Deliveries are not merged into shared batches: each keeps its own outcome, its
 * own retries and its own place in the delivery log, and a contact that no longer exists or a
 * value HubSpot refuses fails only the delivery it belongs to. The price is one API call per
 * delivery, which the rate-limit handling below keeps inside HubSpot's limits.
 *
 * Rate limits: a 429 is a `retry` after `Retry-After`, else after HubSpot's window
 * (`X-HubSpot-RateLimit-Interval-Milliseconds`; an hour when the daily quota is spent). The
 * adapter also remembers the window: while it lasts — after a 429, or after an answer that said
 * `X-HubSpot-RateLimit-Remaining: 0` — further sends are `deferred` to its end without calling
 * HubSpot (a deferral does not count as an attempt), instead of each collecting its own 429.
 *
 * The property group `loyalty` and the three properties are created once per process, before the
 * first update; "already exists" (409) is success. If HubSpot refuses to create them (the token
 * lacks `crm.schemas.contacts.write`), the updates go ahead — the merchant may have created them
 * by hand — and an update that then fails says why.
 */
import { parseRetryAfter, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { maskEmail } from '../../core/observability/redact.js';
import { createHubSpotApi, HubSpotApiError, HubSpotRequestError, type HubSpotApi, type PropertyDefinition } from './api.js';
import { hubspotOptions, LOYALTY_PROPERTIES, type HubSpotOptions } from './options.js';

export const LOYALTY_GROUP = { name: 'loyalty', label: 'Loyalty', displayOrder: -1 };

export const LOYALTY_PROPERTY_DEFINITIONS: PropertyDefinition[] = [
  { name: 'loyalty_points', label: 'Loyalty points', type: 'number', fieldType: 'number', groupName: 'loyalty', description: 'Spendable loyalty points (Loyalty Hub).' },
  { name: 'loyalty_tier', label: 'Loyalty tier', type: 'string', fieldType: 'text', groupName: 'loyalty', description: 'Current loyalty tier (Loyalty Hub).' },
  {
    name: 'loyalty_points_expiring',
    label: 'Loyalty points expiring',
    type: 'number',
    fieldType: 'number',
    groupName: 'loyalty',
    description: 'Loyalty points about to expire, as of the last expiry reminder (Loyalty Hub).',
  },
];

/** How long to stay away when the daily quota is spent (HubSpot resets it at midnight, account time). */
const DAILY_LIMIT_WAIT_MS = 60 * 60 * 1000;
/** HubSpot's burst window, when an answer does not say. */
const DEFAULT_WINDOW_MS = 10_000;

export interface HubSpotAdapterConfig {
  /** `HUBSPOT_ACCESS_TOKEN`; without it every send is skipped with the reason. */
  accessToken?: string;
  /** `HUBSPOT_API_URL`. */
  apiUrl?: string;
  /** The member's aliases (`hubspot:123`, `email:…`): how the adapter finds the member's own contact. */
  aliasesOf: (memberId: string) => Promise<string[]>;
}

type Target = { ids: string[] } | { email: string } | { skip: string };
type Member = SendContext['member'];

/** How long HubSpot asks us to wait, from a 429's headers. */
export function rateLimitWaitMs(headers: Record<string, string>, now: number): number {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  if (headers['x-hubspot-ratelimit-daily-remaining'] === '0') return DAILY_LIMIT_WAIT_MS;
  const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
  if (Number.isFinite(interval) && interval > 0) return interval;
  if (headers['x-hubspot-ratelimit-secondly-remaining'] === '0') return 1000;
  return DEFAULT_WINDOW_MS;
}

/** After a successful answer: how long until a request may be made again (0: at once). */
export function exhaustedWindowMs(headers: Record<string, string>): number {
  if (headers['x-hubspot-ratelimit-daily-remaining'] === '0') return DAILY_LIMIT_WAIT_MS;
  if (headers['x-hubspot-ratelimit-remaining'] === '0') {
    const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
    return Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_WINDOW_MS;
  }
  return 0;
}

/** The values to write: trimmed, the empty ones left out. */
export function propertiesToWrite(options: HubSpotOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of LOYALTY_PROPERTIES) {
    const value = options.properties[name]?.trim();
    if (value) out[name] = value;
  }
  return out;
}

export function createHubSpotAdapter(config: HubSpotAdapterConfig): OutboundAdapter<HubSpotOptions> {
  const token = config.accessToken?.trim() || undefined;
  const api: HubSpotApi | undefined = token ? createHubSpotApi({ accessToken: token, apiUrl: config.apiUrl }) : undefined;
  /** Until when HubSpot's rate limit keeps us away (epoch ms, dispatcher clock). */
  let pausedUntil = 0;
  let schema: Promise<string | undefined> | undefined;

  const pause = (until: number) => {
    pausedUntil = Math.max(pausedUntil, until);
  };

  /**
   * Creates the group and the properties once; resolves with a note when HubSpot refused to
   * (kept for the message of an update that fails for want of them), rejects when HubSpot could
   * not answer (the send is retried, and so is the creation).
   */
  function ensureSchema(hubspot: HubSpotApi, context: SendContext): Promise<string | undefined> {
    schema ??= (async () => {
      const refused: string[] = [];
      const create = async (what: string, request: () => Promise<unknown>) => {
        try {
          await request();
        } catch (error) {
          if (error instanceof HubSpotApiError && error.status === 409) return; // exists already
          if (error instanceof HubSpotApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) {
            refused.push(`${what}: ${describeApiError(error)}`);
            return;
          }
          throw error;
        }
      };
      await create('property group loyalty', () => hubspot.createContactPropertyGroup(LOYALTY_GROUP, context.signal));
      for (const property of LOYALTY_PROPERTY_DEFINITIONS) {
        await create(`property ${property.name}`, () => hubspot.createContactProperty(property, context.signal));
      }
      return refused.length ? `HubSpot refused to create the loyalty properties (${refused.join('; ')})` : undefined;
    })();
    const attempt = schema;
    attempt.catch(() => {
      if (schema === attempt) schema = undefined;
    });
    return attempt;
  }

  async function target(options: HubSpotOptions, member: Member): Promise<Target> {
    const contactId = options.contactId?.trim();
    if (contactId) return { ids: [contactId] };
    if (options.email !== undefined) {
      const email = options.email.trim();
      return email ? { email } : { skip: 'the e-mail to find the HubSpot contact by rendered empty' };
    }
    if (!member) return { skip: 'the event concerns no member, and the action names no contact (contactId or email)' };
    const ids = [
      ...new Set(
        (await config.aliasesOf(member.id))
          .filter((a) => a.startsWith('hubspot:'))
          .map((a) => a.slice('hubspot:'.length))
          .filter((id) => /^\d+$/.test(id)),
      ),
    ];
    if (ids.length) return { ids };
    if (member.email) return { email: member.email };
    return { skip: 'the member has no HubSpot contact: no hubspot: alias and no e-mail address' };
  }

  /** A 429 or 5xx: retry; a 429 also keeps the other sends away until the window has passed. */
  function failure(error: unknown, context: SendContext, schemaNote: string | undefined): SendOutcome {
    if (error instanceof HubSpotRequestError) {
      return { status: 'retry', error: error.aborted ? 'hubspot: aborted' : `hubspot: ${error.message}` };
    }
    if (!(error instanceof HubSpotApiError)) return { status: 'retry', error: `hubspot: ${error instanceof Error ? error.message : String(error)}` };
    if (error.status === 429) {
      const wait = rateLimitWaitMs(error.headers, context.now);
      pause(context.now + wait);
      return { status: 'retry', statusCode: 429, retryAfterMs: wait, error: `hubspot: HTTP 429 rate limited${error.hubspotMessage ? `: ${error.hubspotMessage}` : ''}` };
    }
    if (error.status === 408 || error.status >= 500) {
      const retryAfterMs = parseRetryAfter(error.headers['retry-after'], context.now);
      return { status: 'retry', statusCode: error.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: `hubspot: ${describeApiError(error)}` };
    }
    const missingProperty = error.category === 'VALIDATION_ERROR' && /propert/i.test(error.hubspotMessage ?? '') && schemaNote;
    return { status: 'permanent', statusCode: error.status, error: `hubspot: ${describeApiError(error)}${missingProperty ? ` — ${schemaNote}` : ''}` };
  }

  async function updateByIds(hubspot: HubSpotApi, ids: string[], properties: Record<string, string>, context: SendContext): Promise<SendOutcome> {
    let answer;
    try {
      answer = await hubspot.batchUpdateContacts(
        ids.map((id) => ({ id, properties })),
        context.signal,
      );
    } catch (error) {
      // One input of several unknown to HubSpot must not cost the others their update.
      if (error instanceof HubSpotApiError && isNotFound(error) && ids.length > 1) return oneByOne(hubspot, ids, properties, context);
      if (error instanceof HubSpotApiError && isNotFound(error)) {
        return { status: 'skipped', reason: `hubspot: contact ${ids[0]} does not exist in HubSpot (deleted or merged): ${error.hubspotMessage ?? 'not found'}` };
      }
      throw error;
    }
    pause(context.now + exhaustedWindowMs(answer.headers));
    const notFound = new Set(answer.errors.filter((e) => e.category === 'OBJECT_NOT_FOUND').flatMap((e) => e.ids));
    const others = answer.errors.filter((e) => e.category !== 'OBJECT_NOT_FOUND');
    if (others.length) {
      return { status: 'permanent', statusCode: answer.status, error: `hubspot: batch update refused: ${others.map((e) => `${e.category}: ${e.message}`).join('; ').slice(0, 300)}` };
    }
    const updated = answer.updated.length ? answer.updated : ids.filter((id) => !notFound.has(id));
    if (updated.length === 0) return { status: 'skipped', reason: `hubspot: contact ${[...notFound].join(', ')} does not exist in HubSpot (deleted or merged)` };
    return { status: 'delivered', statusCode: answer.status, providerMessageId: updated.join(',') };
  }

  async function oneByOne(hubspot: HubSpotApi, ids: string[], properties: Record<string, string>, context: SendContext): Promise<SendOutcome> {
    const outcomes: SendOutcome[] = [];
    for (const id of ids) outcomes.push(await updateByIds(hubspot, [id], properties, context));
    const delivered = outcomes.filter((o) => o.status === 'delivered');
    if (delivered.length) return { status: 'delivered', statusCode: 200, providerMessageId: delivered.map((o) => o.providerMessageId).join(',') };
    return outcomes[0]!;
  }

  async function updateByEmail(hubspot: HubSpotApi, email: string, properties: Record<string, string>, context: SendContext): Promise<SendOutcome> {
    try {
      const answer = await hubspot.updateContactByEmail(email, properties, context.signal);
      pause(context.now + exhaustedWindowMs(answer.headers));
      return { status: 'delivered', statusCode: answer.status };
    } catch (error) {
      if (error instanceof HubSpotApiError && isNotFound(error)) {
        return { status: 'skipped', reason: `hubspot: no HubSpot contact has the e-mail ${maskEmail(email)}` };
      }
      throw error;
    }
  }

  return {
    name: 'hubspot',
    options: hubspotOptions,
    async send(options, context) {
      if (!api) return { status: 'skipped', reason: 'hubspot: HUBSPOT_ACCESS_TOKEN is not set, so contacts are not updated' };
      const properties = propertiesToWrite(options);
      if (Object.keys(properties).length === 0) return { status: 'skipped', reason: 'hubspot: every property value rendered empty; nothing to write' };
      const where = await target(options, context.member);
      if ('skip' in where) return { status: 'skipped', reason: `hubspot: ${where.skip}` };
      if (pausedUntil > context.now) {
        return { status: 'deferred', until: pausedUntil, reason: `hubspot: rate limit reached; waiting until ${new Date(pausedUntil).toISOString()}` };
      }
      if (context.signal.aborted) return { status: 'retry', error: 'hubspot: aborted' };

      let schemaNote: string | undefined;
      try {
        schemaNote = await ensureSchema(api, context);
        return 'ids' in where ? await updateByIds(api, where.ids, properties, context) : await updateByEmail(api, where.email, properties, context);
      } catch (error) {
        return failure(error, context, schemaNote);
      }
    },
  };
}

function isNotFound(error: HubSpotApiError): boolean {
  return error.status === 404 || error.category === 'OBJECT_NOT_FOUND';
}

/** `HTTP 400 VALIDATION_ERROR: Property values were not valid: … (correlationId …)`, kept short. */
function describeApiError(error: HubSpotApiError): string {
  const message = error.hubspotMessage ? `: ${error.hubspotMessage.length > 300 ? `${error.hubspotMessage.slice(0, 300)}…` : error.hubspotMessage}` : '';
  const hint =
    error.status === 401
      ? ' (HubSpot refused HUBSPOT_ACCESS_TOKEN: check the private app\'s access token)'
      : error.status === 403
        ? ' (the private app lacks a scope: crm.objects.contacts.write to update contacts, crm.schemas.contacts.write to create the properties)'
        : '';
  return `HTTP ${error.status}${error.category ? ` ${error.category}` : ''}${message}${error.correlationId ? ` (correlationId ${error.correlationId})` : ''}${hint}`;
}
