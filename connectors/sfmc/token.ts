/**
 * Marketing Cloud's server-to-server OAuth: `POST <auth base>/v2/token` with the installed
 * package's client id and secret (`grant_type: client_credentials`, `account_id` = the business
 * unit's MID). A token lives 20 minutes; Marketing Cloud asks integrations not to fetch one per
 * call, so it is kept in memory until `expires_in` minus a margin, shared by concurrent sends, and
 * dropped when the REST API answers 401 (docs/connectors/sfmc.md, "Access tokens").
 */
import { createTokenCache as createSharedTokenCache, TokenRequestError, type IssuedToken, type TokenCache as SharedTokenCache } from '../../core/outbound/token-cache.js';
import { parseRetryAfter } from '../../core/outbound/adapter.js';

/** Renew this long before Marketing Cloud's expiry, so a token never dies in flight. */
export const TOKEN_MARGIN_MS = 60_000;

export interface TokenConfig {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  accountId?: string;
}

export type TokenCache = SharedTokenCache<string>;

export function createTokenCache(config: TokenConfig): TokenCache {

  async function fetchToken(now: number, signal?: AbortSignal): Promise<IssuedToken<string>> {
    const body: Record<string, unknown> = { grant_type: 'client_credentials', client_id: config.clientId, client_secret: config.clientSecret };
    // The API documents account_id as a number (the MID).
    if (config.accountId) body.account_id = /^\d+$/.test(config.accountId) ? Number(config.accountId) : config.accountId;
    let res: Response;
    try {
      res = await fetch(`${config.authUrl}/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw new TokenRequestError(`token request failed: ${error instanceof Error ? error.message : String(error)}`, undefined);
    }
    const answer = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!res.ok) {
      const reason = [answer?.error, answer?.error_description].filter((v) => typeof v === 'string' && v).join(': ');
      const hint = res.status === 401 || res.status === 400 ? ' (check SFMC_CLIENT_ID, SFMC_CLIENT_SECRET and SFMC_ACCOUNT_ID)' : '';
      throw new TokenRequestError(`token endpoint answered HTTP ${res.status}${reason ? ` ${reason}` : ''}${hint}`, res.status, parseRetryAfter(res.headers.get('retry-after') ?? undefined, now));
    }
    const token = answer?.access_token;
    const expiresIn = typeof answer?.expires_in === 'number' ? answer.expires_in : 1080;
    if (typeof token !== 'string' || !token) throw new TokenRequestError('token endpoint answered without access_token', 502);
    return { value: token, until: now + Math.max(0, expiresIn * 1000 - TOKEN_MARGIN_MS) };
  }

  return createSharedTokenCache(fetchToken);
}
