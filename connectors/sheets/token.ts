/**
 * Google's OAuth 2.0 for service accounts, signed here with `node:crypto` (no dependency): a JWT
 * (`RS256`; claims `iss` = the account's e-mail, `scope` = Sheets, `aud` = the key's `token_uri`,
 * `iat`, `exp` = an hour later) exchanged at `token_uri` with
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`. The access token lives an hour; it is
 * kept in memory until shortly before `expires_in`, shared by concurrent sends, and dropped when
 * the Sheets API answers 401 (docs/connectors/sheets.md, "Access tokens").
 */
import { createTokenCache as createSharedTokenCache, TokenRequestError, type IssuedToken, type TokenCache as SharedTokenCache } from '../../core/outbound/token-cache.js';
import { sign } from 'node:crypto';
import { parseRetryAfter } from '../../core/outbound/adapter.js';
import { requestFailure } from '../../core/outbound/provider-answer.js';
import { KEY_VARIABLE, type ServiceAccount } from './service-account.js';

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google accepts an assertion for at most an hour. */
const ASSERTION_LIFETIME_S = 3600;
/** Renew this long before Google's expiry, so a token never dies in flight. */
export const TOKEN_MARGIN_MS = 60_000;

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** The signed assertion, `<header>.<claims>.<signature>`, all base64url. */
export function serviceAccountAssertion(account: ServiceAccount, now: number, scope = SHEETS_SCOPE): string {
  const iat = Math.floor(now / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(account.privateKeyId ? { kid: account.privateKeyId } : {}) };
  const claims = { iss: account.clientEmail, scope, aud: account.tokenUri, iat, exp: iat + ASSERTION_LIFETIME_S };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), account.privateKey))}`;
}

export type TokenCache = SharedTokenCache<string>;

export function createTokenCache(account: ServiceAccount): TokenCache {

  async function fetchToken(now: number, signal?: AbortSignal): Promise<IssuedToken<string>> {
    const body = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: serviceAccountAssertion(account, now) });
    let res: Response;
    try {
      res = await fetch(account.tokenUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, signal });
    } catch (error) {
      throw new TokenRequestError(`token request failed: ${requestFailure(error)}`, undefined);
    }
    const answer = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!res.ok) {
      // OAuth's own error fields (`invalid_grant: Invalid JWT Signature.`): they never quote the key.
      const reason = [answer?.error, answer?.error_description].filter((v) => typeof v === 'string' && v).join(': ');
      const hint = res.status === 400 || res.status === 401 ? ` (check ${KEY_VARIABLE}: a key deleted in the Cloud console, or a disabled service account, is refused)` : '';
      throw new TokenRequestError(`token endpoint answered HTTP ${res.status}${reason ? ` ${reason}` : ''}${hint}`, res.status, parseRetryAfter(res.headers.get('retry-after') ?? undefined, now));
    }
    const token = answer?.access_token;
    const expiresIn = typeof answer?.expires_in === 'number' ? answer.expires_in : 3599;
    if (typeof token !== 'string' || !token) throw new TokenRequestError('token endpoint answered without access_token', 502);
    return { value: token, until: now + Math.max(0, expiresIn * 1000 - TOKEN_MARGIN_MS) };
  }

  return createSharedTokenCache(fetchToken);
}
