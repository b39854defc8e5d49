/**
 * The `mailchimp` mapping adapter (docs/mappings.md, "mailchimp"; setup docs/connectors/mailchimp.md).
 * One send is, for the member the event is about, found in the audience by their subscriber hash:
 *
 * 1. the member write — for a member who agreed to e-mail, `PUT …/members/{hash}` (add or update)
 *    with `status_if_new: subscribed`, which never changes the status of a contact Mailchimp
 *    already has (an unsubscribe made in Mailchimp stands); for one who did not, the merge fields
 *    only, with `PATCH` (update only: a contact Mailchimp does not have is never added — the send
 *    is skipped);
 * 2. the event — `POST …/members/{hash}/events` — only for a member who agreed to e-mail, since
 *    its purpose is to start a Customer Journey that e-mails them.
 *
 * Idempotency: Mailchimp accepts no idempotency key. The member write is idempotent by nature (the
 * same values on the same hash). The event carries the delivery id in its `delivery_id`
 * property, and a retried delivery first looks for it among the member's events and records
 * nothing new if it is there: a journey starts once per delivery.
 *
 * Rate limits: Mailchimp allows 10 simultaneous connections per account and publishes no
 * per-second pace. The adapter keeps at most 10 sends in flight in this process (each send makes
 * its calls one after another), deferring the others; a 429 holds every send until its
 * `Retry-After` has passed. Never retried here: the dispatcher owns retries.
 */
