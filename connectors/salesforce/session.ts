/**
 * The adapter's Salesforce session: one SOAP login (jsforce `loginBySoap`, `POST
 * <SALESFORCE_LOGIN_URL>/services/Soap/u/62.0`) shared by every send until Salesforce answers
 * 401 (`INVALID_SESSION_ID`: the session expired or was revoked), then one new login.
 *
 * Why `loginBySoap` rather than `login`: `login()` is the same SOAP call plus a session-refresh
 * delegate that re-logs in on *every* 401, without bound, and resets the instance URL to the
 * login's server URL — which would drop `SALESFORCE_INSTANCE_URL`. The adapter keeps that
 * decision itself: a 401 re-logs in once per send.
 *
 * jsforce does its HTTP through node-fetch (node's http module), which msw intercepts in tests.
 * Each Connection gets a recording transport: jsforce's errors keep Salesforce's error code but
 * not the HTTP status nor `Retry-After`, which decide between "retry" and "permanent".
 *
 * jsforce is imported on the first send, not when the connector is discovered: it takes a couple
 * of seconds to load, which `mappings check` and a hub without Salesforce traffic need not pay.
 */
import type { Connection, HttpResponse } from 'jsforce';
import { classifyHttp, type SendOutcome } from '../../core/outbound/adapter.js';

/** The API version of every call (the SOAP login is available up to version 64.0). */
export const SALESFORCE_API_VERSION = '62.0';
export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';
/** After Salesforce refuses the login, no new attempt for this long: failed logins lock the user out. */
export const LOGIN_REFUSED_COOLDOWN_MS = 15 * 60_000;

const importJsforce = () => import('jsforce');
let jsforce: ReturnType<typeof importJsforce> | undefined;
export const loadJsforce = (): ReturnType<typeof importJsforce> => (jsforce ??= importJsforce());

export interface Session {
  accessToken: string;
  instanceUrl: string;
}

/** A jsforce Connection whose last HTTP answer (status, headers) stays readable. */
export interface RecordedConnection {
  conn: Connection;
  /** The answer to the latest request since `reset()`, if one came. */
  last(): HttpResponse | undefined;
  reset(): void;
}

export function recordAnswers(conn: Connection): RecordedConnection {
  const inner = conn._transport;
  let last: HttpResponse | undefined;
  const recording = Object.create(inner) as typeof inner;
  recording.httpRequest = (request, options) => {
    const answer = inner.httpRequest(request, options);
    answer.then(
      (res) => {
        last = res;
      },
      () => undefined,
    );
    return answer;
  };
  conn._transport = recording;
  return { conn, last: () => last, reset: () => (last = undefined) };
}

export interface SessionConfig {
  loginUrl?: string;
  username: string;
  password: string;
  /** Used instead of the instance URL the login names (a proxy, a sandbox, a local stub). */
  instanceUrl?: string;
  clock?: () => number;
}

/** SOAP fault codes that mean "not now" rather than "not with these credentials". */
const TRANSIENT_LOGIN_FAULTS = new Set(['SERVER_UNAVAILABLE', 'REQUEST_LIMIT_EXCEEDED', 'LOGIN_RATE_EXCEEDED', 'UNKNOWN_EXCEPTION']);

const trimSlash = (url: string) => url.trim().replace(/\/+$/, '');

export class SalesforceSessions {
  private session: Session | undefined;
  private pending: Promise<Session | SendOutcome> | undefined;
  private refused: { until: number; error: string } | undefined;
  private readonly clock: () => number;

  constructor(private readonly config: SessionConfig) {
    this.clock = config.clock ?? Date.now;
  }

  /** The current session, logging in first if there is none (one login at a time); or why not. */
  async get(): Promise<Session | SendOutcome> {
    if (this.session) return this.session;
    if (this.refused && this.clock() < this.refused.until) {
      return {
        status: 'permanent',
        error: `${this.refused.error} (not tried again before ${new Date(this.refused.until).toISOString()}, so that repeated failed logins do not lock the user out)`,
      };
    }
    this.pending ??= this.login().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets a session Salesforce no longer accepts (unless another send already replaced it). */
  expire(session: Session): void {
    if (this.session === session) this.session = undefined;
  }

  private async login(): Promise<Session | SendOutcome> {
    const { Connection } = await loadJsforce();
    const loginUrl = trimSlash(this.config.loginUrl || DEFAULT_LOGIN_URL);
    const recorded = recordAnswers(new Connection({ loginUrl, version: SALESFORCE_API_VERSION }));
    try {
      await recorded.conn.loginBySoap(this.config.username, this.config.password);
    } catch (error) {
      return this.loginFailed(error, recorded.last());
    }
    const { accessToken, instanceUrl } = recorded.conn;
    if (!accessToken || !instanceUrl) return { status: 'permanent', error: 'salesforce: the login answer has no session' };
    this.refused = undefined;
    this.session = { accessToken, instanceUrl: this.config.instanceUrl ? trimSlash(this.config.instanceUrl) : instanceUrl };
    return this.session;
  }

  private loginFailed(error: unknown, answer: HttpResponse | undefined): SendOutcome {
    const message = error instanceof Error ? error.message : String(error);
    if (!answer) return { status: 'retry', error: `salesforce: login failed: ${message}` };
    const fault = /^([A-Z_]+):/.exec(message)?.[1];
    const statusCode = answer.statusCode;
    if (fault && TRANSIENT_LOGIN_FAULTS.has(fault)) {
      return { status: 'retry', statusCode, error: `salesforce: login: ${message}` };
    }
    if (fault) {
      // INVALID_LOGIN, LOGIN_MUST_USE_SECURITY_TOKEN, PASSWORD_LOCKOUT, API_DISABLED_FOR_ORG, …
      const refusal = `salesforce: login refused: ${message}`;
      this.refused = { until: this.clock() + LOGIN_REFUSED_COOLDOWN_MS, error: refusal };
      return { status: 'permanent', statusCode, error: refusal };
    }
    const http = statusCode >= 400 ? classifyHttp(statusCode, answer.headers, this.clock()) : undefined;
    const detail = `salesforce: login: HTTP ${statusCode}: ${message.slice(0, 200)}`;
    if (http?.status === 'retry') return { ...http, error: detail };
    // A 404 (a wrong SALESFORCE_LOGIN_URL), an expired password, an answer without a session.
    return { status: 'permanent', statusCode, error: detail };
  }
}
