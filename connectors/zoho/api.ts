/**
 * Zoho CRM's REST API as the connector uses it: every call authorised with
 * `Authorization: Zoho-oauthtoken <access token>` from the shared token cache (./token.ts), at the
 * data centre's API domain (`api_domain` of the token answer, or `ZOHO_API_URL`), under
 * `/crm/v8`. An answer of 401 drops the token and the call is made once more with a new one
 * (a token revoked before its hour is up); any other failure is thrown for the caller to
 * classify: `ZohoApiError` (an answer, with Zoho's `code` and `message`) or `ZohoRequestError`
 * (no answer).
 *
 * The adapter, the webhook handler and the channel job of one hub share one client, so they
 * share one access token (Zoho limits how many a refresh token mints).
 */
import { TokenRequestError } from '../../core/outbound/token-cache.js';
import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { createTokenCache, DEFAULT_ACCOUNTS_URL, type TokenCache, type ZohoToken } from './token.js';

/** Zoho CRM API version (the current one; docs/connectors/zoho.md names the pages used). */
export const API_VERSION = 'v8';
/** Where a token answer without `api_domain` points: Zoho's US data centre. */
export const DEFAULT_API_DOMAIN = 'https://www.zohoapis.com';

/** Zoho answered, but not with success: its status, `code` (INVALID_DATA, …) and `message`. */
export class ZohoApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly zohoMessage: string | undefined,
    readonly headers: Headers,
    readonly details?: unknown,
  ) {
    super(`HTTP ${status}${code ? ` ${code}` : ''}${zohoMessage ? `: ${zohoMessage}` : ''}`);
    this.name = 'ZohoApiError';
  }
}

/** No answer from Zoho (network, timeout) or from its token endpoint. */
export class ZohoRequestError extends Error {
  constructor(
    message: string,
    readonly aborted = false,
  ) {
    super(message);
    this.name = 'ZohoRequestError';
  }
}

export interface ZohoAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface ZohoApi {
  /** `path` below `/crm/v8`, e.g. `/Contacts/upsert`. */
  call(method: string, path: string, body: unknown, now: number, signal: AbortSignal): Promise<ZohoAnswer>;
}

export interface ZohoApiConfig {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accountsUrl?: string;
  /** `ZOHO_API_URL`: overrides the token's `api_domain` (a proxy, a stub in tests). */
  apiUrl?: string;
}

/** Zoho's error document: `{code, message, details, status}`, or a `data`/`watch` list of them. */
function describe(body: unknown): { code?: string; message?: string; details?: unknown } {
  if (!body || typeof body !== 'object') return {};
  const o = body as Record<string, unknown>;
  const first = Array.isArray(o.data) ? o.data[0] : Array.isArray(o.watch) ? o.watch[0] : o;
  const e = (first && typeof first === 'object' ? first : o) as Record<string, unknown>;
  return {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.message === 'string' ? { message: e.message } : {}),
    ...(e.details !== undefined ? { details: e.details } : {}),
  };
}

export function createZohoApi(config: ZohoApiConfig): ZohoApi {
  const tokens: TokenCache = createTokenCache({
    accountsUrl: config.accountsUrl || DEFAULT_ACCOUNTS_URL,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    refreshToken: config.refreshToken,
  });
  const apiUrl = config.apiUrl?.replace(/\/+$/, '');

  async function once(method: string, path: string, body: unknown, now: number, signal: AbortSignal): Promise<{ answer: Response; token: ZohoToken }> {
    let token;
    try {
      token = await tokens.get(now, signal);
    } catch (error) {
      if (error instanceof TokenRequestError && error.status !== undefined) {
        throw new ZohoApiError(error.status, 'OAUTH_TOKEN', error.message, new Headers(error.retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) } : {}));
      }
      throw new ZohoRequestError(error instanceof Error ? error.message : String(error), signal.aborted);
    }
    const base = apiUrl ?? token.apiDomain ?? DEFAULT_API_DOMAIN;
    try {
      const answer = await fetch(`${base}/crm/${API_VERSION}${path}`, {
        method,
        headers: {
          authorization: `Zoho-oauthtoken ${token.accessToken}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal,
      });
      return { answer, token };
    } catch (error) {
      throw new ZohoRequestError(`request failed: ${requestFailure(error)}`, signal.aborted);
    }
  }

  return {
    async call(method, path, body, now, signal) {
      const first = await once(method, path, body, now, signal);
      let answer = first.answer;
      if (answer.status === 401) {
        await answer.text().catch(() => '');
        tokens.drop(first.token);
        answer = (await once(method, path, body, now, signal)).answer;
      }
      const parsed = await jsonAnswer(answer);
      if (answer.status >= 200 && answer.status < 300) return { status: answer.status, body: parsed, headers: answer.headers };
      const { code, message, details } = describe(parsed);
      throw new ZohoApiError(answer.status, code, message, answer.headers, details);
    },
  };
}

const shared = new WeakMap<object, ZohoApi>();

/**
 * One client per hub environment, shared by the adapter, the webhook handler and the channel
 * job (the core hands each the same `env` object), so they share one access token.
 */
export function zohoApiFor(env: Record<string, string | undefined>): ZohoApi {
  let api = shared.get(env);
  if (!api) {
    api = createZohoApi({
      clientId: env.ZOHO_CLIENT_ID?.trim() ?? '',
      clientSecret: env.ZOHO_CLIENT_SECRET?.trim() ?? '',
      refreshToken: env.ZOHO_REFRESH_TOKEN?.trim() ?? '',
      accountsUrl: env.ZOHO_ACCOUNTS_URL?.trim() || undefined,
      apiUrl: env.ZOHO_API_URL?.trim() || undefined,
    });
    shared.set(env, api);
  }
  return api;
}
