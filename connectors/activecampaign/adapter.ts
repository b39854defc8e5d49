/**
 * The `activecampaign` mapping adapter: one send is one logical action on one contact — upsert
 * it by e-mail with the loyalty custom field values (`POST /api/3/contact/sync`), then add and
 * remove tags (`POST /api/3/contactTags`, `DELETE /api/3/contactTags/{id}`).
 *
 * ActiveCampaign takes no idempotency key, so every step is idempotent by construction and a
 * retry (or a send resumed after a rate-limit deferral) repeats what was done without doubling
 * anything (docs/connectors/activecampaign.md, "Retries and duplicates"):
 * - the sync sets fields to values: sending it twice leaves the same contact;
 * - tags are compared with the contact's current tags (`GET /api/3/contacts/{id}/contactTags`)
 *   first: a tag it has already is not added again, one it lacks is not removed, and a removal
 *   ActiveCampaign answers 404 (gone meanwhile) counts as done;
 * - fields and tags are found by name before they are created (connectors/activecampaign/catalog.ts).
 *
 * Every HTTP request takes a turn of the account's 5-per-second limit; when none is left the send
 * is `deferred` (not an attempt) and resumes from the start, its finished steps — remembered for
 * that delivery — costing nothing twice. A 429 is a `retry` after `Retry-After`, and keeps every other send away until then.
 *
 * Consent: the hub never subscribes a contact to a list (that is what lets ActiveCampaign send
 * campaigns to them); by default it also leaves alone members without e-mail consent, since a tag
 * can start an automation that e-mails them (`requireEmailConsent`).
 */
import { maskEmail } from '../../core/observability/redact.js';
import type { OutboundAdapter, SendOutcome } from '../../core/outbound/adapter.js';
import { ActiveCampaignApiError, ActiveCampaignRequestError, ActiveCampaignWait, createActiveCampaignApi, type ActiveCampaignApi, type RequestContext } from './api.js';
import { createCatalog, type Catalog } from './catalog.js';
import { activeCampaignOptions, LOYALTY_FIELDS, type ActiveCampaignOptions, type LoyaltyFieldName } from './options.js';

export interface ActiveCampaignAdapterConfig {
  /** `ACTIVECAMPAIGN_API_URL`: the account's API URL, `https://<account>.api-us1.com`. */
  apiUrl: string;
  /** `ACTIVECAMPAIGN_API_KEY`. */
  apiKey: string;
}

