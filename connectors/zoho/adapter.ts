/**
 * The outbound half of the Zoho CRM connector: a mapping action `send: { adapter: zoho, … }`
 * writes loyalty fields (custom fields such as `Loyalty_Points`) on the member's Contact with
 * `POST /crm/v8/Contacts/upsert`, `{ data: [record], duplicate_check_fields: ["Email"] }`: the
 * Contact with that e-mail is updated, or created when there is none. The upsert is its own
 * de-duplication — a retry writes the same values again — so no idempotency key is needed (Zoho
 * takes none).
 *
 * Zoho answers per record inside `data` even on HTTP 200/201/202: `code: SUCCESS` is delivered,
 * any other code (INVALID_DATA, MANDATORY_NOT_FOUND, DUPLICATE_DATA, …) is the provider's reason
 * to dead-letter the delivery. HTTP 429 and 5xx are retried after `Retry-After`; other 4xx
 * dead-lettered with Zoho's code and message (docs/connectors/zoho.md, "Errors").
 *
 * Rate limits: Zoho counts API credits per 24 hours (by edition and licences) and limits
 * concurrent calls, 10 at once for upsert. The adapter keeps 10 calls a second through the shared
 * limiter and, after a 429, holds every send until Zoho's `Retry-After` has passed.
 */
import type { OutboundAdapter, SendContext, SendOutcome } from '../../core/outbound/adapter.js';
import { parseRetryAfter } from '../../core/outbound/adapter.js';
import { maskEmail } from '../../core/observability/redact.js';
import { createRateLimiter } from '../../core/outbound/rate-limit.js';
import { ZohoApiError, ZohoRequestError, type ZohoApi } from './api.js';
import { zohoOptions, type ZohoOptions } from './options.js';

/** How long to stay away after a 429 that says not how long (Zoho's window is a minute). */
const DEFAULT_429_WAIT_MS = 60_000;

/** The Contact record to upsert: Email plus the fields that did not render empty. */
export function contactRecord(options: ZohoOptions, email: string): Record<string, string | number> {
  const record: Record<string, string | number> = { Email: email };
  for (const [name, value] of Object.entries(options.fields ?? {})) {
    if (value.trim()) record[name] = value;
  }
  for (const [name, value] of Object.entries(options.numberFields ?? {})) {
    if (value.trim()) record[name] = Number(value.trim());
  }
  return record;
}

/** `INVALID_DATA: invalid data (Loyalty_Points, expected integer)`, from Zoho's per-record answer. */
export function describeRecordError(entry: Record<string, unknown>): string {
  const details = entry.details && typeof entry.details === 'object' ? (entry.details as Record<string, unknown>) : {};
  const about = [details.api_name, details.expected_data_type ? `expected ${String(details.expected_data_type)}` : undefined].filter((v) => typeof v === 'string' && v);
  return `${typeof entry.code === 'string' ? entry.code : 'error'}: ${typeof entry.message === 'string' ? entry.message : 'refused'}${about.length ? ` (${about.join(', ')})` : ''}`;
}

export function createZohoAdapter(api: ZohoApi): OutboundAdapter<ZohoOptions> {
  const limiter = createRateLimiter('Zoho CRM', [{ requests: 10, perMs: 1000 }]);

  function failure(error: unknown, context: SendContext): SendOutcome {
    if (error instanceof ZohoRequestError) return { status: 'retry', error: error.aborted ? 'zoho: aborted' : `zoho: ${error.message}` };
    if (!(error instanceof ZohoApiError)) return { status: 'retry', error: `zoho: ${error instanceof Error ? error.message : String(error)}` };
    const retryAfterMs = parseRetryAfter(error.headers.get('retry-after') ?? undefined, context.now);
    if (error.status === 429) {
      const wait = retryAfterMs ?? DEFAULT_429_WAIT_MS;
      limiter.holdUntil(context.now + wait, 'Zoho CRM answered 429');
      return { status: 'retry', statusCode: 429, retryAfterMs: wait, error: `zoho: ${error.message}` };
    }
    if (error.status === 408 || error.status >= 500) {
      return { status: 'retry', statusCode: error.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: `zoho: ${error.message}` };
    }
    const hint = error.status === 401 ? ' (check ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN)' : error.status === 403 || error.code === 'OAUTH_SCOPE_MISMATCH' ? ' (the refresh token lacks the scope ZohoCRM.modules.contacts.ALL)' : '';
    return { status: 'permanent', statusCode: error.status, error: `zoho: ${error.message}${hint}` };
  }

  return {
    name: 'zoho',
    options: zohoOptions,
    async send(options, context) {
      const email = (options.email ?? context.member?.email ?? '').trim();
      if (!email) {
        return { status: 'skipped', reason: options.email !== undefined ? 'zoho: the e-mail to find the Contact by rendered empty' : 'zoho: the member has no e-mail address to find their Zoho Contact by' };
      }
      const record = contactRecord(options, email);
      if (Object.keys(record).length === 1) return { status: 'skipped', reason: 'zoho: every field value rendered empty; nothing to write' };
      const turn = limiter.take(context.now);
      if (!turn.ok) return { status: 'deferred', until: turn.until, reason: `zoho: ${turn.reason}` };
      if (context.signal.aborted) return { status: 'retry', error: 'zoho: aborted' };

      let answer;
      try {
        answer = await api.call('POST', '/Contacts/upsert', { data: [record], duplicate_check_fields: ['Email'] }, context.now, context.signal);
      } catch (error) {
        return failure(error, context);
      }
      const data = (answer.body as { data?: unknown } | undefined)?.data;
      const entry = Array.isArray(data) && data[0] && typeof data[0] === 'object' ? (data[0] as Record<string, unknown>) : undefined;
      if (!entry) return { status: 'retry', statusCode: answer.status, error: `zoho: HTTP ${answer.status} without a per-record answer` };
      if (entry.code !== 'SUCCESS') {
        return { status: 'permanent', statusCode: answer.status, error: `zoho: Contact ${maskEmail(email)} refused: ${describeRecordError(entry)}` };
      }
      const id = (entry.details as { id?: unknown } | undefined)?.id;
      return { status: 'delivered', statusCode: answer.status, ...(typeof id === 'string' ? { providerMessageId: id } : {}) };
    },
  };
}