import { classifyHttp, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { createRateLimiter } from '../../core/outbound/rate-limit.js';
import { MailchimpRequestError, mailchimpReason, type MailchimpAnswer, type MailchimpApi } from './api.js';
import { mergeFieldCreator } from './merge-fields.js';
import { DELIVERY_ID_PROPERTY, mailchimpOptions, type MailchimpOptions } from './options.js';
import { subscriberHash } from './subscriber-hash.js';

/** Mailchimp's limit of simultaneous connections per account. */
export const MAX_IN_FLIGHT = 10;
/** How long a send waits for a free connection before trying again. */
const BUSY_WAIT_MS = 1000;

class Stop {
  constructor(readonly outcome: SendOutcome) {}
}

export function createMailchimpAdapter(api: MailchimpApi): OutboundAdapter<MailchimpOptions> {
  const creator = mergeFieldCreator(api);
  // No windows: Mailchimp publishes none. The shared limiter keeps the hold after a 429.
  const hold = createRateLimiter('Mailchimp', []);
  let inFlight = 0;

  /** One call; a refusal or no answer ends the send with its outcome. */
  async function expect2xx(what: string, run: () => Promise<MailchimpAnswer>, context: SendContext, hint?: (status: number) => string | undefined): Promise<MailchimpAnswer> {
    let answer: MailchimpAnswer;
    try {
      answer = await run();
    } catch (error) {
      if (error instanceof MailchimpRequestError) throw new Stop({ status: 'retry', error: `mailchimp: ${what}: ${error.aborted ? 'aborted' : error.message}` });
      throw error;
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw new Stop(refusal(what, answer, context, hint?.(answer.status)));
  }

  function refusal(what: string, answer: MailchimpAnswer, context: SendContext, hint?: string): SendOutcome {
    const outcome = classifyHttp(answer.status, answer.headers, context.now);
    const reason = mailchimpReason(answer.body);
    const error = `mailchimp: ${what}: HTTP ${answer.status}${reason ? ` ${reason}` : ''}${hint ? ` (${hint})` : ''}`;
    if (outcome.status === 'retry') {
      if (answer.status === 429 && outcome.retryAfterMs !== undefined) hold.holdUntil(context.now + outcome.retryAfterMs, 'Mailchimp answered 429 Too Many Requests');
      return { ...outcome, error };
    }
    if (outcome.status === 'permanent') return { ...outcome, error };
    return outcome;
  }

  async function deliver(options: MailchimpOptions, context: SendContext, email: string): Promise<SendOutcome> {
    const consent = context.member?.consentEmail === true;
    const hash = subscriberHash(email);
    const fields = mergeFieldValues(options.mergeFields);
    const tags = Object.keys(fields);
    if (!tags.length && !options.event) return { status: 'skipped', reason: 'mailchimp: every merge field rendered empty; nothing to write' };

    let note: string | undefined;
    if (tags.length) {
      const ensured = await creator.ensure(tags, context.signal, context.now).catch((error: unknown) => {
        if (error instanceof MailchimpRequestError) throw new Stop({ status: 'retry', error: `mailchimp: creating merge fields: ${error.aborted ? 'aborted' : error.message}` });
        throw error;
      });
      if (!ensured.ok) throw new Stop(refusal('creating merge fields', ensured.answer, context));
      note = ensured.note;
    }
    const withNote = (status: number) => (note && status === 400 ? note : undefined);

    let statusCode: number;
    if (consent) {
      const answer = await expect2xx(
        'member upsert',
        () => api.upsertMember(hash, { email_address: email, status_if_new: 'subscribed', ...(tags.length ? { merge_fields: fields } : {}) }, context.signal),
        context,
        (status) => (status === 404 ? 'check MAILCHIMP_LIST_ID: the audience ID from Audience → Settings' : (withNote(status) ?? keyHint(status))),
      );
      statusCode = answer.status;
    } else {
      if (!tags.length) return { status: 'skipped', reason: 'mailchimp: the member has not consented to e-mail, so no event is recorded' };
      const answer = await api.updateMember(hash, { merge_fields: fields }, context.signal).catch((error: unknown) => {
        if (error instanceof MailchimpRequestError) throw new Stop({ status: 'retry', error: `mailchimp: member update: ${error.aborted ? 'aborted' : error.message}` });
        throw error;
      });
      if (answer.status === 404) {
        return { status: 'skipped', reason: 'mailchimp: the member is not in the audience and has not consented to e-mail, so they are not added' };
      }
      if (answer.status < 200 || answer.status > 299) throw new Stop(refusal('member update', answer, context, withNote(answer.status) ?? keyHint(answer.status)));
      // Fields written; the event is for members who agreed to e-mail only.
      return { status: 'delivered', statusCode: answer.status, providerMessageId: hash };
    }

    if (options.event) {
      if (context.attempt > 1 && (await alreadyRecorded(hash, context))) return { status: 'delivered', statusCode, providerMessageId: hash };
      const answer = await expect2xx(
        `event ${options.event.name}`,
        () => api.addEvent(hash, { name: options.event!.name, properties: { ...options.event!.properties, [DELIVERY_ID_PROPERTY]: context.idempotencyKey } }, context.signal),
        context,
        keyHint,
      );
      statusCode = answer.status;
    }
    return { status: 'delivered', statusCode, providerMessageId: hash };
  }

  /** On a retry: did an earlier attempt record the event (Mailchimp answered, we did not hear)? */
  async function alreadyRecorded(hash: string, context: SendContext): Promise<boolean> {
    const answer = await expect2xx('reading the member\'s events', () => api.listEvents(hash, context.signal), context, keyHint);
    const events = (answer.body as { events?: { properties?: Record<string, unknown> }[] } | undefined)?.events;
    return Array.isArray(events) && events.some((e) => e?.properties?.[DELIVERY_ID_PROPERTY] === context.idempotencyKey);
  }

  return {
    name: 'mailchimp',
    options: mailchimpOptions,
    async send(options, context) {
      const email = context.member?.email?.trim();
      if (!context.member) return { status: 'skipped', reason: 'mailchimp: the event is about no member' };
      if (!email) return { status: 'skipped', reason: 'mailchimp: the member has no e-mail address' };
      const turn = hold.take(context.now);
      if (!turn.ok) return { status: 'deferred', until: turn.until, reason: `mailchimp: ${turn.reason}` };
      if (inFlight >= MAX_IN_FLIGHT) {
        return { status: 'deferred', until: context.now + BUSY_WAIT_MS, reason: `mailchimp: Mailchimp allows ${MAX_IN_FLIGHT} simultaneous connections` };
      }
      if (context.signal.aborted) return { status: 'retry', error: 'mailchimp: aborted' };
      inFlight++;
      try {
        return await deliver(options, context, email);
      } catch (error) {
        if (error instanceof Stop) return error.outcome;
        throw error;
      } finally {
        inFlight--;
      }
    },
  };
}

/** The merge fields to write: values that rendered empty are left out; POINTS goes as a number. */
export function mergeFieldValues(fields: MailchimpOptions['mergeFields']): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [tag, raw] of Object.entries(fields ?? {})) {
    const value = raw.trim();
    if (value === '') continue;
    out[tag] = tag === 'POINTS' ? Number(value) : value;
  }
  return out;
}

function keyHint(status: number): string | undefined {
  if (status === 401) return 'Mailchimp refused MAILCHIMP_API_KEY: check the key, and that MAILCHIMP_API_URL names its data centre';
  if (status === 403) return 'the API key\'s user may not do this in the audience';
  return undefined;
}
