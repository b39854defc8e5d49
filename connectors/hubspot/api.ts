/**
 * The edge between the connector and `@hubspot/api-client`: every HubSpot API call the hub makes
 * goes through here, and what comes back is plain data (status, headers, HubSpot's error message)
 * so that the adapter and the inbound look-ups classify answers without knowing the SDK.
 *
 * How the SDK is held:
 * - `numberOfApiCallRetries: 0` and no `limiterOptions`: the SDK makes exactly one request per
 *   call. Retries, backoff and rate-limit waits belong to the dispatcher (outbound) or to
 *   HubSpot's own webhook retries (inbound). Beware: the SDK keeps its retry/limiter decorators
 *   in a process-wide singleton that every `new Client()` overwrites; this folder is the only
 *   place that builds one, always with the settings above.
 * - The SDK transports with `node-fetch` and takes no abort signal, so a call is raced against
 *   the delivery's signal: on abort the hub stops waiting (the request may still complete; every
 *   call here is idempotent — setting properties to values, creating what may already exist).
 * - Each call carries a middleware that records the raw status and headers (HubSpot's rate-limit
 *   headers, `Retry-After`) before the SDK parses the body, so a non-JSON error page still says
 *   what status it was.
 */
import { Client } from '@hubspot/api-client';
import type { ResponseContext } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';

export const DEFAULT_HUBSPOT_API_URL = 'https://api.hubapi.com';

/** `HUBSPOT_API_URL` → the SDK's `basePath` (no trailing slash; the SDK appends `/crm/v3/…`). */
export function hubspotBasePath(apiUrl: string | undefined): string {
  return (apiUrl?.trim() || DEFAULT_HUBSPOT_API_URL).replace(/\/+$/, '');
}

export interface HubSpotAnswer {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
}

/** HubSpot answered with an error status. `message` and `category` are HubSpot's own. */
export class HubSpotApiError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly category: string | undefined,
    readonly hubspotMessage: string | undefined,
    readonly correlationId: string | undefined,
  ) {
    super(`HubSpot answered HTTP ${status}${category ? ` ${category}` : ''}${hubspotMessage ? `: ${hubspotMessage}` : ''}`);
    this.name = 'HubSpotApiError';
  }
}

/** No answer: the network failed, or the hub stopped waiting (abort, time limit). */
export class HubSpotRequestError extends Error {
  constructor(
    message: string,
    readonly aborted: boolean,
  ) {
    super(message);
    this.name = 'HubSpotRequestError';
  }
}

export interface BatchError {
  category: string;
  message: string;
  /** The inputs the error is about, when HubSpot says (`context.ids`). */
  ids: string[];
}

export interface BatchUpdateAnswer extends HubSpotAnswer {
  /** Ids HubSpot reports as updated. */
  updated: string[];
  /** Per-input errors of a 207 Multi-Status answer. */
  errors: BatchError[];
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: 'number' | 'string';
  fieldType: 'number' | 'text';
  groupName: string;
  description: string;
}

export interface HubSpotApi {
  /** `POST /crm/v3/objects/contacts/batch/update` (record ids; at most 100 inputs). */
  batchUpdateContacts(inputs: { id: string; properties: Record<string, string> }[], signal: AbortSignal): Promise<BatchUpdateAnswer>;
  /** `PATCH /crm/v3/objects/contacts/{email}?idProperty=email` (the batch endpoint takes no e-mail). */
  updateContactByEmail(email: string, properties: Record<string, string>, signal: AbortSignal): Promise<HubSpotAnswer>;
  /** `POST /crm/v3/properties/contacts/groups`. */
  createContactPropertyGroup(group: { name: string; label: string; displayOrder: number }, signal: AbortSignal): Promise<HubSpotAnswer>;
  /** `POST /crm/v3/properties/contacts`. */
  createContactProperty(property: PropertyDefinition, signal: AbortSignal): Promise<HubSpotAnswer>;
  /** `POST /crm/v3/objects/contacts/batch/read`: the properties of each contact found, by id. */
  readContacts(ids: string[], properties: string[], signal: AbortSignal): Promise<Map<string, Record<string, string | null>>>;
}

interface Captured {
  status?: number;
  headers?: Record<string, string>;
}

/** A per-call SDK middleware that records the raw answer before the SDK parses it. */
function capture(into: Captured) {
  return {
    middleware: [
      {
        pre: async <T>(context: T) => context,
        post: async (context: ResponseContext) => {
          into.status = context.httpStatusCode;
          into.headers = lowerCase(context.headers);
          return context;
        },
      },
    ],
    // Keep the SDK's own middleware (User-Agent), add ours after it.
    middlewareMergeStrategy: 'append' as const,
  };
}

