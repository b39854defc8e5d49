/**
 * The Dataverse Web API as both halves of the connector call it: `<environment>/api/data/v9.2/…`
 * with the OData headers every request carries (`OData-MaxVersion: 4.0`, `OData-Version: 4.0`,
 * JSON in and out) and a bearer token from the client-credentials cache (./token.ts). A 401 drops
 * the token and the request is sent once more with a new one (a token revoked before its expiry).
 */
import { maskEmail } from '../../core/observability/redact.js';
import { jsonObjectAnswer } from '../../core/outbound/provider-answer.js';
import { createTokenCache, DEFAULT_AUTH_URL, type TokenCache } from './token.js';

export const WEB_API_PATH = '/api/data/v9.2';

export interface DataverseConfig {
  /** `DYNAMICS_URL`: the environment, `https://contoso.crm.dynamics.com`. */
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** `DYNAMICS_AUTH_URL`: replaces `https://login.microsoftonline.com`. */
  authUrl?: string;
  /** `DYNAMICS_API_URL`: replaces `DYNAMICS_URL` for the Web API calls only (a proxy); the token stays for `DYNAMICS_URL`. */
  apiUrl?: string;
}

/** `DYNAMICS_URL` as people paste it (a trailing slash, `/main.aspx?…` from the browser): its origin. */
export function environmentUrl(url: string): string {
  const trimmed = url.trim();
  try {
    return new URL(trimmed).origin;
  } catch {
    return trimmed.replace(/\/+$/, '');
  }
}

export interface DataverseApi {
  /** One Web API call (path below `/api/data/v9.2`), retried once with a new token after a 401. */
  request(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; now: number; signal?: AbortSignal }): Promise<Response>;
  readonly tokens: TokenCache;
}

export function createDataverseApi(config: DataverseConfig): DataverseApi {
  const resource = environmentUrl(config.url);
  const base = `${(config.apiUrl?.trim() ? environmentUrl(config.apiUrl) : resource).replace(/\/+$/, '')}${WEB_API_PATH}`;
  const tokens = createTokenCache({ authUrl: config.authUrl?.trim() || DEFAULT_AUTH_URL, tenantId: config.tenantId, clientId: config.clientId, clientSecret: config.clientSecret, resource });

  async function once(token: string, method: string, path: string, init: Parameters<DataverseApi['request']>[2]): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'odata-maxversion': '4.0',
      'odata-version': '4.0',
      ...(init.body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      ...init.headers,
    };
    return fetch(`${base}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: init.signal });
  }

  return {
    tokens,
    async request(method, path, init) {
      const token = await tokens.get(init.now, init.signal);
      const res = await once(token, method, path, init);
      if (res.status !== 401) return res;
      tokens.drop(token);
      await res.text().catch(() => undefined);
      return once(await tokens.get(init.now, init.signal), method, path, init);
    },
  };
}

/**
 * Dataverse's error document `{ "error": { "code": "0x80040217", "message": "…" } }` →
 * ` contact With Id = … Does Not Exist (0x80040217)`, e-mail addresses masked (the message may
 * quote an alternate key's value; docs/security.md, "Logs").
 */
export async function describeDataverseError(res: Response): Promise<string> {
  const body = await jsonObjectAnswer(res);
  const error = body?.error && typeof body.error === 'object' ? (body.error as Record<string, unknown>) : undefined;
  const message = typeof error?.message === 'string' ? maskEmail(error.message) : undefined;
  const code = typeof error?.code === 'string' && error.code ? error.code : undefined;
  let text = [message, code ? `(${code})` : undefined].filter(Boolean).join(' ');
  if (text.length > 300) text = `${text.slice(0, 300)}…`;
  return text ? ` ${text}` : '';
}
