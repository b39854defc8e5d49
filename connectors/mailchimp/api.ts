/**
 * The edge between the connector and Mailchimp's Marketing API (v3): every call the hub makes,
 * with plain `fetch` and HTTP Basic authentication (any user name, the API key as password). The
 * official `@mailchimp/mailchimp_marketing` client is one process-wide instance whose URL is
 * `https://server.api.mailchimp.com/3.0` with the data centre put in, and takes no abort signal,
 * so the hub could not point it at `MAILCHIMP_API_URL` per adapter nor stop waiting when a
 * delivery's time is up (docs/connectors/mailchimp.md, "How the hub talks to Mailchimp").
 *
 * What comes back is plain data (status, headers, the parsed body) so that the adapter
 * classifies answers itself; nothing here retries.
 */
import { requestFailure } from '../../core/outbound/provider-answer.js';
import { maskEmail } from '../../core/observability/redact.js';

export interface MailchimpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** No answer: the network failed, or the hub stopped waiting (the delivery's signal). */
export class MailchimpRequestError extends Error {
  constructor(
    message: string,
    readonly aborted: boolean,
  ) {
    super(message);
    this.name = 'MailchimpRequestError';
  }
}

export interface MemberUpsert {
  email_address: string;
  status_if_new: 'subscribed';
  merge_fields?: Record<string, string | number>;
}

export interface MemberEvent {
  name: string;
  properties: Record<string, string>;
}

export interface MergeFieldDefinition {
  tag: string;
  name: string;
  type: 'number' | 'text';
  public: boolean;
  required: boolean;
}

export interface MailchimpApi {
  /** `PUT /lists/{list_id}/members/{subscriber_hash}`: add or update. */
  upsertMember(hash: string, body: MemberUpsert, signal: AbortSignal): Promise<MailchimpAnswer>;
  /** `PATCH /lists/{list_id}/members/{subscriber_hash}`: update an existing member only (404 if absent). */
  updateMember(hash: string, body: { merge_fields: Record<string, string | number> }, signal: AbortSignal): Promise<MailchimpAnswer>;
  /** `POST /lists/{list_id}/members/{subscriber_hash}/events`. */
  addEvent(hash: string, body: MemberEvent, signal: AbortSignal): Promise<MailchimpAnswer>;
  /** `GET /lists/{list_id}/members/{subscriber_hash}/events?count=1000`: the member's events. */
  listEvents(hash: string, signal: AbortSignal): Promise<MailchimpAnswer>;
  /** `POST /lists/{list_id}/merge-fields`. */
  addMergeField(field: MergeFieldDefinition, signal: AbortSignal): Promise<MailchimpAnswer>;
}

export function createMailchimpApi(config: { baseUrl: string; apiKey: string; listId: string }): MailchimpApi {
  // Mailchimp takes any user name with the key as password; the name says who is calling.
  const authorization = `Basic ${Buffer.from(`loyalty-hub:${config.apiKey}`).toString('base64')}`;
  const list = `${config.baseUrl}/lists/${encodeURIComponent(config.listId)}`;

  async function call(method: string, url: string, signal: AbortSignal, body?: unknown): Promise<MailchimpAnswer> {
    if (signal.aborted) throw new MailchimpRequestError('aborted before the request was sent', true);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw new MailchimpRequestError('aborted while waiting for Mailchimp', true);
      throw new MailchimpRequestError(`request to Mailchimp failed: ${requestFailure(error)}`, false);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw new MailchimpRequestError(`Mailchimp's answer could not be read: ${requestFailure(error)}`, signal.aborted);
    }
    return { status: res.status, headers: res.headers, body: parse(text) };
  }

  const member = (hash: string) => `${list}/members/${hash}`;
  return {
    upsertMember: (hash, body, signal) => call('PUT', member(hash), signal, body),
    updateMember: (hash, body, signal) => call('PATCH', member(hash), signal, body),
    addEvent: (hash, body, signal) => call('POST', `${member(hash)}/events`, signal, body),
    listEvents: (hash, signal) => call('GET', `${member(hash)}/events?count=1000`, signal),
    addMergeField: (field, signal) => call('POST', `${list}/merge-fields`, signal, field),
  };
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Mailchimp's reason, from its problem document (`title`, `detail`, and per-field `errors`):
 * `Invalid Resource: Your merge fields were invalid. (POINTS: Please enter a number)`. Mailchimp
 * repeats the address in some details ("… looks fake or invalid"): it is masked, since the text
 * is kept in the delivery log.
 */
export function mailchimpReason(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { title?: unknown; detail?: unknown; errors?: unknown };
  const parts = [b.title, b.detail].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  const fields = Array.isArray(b.errors)
    ? b.errors
        .map((e: { field?: unknown; message?: unknown }) => [e?.field, e?.message].filter((p): p is string => typeof p === 'string' && p !== '').join(': '))
        .filter(Boolean)
    : [];
  let text = parts.join(': ') + (fields.length ? ` (${fields.slice(0, 5).join('; ')})` : '');
  if (!text) return undefined;
  if (text.length > 400) text = `${text.slice(0, 400)}…`;
  return maskEmail(text);
}