function lowerCase(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = String(v);
  return out;
}

/** The SDK's ApiException (one class per generated module, so recognised by shape). */
interface ApiExceptionLike {
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

function isApiException(error: unknown): error is ApiExceptionLike {
  return typeof error === 'object' && error !== null && typeof (error as ApiExceptionLike).code === 'number' && 'body' in error && 'headers' in error;
}

function field(body: unknown, name: string): string | undefined {
  if (typeof body === 'string') {
    try {
      return field(JSON.parse(body) as unknown, name);
    } catch {
      return undefined;
    }
  }
  if (body && typeof body === 'object') {
    const value = (body as Record<string, unknown>)[name];
    return typeof value === 'string' && value ? value : undefined;
  }
  return undefined;
}

/** Runs one SDK call: raced against the signal, its failure normalized. */
async function call<T>(signal: AbortSignal, run: (options: ReturnType<typeof capture>) => Promise<T>): Promise<{ value: T; answer: HubSpotAnswer }> {
  const captured: Captured = {};
  if (signal.aborted) throw new HubSpotRequestError('aborted before the request was sent', true);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new HubSpotRequestError('aborted while waiting for HubSpot', true));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const value = await Promise.race([run(capture(captured)), aborted]);
    return { value, answer: { status: captured.status ?? 200, headers: captured.headers ?? {} } };
  } catch (error) {
    if (error instanceof HubSpotRequestError) throw error;
    if (isApiException(error)) {
      throw new HubSpotApiError(error.code, lowerCase(error.headers), field(error.body, 'category'), field(error.body, 'message'), field(error.body, 'correlationId'));
    }
    // The SDK could not parse an error page (HTML from a proxy): the captured status still counts.
    if (captured.status !== undefined && (captured.status < 200 || captured.status > 299)) {
      throw new HubSpotApiError(captured.status, captured.headers ?? {}, undefined, undefined, undefined);
    }
    const cause = error instanceof Error ? error.message : String(error);
    throw new HubSpotRequestError(`request to HubSpot failed: ${cause}`, false);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    aborted.catch(() => {});
  }
}

export function createHubSpotApi(config: { accessToken: string; apiUrl?: string }): HubSpotApi {
  let client: Client | undefined;
  // Built on first use: building the adapter (as `mappings check` does) touches nothing.
  const sdk = () => (client ??= new Client({ accessToken: config.accessToken, basePath: hubspotBasePath(config.apiUrl), numberOfApiCallRetries: 0 }));

  return {
    async batchUpdateContacts(inputs, signal) {
      const { value, answer } = await call(signal, (o) => sdk().crm.contacts.batchApi.update({ inputs }, o));
      const errors = 'errors' in value && Array.isArray(value.errors) ? value.errors : [];
      return {
        ...answer,
        updated: (value.results ?? []).map((r) => String(r.id)),
        errors: errors.map((e) => ({ category: e.category, message: e.message, ids: Object.values(e.context ?? {}).flat().map(String) })),
      };
    },
    async updateContactByEmail(email, properties, signal) {
      return (await call(signal, (o) => sdk().crm.contacts.basicApi.update(email, { properties }, 'email', o))).answer;
    },
    async createContactPropertyGroup(group, signal) {
      return (await call(signal, (o) => sdk().crm.properties.groupsApi.create('contacts', group, o))).answer;
    },
    async createContactProperty(property, signal) {
      // The SDK types `type`/`fieldType` as enums of these same strings.
      const input = { ...property, formField: false, hasUniqueValue: false } as unknown as Parameters<Client['crm']['properties']['coreApi']['create']>[1];
      return (await call(signal, (o) => sdk().crm.properties.coreApi.create('contacts', input, o))).answer;
    },
    async readContacts(ids, properties, signal) {
      const found = new Map<string, Record<string, string | null>>();
      for (let i = 0; i < ids.length; i += 100) {
        const inputs = ids.slice(i, i + 100).map((id) => ({ id }));
        const { value } = await call(signal, (o) => sdk().crm.contacts.batchApi.read({ inputs, properties, propertiesWithHistory: [] }, false, o));
        for (const contact of value.results ?? []) found.set(String(contact.id), { ...contact.properties });
      }
      return found;
    },
  };
}
