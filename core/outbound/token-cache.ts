/**
 * An access token kept until shortly before it expires (docs/adding-a-connector.md, "Access
 * tokens"): concurrent sends share one token request, and a token the platform refused (a 401)
 * is dropped so the next send asks for a new one. How a token is asked for is the connector's —
 * OAuth client credentials, a refresh token, a signed service-account assertion —; what is kept
 * and when it is renewed is the same everywhere.
 */
import { classifyHttp, type SendContext, type SendOutcome } from './adapter.js';

export interface IssuedToken<T> {
  /** The token, or whatever the connector keeps with it (Zoho's API domain). */
  value: T;
  /** Epoch ms after which it is asked for again (the expiry less a margin). */
  until: number;
}

export interface TokenCache<T = string> {
  get(now: number, signal?: AbortSignal): Promise<T>;
  /** The platform refused this token: the next `get` asks for a new one. */
  drop(value: T): void;
}

export function createTokenCache<T = string>(issue: (now: number, signal?: AbortSignal) => Promise<IssuedToken<T>>): TokenCache<T> {
  let cached: IssuedToken<T> | undefined;
  let inFlight: Promise<IssuedToken<T>> | undefined;
  return {
    async get(now, signal) {
      if (cached && now < cached.until) return cached.value;
      inFlight ??= issue(now, signal).finally(() => {
        inFlight = undefined;
      });
      cached = await inFlight;
      return cached.value;
    },
    drop(value) {
      if (cached?.value === value) cached = undefined;
    },
  };
}

/**
 * The token endpoint refused or could not be reached: `status` (absent for a network failure)
 * classifies it like any answer, so a refused client secret is a dead letter naming the variables
 * and a token endpoint that is down is a retry.
 */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

/** What a send answers when its token could not be had: `<adapter>: <why>`, retried or not as the status says. */
export function tokenFailure(adapter: string, error: TokenRequestError, context: Pick<SendContext, 'now' | 'signal'>): SendOutcome {
  const message = `${adapter}: ${error.message}`;
  if (error.status === undefined) return { status: 'retry', error: context.signal.aborted ? `${adapter}: aborted` : message };
  const outcome = classifyHttp(error.status, {}, context.now);
  if (outcome.status === 'retry') return { status: 'retry', statusCode: error.status, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}), error: message };
  return { status: 'permanent', statusCode: error.status, error: message };
}