interface SyncAnswer {
  contact?: { id?: string };
}
interface ContactTagsAnswer {
  contactTags?: { id?: string; tag?: string }[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The field values to write, trimmed, the empty ones left out. */
export function fieldValuesToWrite(options: ActiveCampaignOptions): [LoyaltyFieldName, string][] {
  return (Object.keys(LOYALTY_FIELDS) as LoyaltyFieldName[]).flatMap((name) => {
    const value = options.fields?.[name]?.trim();
    return value ? [[name, value] as [LoyaltyFieldName, string]] : [];
  });
}

/** Trimmed, without empties, each tag once (ActiveCampaign's tags are case-insensitive). */
export function tagsOf(list: readonly string[] | undefined): string[] {
  const seen = new Map<string, string>();
  for (const raw of list ?? []) {
    const tag = raw.trim();
    if (tag && !seen.has(tag.toLowerCase())) seen.set(tag.toLowerCase(), tag);
  }
  return [...seen.values()];
}

/** Sends remembered while deferred; past this many the oldest is forgotten (it then starts over). */
const MAX_DEFERRED_SENDS = 10_000;

export function createActiveCampaignAdapter(config: ActiveCampaignAdapterConfig): OutboundAdapter<ActiveCampaignOptions> {
  const api: ActiveCampaignApi = createActiveCampaignApi(config);
  const catalog: Catalog = createCatalog(api);
  // The finished steps of each send deferred by the rate limit, by delivery (its idempotency key):
  // the resumed send repeats none of them. Without this, sends for one contact that start
  // together (an order's points.earned, points.threshold_reached and tier.upgraded) each restarted
  // from the contact sync after every deferral and, sharing 5 requests a second, none finished.
  const deferred = new Map<string, Map<string, unknown>>();

  async function write(email: string, values: [LoyaltyFieldName, string][], add: string[], remove: string[], context: RequestContext, done: Map<string, unknown>): Promise<SendOutcome> {
    const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      if (done.has(name)) return done.get(name) as T;
      const value = await run();
      done.set(name, value);
      return value;
    };
    const fieldValues: { field: string; value: string }[] = [];
    for (const [name, value] of values) fieldValues.push({ field: await catalog.fieldId(LOYALTY_FIELDS[name], context), value });

    const { status, body } = await step('sync', () => api.request<SyncAnswer>('POST', '/contact/sync', { contact: { email, ...(fieldValues.length ? { fieldValues } : {}) } }, context));
    const contactId = body.contact?.id;
    if (!contactId) return { status: 'permanent', statusCode: status, error: 'activecampaign: the contact sync answered without a contact id' };
    if (!add.length && !remove.length) return { status: 'delivered', statusCode: status, providerMessageId: contactId };

    const toAdd = [];
    for (const tag of add) toAdd.push(await step(`tag:${tag}`, () => catalog.tagId(tag, true, context)));
    const toRemove = [];
    // A tag the account does not have is on no contact: nothing to remove.
    for (const tag of remove) toRemove.push(await step(`tag:${tag}`, () => catalog.tagId(tag, false, context)));

    const { body: current } = await step('links', () => api.request<ContactTagsAnswer>('GET', `/contacts/${encodeURIComponent(contactId)}/contactTags`, undefined, context));
    const links = new Map((current.contactTags ?? []).filter((l) => l.tag && l.id).map((l) => [l.tag!, l.id!]));
    for (const tagId of toAdd) {
      if (tagId && !links.has(tagId)) await step(`add:${tagId}`, () => api.request('POST', '/contactTags', { contactTag: { contact: contactId, tag: tagId } }, context));
    }
    for (const tagId of toRemove) {
      const link = tagId ? links.get(tagId) : undefined;
      if (!link) continue;
      await step(`remove:${link}`, async () => {
        try {
          await api.request('DELETE', `/contactTags/${encodeURIComponent(link)}`, undefined, context);
        } catch (error) {
          if (!(error instanceof ActiveCampaignApiError && error.status === 404)) throw error; // removed meanwhile: done
        }
      });
    }
    return { status: 'delivered', statusCode: status, providerMessageId: contactId };
  }

  return {
    name: 'activecampaign',
    options: activeCampaignOptions,
    async send(options, context) {
      const email = (options.email ?? context.member?.email ?? '').trim();
      if (!email) {
        return {
          status: 'skipped',
          reason: options.email !== undefined ? 'activecampaign: the e-mail address rendered empty' : 'activecampaign: the member has no e-mail address (ActiveCampaign contacts are found by e-mail)',
        };
      }
      if (!EMAIL.test(email)) return { status: 'permanent', error: `activecampaign: "${maskEmail(email)}" is not an e-mail address` };
      if ((options.requireEmailConsent ?? true) && context.member && !context.member.consentEmail && sameAddress(email, context.member.email)) {
        return { status: 'skipped', reason: 'activecampaign: the member has not consented to e-mail marketing (requireEmailConsent)' };
      }
      const values = fieldValuesToWrite(options);
      const add = tagsOf(options.addTags);
      const remove = tagsOf(options.removeTags).filter((t) => !add.some((a) => a.toLowerCase() === t.toLowerCase()));
      if (!values.length && !add.length && !remove.length) return { status: 'skipped', reason: 'activecampaign: every field value and tag rendered empty; nothing to write' };
      if (context.signal.aborted) return { status: 'retry', error: 'activecampaign: aborted' };

      // The delivery and what it writes: a key reused for another write starts afresh.
      const key = JSON.stringify([context.idempotencyKey, email, values, add, remove]);
      const done = deferred.get(key) ?? new Map<string, unknown>();
      deferred.delete(key);
      let outcome: SendOutcome;
      try {
        outcome = await write(email, values, add, remove, { now: context.now, signal: context.signal }, done);
      } catch (error) {
        outcome = failure(error);
      }
      // Only a deferral resumes where it stopped; a retry starts over (the contact may have changed).
      if (outcome.status === 'deferred' && done.size > 0) {
        deferred.set(key, done);
        if (deferred.size > MAX_DEFERRED_SENDS) deferred.delete(deferred.keys().next().value!);
      }
      return outcome;
    },
  };
}

function sameAddress(a: string, b: string | null): boolean {
  return !!b && a.toLowerCase() === b.trim().toLowerCase();
}

/** What a failed step makes of the send (docs/mappings.md, "Retries and failed messages"). */
export function failure(error: unknown): SendOutcome {
  if (error instanceof ActiveCampaignWait) return { status: 'deferred', until: error.until, reason: `activecampaign: ${error.reason}` };
  if (error instanceof ActiveCampaignRequestError) return { status: 'retry', error: error.aborted ? 'activecampaign: aborted' : `activecampaign: ${error.message}` };
  if (!(error instanceof ActiveCampaignApiError)) return { status: 'retry', error: `activecampaign: ${error instanceof Error ? error.message : String(error)}` };
  const described = `activecampaign: ${error.request} answered HTTP ${error.status}${error.reason ? `: ${error.reason}` : ''}${hint(error.status)}`;
  if (error.status === 408 || error.status === 429 || error.status >= 500) {
    return { status: 'retry', statusCode: error.status, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}), error: described };
  }
  return { status: 'permanent', statusCode: error.status, error: described };
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ' (check ACTIVECAMPAIGN_API_KEY, and that its user may manage contacts, tags and custom fields)';
  if (status === 404) return ' (check ACTIVECAMPAIGN_API_URL: the API URL of Settings → Developer)';
  return '';
}
