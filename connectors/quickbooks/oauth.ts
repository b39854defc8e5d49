import type { Logger } from '../../core/observability/logger.js';
import type { RefreshTokenStore } from './token-store.js';

/**
 * OAuth 2.0 access tokens for the Accounting API (docs/connectors/quickbooks.md, section 2):
 * a POST to Intuit's token endpoint (`INTUIT_TOKEN_URL`) with the app's client id and secret as
 * HTTP Basic credentials and `grant_type=refresh_token`, as Intuit's own Node client
 * (intuit-oauth) sends it. The access token is kept in memory until shortly before its
 * `expires_in`; a refresh that returns a new refresh token stores it before the access token is
 * used. One refresh at a time per process.
 *
 * Failures throw plain errors: the notification is answered 503 and Intuit delivers it again,
 * by which time the network is back or the merchant has reconnected the app.
 */
export interface AccessTokens {
  /** A valid access token, refreshed when needed. */
  token(): Promise<string>;
  /** The API refused `token` (401): forget it, so the next `token()` refreshes. */
  rejected(token: string): void;
}

export const INTUIT_TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';
/** Refresh this long before Intuit's expiry, so a token never expires on the way. */
const EARLY_MS = 60_000;

export interface AccessTokenOptions {
  clientId: string;
  clientSecret: string;
  refreshTokens: RefreshTokenStore;
  tokenUrl?: string;
  logger: Logger;
  now?: () => number;
  timeoutMs?: number;
}

export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const now = options.now ?? Date.now;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
  let cached: { accessToken: string; expiresAt: number } | undefined;
  let refreshing: Promise<string> | undefined;

  async function refresh(): Promise<string> {
    const refreshToken = await options.refreshTokens.current();
    let res: Response;
    try {
      res = await fetch(options.tokenUrl ?? INTUIT_TOKEN_URL, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (error) {
      throw new Error(`QuickBooks token refresh failed (${(error as Error).name}); answering 5xx so Intuit retries the notification`, { cause: error });
    }
    if (!res.ok) {
      const reason = await oauthError(res);
      if (res.status === 400 || res.status === 401) {
        options.logger.error('quickbooks: Intuit refused the refresh token; reconnect the app and set QUICKBOOKS_REFRESH_TOKEN (docs/connectors/quickbooks.md)', { status: res.status, reason });
      }
      throw new Error(`QuickBooks token refresh refused (HTTP ${res.status}${reason ? ` ${reason}` : ''}); answering 5xx so Intuit retries the notification`);
    }
    const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const accessToken = body?.access_token;
    const expiresIn = body?.expires_in;
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new Error('QuickBooks token refresh answered without access_token and expires_in; answering 5xx so Intuit retries the notification');
    }
    const rotated = body?.refresh_token;
    // Stored before the access token is used: a crash after this point loses nothing.
    if (typeof rotated === 'string' && rotated !== '' && rotated !== refreshToken) await options.refreshTokens.replace(rotated);
    cached = { accessToken, expiresAt: now() + expiresIn * 1000 - EARLY_MS };
    return accessToken;
  }

  return {
    async token() {
      if (cached && now() < cached.expiresAt) return cached.accessToken;
      refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
    rejected(token) {
      if (cached?.accessToken === token) cached = undefined;
    },
  };
}

/** Intuit's `{ "error": "invalid_grant" }`, for the log (never the body as a whole). */
async function oauthError(res: Response): Promise<string | undefined> {
  const body = (await res.json().catch(() => undefined)) as { error?: unknown } | undefined;
  return typeof body?.error === 'string' && /^[a-z_]{1,64}$/.test(body.error) ? body.error : undefined;
}
