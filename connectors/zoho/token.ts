/**
 * Zoho's OAuth for a server: the self client's refresh token is exchanged for an access token at
 * `POST <accounts>/oauth/v2/token` (`grant_type=refresh_token`, with the client id and secret, sent
 * as a form body rather than in the query string so no log line carries them). The answer names
 * the data centre's API domain (`api_domain`, e.g. https://www.zohoapis.eu), which every API call
 * then uses unless `ZOHO_API_URL` overrides it (docs/connectors/zoho.md, "Data centres").
 *
 * An access token lives an hour and Zoho limits how many a refresh token may mint, so it is kept
 * in memory until shortly before `expires_in`, shared by every concurrent caller, and dropped
 * when the API answers 401. Zoho answers a refused grant with HTTP 200 and `{"error": "…"}`:
 * that is a refusal too.
 */
import { createTokenCache as createSharedTokenCache, TokenRequestError, type TokenCache as SharedTokenCache } from '../../core/outbound/token-cache.js';
import { parseRetryAfter } from '../../core/outbound/adapter.js';
import { jsonObjectAnswer, requestFailure } from '../../core/outbound/provider-answer.js';

/** Renew this long before Zoho's expiry, so a token never dies in flight. */
export const TOKEN_MARGIN_MS = 5 * 60_000;

export const DEFAULT_ACCOUNTS_URL = 'https://accounts.zoho.com';

export interface ZohoCredentials {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface ZohoToken {
  accessToken: string;
  /** `api_domain` of the answer, e.g. https://www.zohoapis.com. */
  apiDomain: string | undefined;
  until: number;
}

export type TokenCache = SharedTokenCache<ZohoToken>;

export function createTokenCache(credentials: ZohoCredentials): TokenCache {

  async function mint(now: number, signal?: AbortSignal): Promise<ZohoToken> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      refresh_token: credentials.refreshToken,
    });
    let res: Response;
    try {
      res = await fetch(`${credentials.accountsUrl.replace(/\/+$/, '')}/oauth/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal,
      });
    } catch (error) {
      throw new TokenRequestError(`token request failed: ${requestFailure(error)}`, undefined);
    }
    const answer = await jsonObjectAnswer(res);
    const refused = typeof answer?.error === 'string' ? answer.error : undefined;
    if (!res.ok || refused) {
      const hint = refused === 'invalid_client' || refused === 'invalid_code' ? ' (check ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN and ZOHO_ACCOUNTS_URL)' : '';
      // A refusal on HTTP 200 is still a refusal that no retry mends: classified like a 400.
      const status = res.ok ? 400 : res.status;
      throw new TokenRequestError(`token endpoint answered HTTP ${res.status}${refused ? ` ${refused}` : ''}${hint}`, status, parseRetryAfter(res.headers.get('retry-after') ?? undefined, now));
    }
    const accessToken = answer?.access_token;
    if (typeof accessToken !== 'string' || !accessToken) throw new TokenRequestError('token endpoint answered without access_token', 502);
    const expiresIn = typeof answer?.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 3600;
    const apiDomain = typeof answer?.api_domain === 'string' && /^https?:\/\//.test(answer.api_domain) ? answer.api_domain.replace(/\/+$/, '') : undefined;
    return { accessToken, apiDomain, until: now + Math.max(0, expiresIn * 1000 - TOKEN_MARGIN_MS) };
  }

  return createSharedTokenCache(async (now, signal) => {
    const token = await mint(now, signal);
    return { value: token, until: token.until };
  });
}
