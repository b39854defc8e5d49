/**
 * The Microsoft identity platform's client-credentials grant, as Dataverse's server-to-server
 * (application user) authentication uses it: `POST <authority>/<tenant>/oauth2/v2.0/token`, a form
 * with `client_id`, `client_secret`, `grant_type=client_credentials` and
 * `scope=<environment URL>/.default`. A token lives about an hour (`expires_in`); it is kept in
 * memory until shortly before then, shared by concurrent calls, and dropped when Dataverse
 * answers 401 (docs/connectors/dynamics.md, "Access tokens").
 */
import { createTokenCache as createSharedTokenCache, TokenRequestError, type IssuedToken, type TokenCache as SharedTokenCache } from '../../core/outbound/token-cache.js';
import { jsonObjectAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { parseRetryAfter } from '../../core/outbound/adapter.js';

/** Renew this long before the token's expiry, so a token never dies in flight. */
export const TOKEN_MARGIN_MS = 5 * 60_000;

/** The Microsoft Entra ID authority, unless `DYNAMICS_AUTH_URL` says otherwise. */
export const DEFAULT_AUTH_URL = 'https://login.microsoftonline.com';

export interface TokenConfig {
  /** `DYNAMICS_AUTH_URL` or the default authority. */
  authUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** `DYNAMICS_URL`, whose `/.default` scope the token is for. */
  resource: string;
}

export type TokenCache = SharedTokenCache<string>;

export function createTokenCache(config: TokenConfig): TokenCache {
  const url = `${config.authUrl.replace(/\/+$/, '')}/${encodeURIComponent(config.tenantId.trim())}/oauth2/v2.0/token`;

  async function fetchToken(now: number, signal?: AbortSignal): Promise<IssuedToken<string>> {
    const form = new URLSearchParams({
      client_id: config.clientId,
      client_secret: config.clientSecret,
      grant_type: 'client_credentials',
      scope: `${config.resource}/.default`,
    });
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString(), signal });
    } catch (error) {
      throw new TokenRequestError(`token request failed: ${requestFailure(error)}`, undefined);
    }
    const answer = await jsonObjectAnswer(res);
    if (!res.ok) {
      // error_description starts with the AADSTS code that says what is wrong (AADSTS7000215: invalid client secret).
      const description = typeof answer?.error_description === 'string' ? answer.error_description.split(/\r?\n/)[0] : undefined;
      const reason = [answer?.error, description].filter((v) => typeof v === 'string' && v).join(': ');
      const hint = res.status === 400 || res.status === 401 ? ' (check DYNAMICS_TENANT_ID, DYNAMICS_CLIENT_ID, DYNAMICS_CLIENT_SECRET and DYNAMICS_URL)' : '';
      throw new TokenRequestError(
        `token endpoint answered HTTP ${res.status}${reason ? ` ${reason.slice(0, 300)}` : ''}${hint}`,
        res.status,
        parseRetryAfter(res.headers.get('retry-after') ?? undefined, now),
      );
    }
    const token = answer?.access_token;
    const expiresIn = typeof answer?.expires_in === 'number' ? answer.expires_in : Number(answer?.expires_in ?? 3599);
    if (typeof token !== 'string' || !token) throw new TokenRequestError('token endpoint answered without access_token', 502);
    const lifetimeMs = Number.isFinite(expiresIn) ? expiresIn * 1000 : 3_599_000;
    return { value: token, until: now + Math.max(0, lifetimeMs - TOKEN_MARGIN_MS) };
  }

  return createSharedTokenCache(fetchToken);
}
