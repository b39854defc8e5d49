/**
 * The edge between the connector and Intercom's REST API: every call the adapter makes goes
 * through here with `fetch`, and what comes back is plain data (status, headers, Intercom's error
 * code and message) so that the adapter classifies answers without knowing HTTP details.
 *
 * Why `fetch` and not the official `intercom-client` SDK: the API takes no idempotency key, so
 * the SDK would add nothing the hub needs, while it retries by itself unless told not to (the
 * dispatcher owns retries, docs/adding-a-connector.md) and hides the rate-limit headers behind
 * its error class. Four endpoints are few enough to call as documented.
 *
 * Every request carries `Intercom-Version: 2.14`, pinned so that a change of the workspace's
 * default API version in Intercom's Developer Hub cannot change what the hub sends or reads
 * (docs/connectors/intercom.md, "API version").
 */
import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';

export const DEFAULT_INTERCOM_API_URL = 'https://api.intercom.io';
export const INTERCOM_VERSION = '2.14';

/** `INTERCOM_API_URL` → the base URL (no trailing slash): the US host unless the workspace is in the EU or Australia. */
export function intercomBaseUrl(apiUrl: string | undefined): string {
  return (apiUrl?.trim() || DEFAULT_INTERCOM_API_URL).replace(/\/+$/, '');
}

export interface IntercomAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Intercom answered with an error status; `code` and `intercomMessage` are from its error list. */
export class IntercomApiError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly code: string | undefined,
    readonly intercomMessage: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(`Intercom answered HTTP ${status}${code ? ` ${code}` : ''}${intercomMessage ? `: ${intercomMessage}` : ''}`);
    this.name = 'IntercomApiError';
  }
}

/** No answer: the network failed, or the hub stopped waiting (abort, time limit). */
export class IntercomRequestError extends Error {
  constructor(
    message: string,
    readonly aborted: boolean,
  ) {
    super(message);
    this.name = 'IntercomRequestError';
  }
}

/** The request body of `POST /events` (create_data_event_request). */
export interface DataEvent {
  event_name: string;
  created_at: number;
  user_id?: string;
  email?: string;
  metadata?: Record<string, string | number>;
}

/** The request body of `POST /data_attributes` (create_data_attribute_request). */
export interface DataAttributeDefinition {
  name: string;
  model: 'contact';
  data_type: 'integer' | 'string';
  description: string;
}

export interface FoundContact {
  id: string;
  externalId: string | null;
}

export interface IntercomApi {
  /** `POST /events`: 202 with an empty body. */
  submitEvent(event: DataEvent, signal: AbortSignal): Promise<IntercomAnswer>;
  /** `POST /contacts/search`: the users (not leads) whose `email` or `external_id` is exactly `value`. */
  searchUsers(field: 'email' | 'external_id', value: string, signal: AbortSignal): Promise<{ answer: IntercomAnswer; contacts: FoundContact[] }>;
  /** `PUT /contacts/{id}` with `custom_attributes`. */
  updateContact(id: string, customAttributes: Record<string, string | number>, signal: AbortSignal): Promise<IntercomAnswer>;
  /** `POST /data_attributes`. */
  createDataAttribute(definition: DataAttributeDefinition, signal: AbortSignal): Promise<IntercomAnswer>;
}

/** At most this many users with one e-mail address are updated (Intercom allows several). */
export const SEARCH_PAGE_SIZE = 10;

export function createIntercomApi(config: { accessToken: string; apiUrl?: string }): IntercomApi {
  const base = intercomBaseUrl(config.apiUrl);
  const authorization = `Bearer ${config.accessToken}`;

  async function call(method: string, path: string, body: unknown, signal: AbortSignal): Promise<IntercomAnswer> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization,
          'intercom-version': INTERCOM_VERSION,
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw new IntercomRequestError('aborted', true);
      throw new IntercomRequestError(`request to Intercom failed: ${requestFailure(error)}`, false);
    }
    const parsed = await jsonAnswer(res);
    if (res.ok) return { status: res.status, headers: res.headers, body: parsed };
    const first = firstError(parsed);
    throw new IntercomApiError(res.status, res.headers, first.code, first.message, first.requestId);
  }

  return {
    submitEvent: (event, signal) => call('POST', '/events', event, signal),
    async searchUsers(field, value, signal) {
      const answer = await call(
        'POST',
        '/contacts/search',
        {
          query: {
            operator: 'AND',
            value: [
              { field, operator: '=', value },
              { field: 'role', operator: '=', value: 'user' },
            ],
          },
          pagination: { per_page: SEARCH_PAGE_SIZE },
        },
        signal,
      );
      return { answer, contacts: contactsOf(answer.body) };
    },
    updateContact: (id, customAttributes, signal) => call('PUT', `/contacts/${encodeURIComponent(id)}`, { custom_attributes: customAttributes }, signal),
    createDataAttribute: (definition, signal) => call('POST', '/data_attributes', definition, signal),
  };
}

function contactsOf(body: unknown): FoundContact[] {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return [];
  return data.flatMap((c: unknown) => {
    const contact = c as { id?: unknown; external_id?: unknown; role?: unknown };
    if (typeof contact.id !== 'string' || (contact.role !== undefined && contact.role !== 'user')) return [];
    return [{ id: contact.id, externalId: typeof contact.external_id === 'string' ? contact.external_id : null }];
  });
}

/** Intercom's error list: `{ type: "error.list", request_id, errors: [{ code, message, field }] }`. */
function firstError(body: unknown): { code?: string; message?: string; requestId?: string } {
  if (!body || typeof body !== 'object') return {};
  const b = body as { errors?: unknown; request_id?: unknown };
  const errors = Array.isArray(b.errors) ? (b.errors as { code?: unknown; message?: unknown; field?: unknown }[]) : [];
  const texts = errors
    .map((e) => [typeof e.field === 'string' && e.field ? `${e.field}: ` : '', typeof e.message === 'string' ? e.message : ''].join(''))
    .filter((t) => t.trim());
  const code = errors.find((e) => typeof e.code === 'string')?.code as string | undefined;
  const message = texts.join('; ');
  return {
    ...(code ? { code } : {}),
    ...(message ? { message: message.length > 300 ? `${message.slice(0, 300)}…` : message } : {}),
    ...(typeof b.request_id === 'string' ? { requestId: b.request_id } : {}),
  };
}
