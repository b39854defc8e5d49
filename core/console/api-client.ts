/**
 * The console reads and writes only through the management API (docs/console.md, "How it is
 * built"): each call is an in-process `request()` to the `/v1` sub-app as the signed-in key, so
 * validation, scopes, idempotency and problem documents are the API's own, and a page can show
 * nothing that key could not read through the API.
 */
import { IN_PROCESS_PRINCIPAL } from '../api/authenticate.js';
import type { Problem } from '../api/problem.js';
import type { Principal } from '../auth/api-keys.js';

/** The `/v1` sub-app as the console uses it: answers a request in process. */
export interface InProcessApi {
  request(path: string, init: RequestInit, env: object): Response | Promise<Response>;
}

export type ApiAnswer<T> = { ok: true; status: number; data: T } | { ok: false; status: number; problem: Problem };

export type Query = Record<string, string | number | undefined | null>;

export interface ConsoleApi {
  get<T>(path: string, query?: Query): Promise<ApiAnswer<T>>;
  /** A write; `idempotencyKey` (from the form that sent it) makes a double submit harmless. */
  send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, idempotencyKey?: string): Promise<ApiAnswer<T>>;
}

export function consoleApi(api: InProcessApi, principal: Principal): ConsoleApi {
  const env = { [IN_PROCESS_PRINCIPAL]: principal };

  async function call<T>(method: string, path: string, init: { query?: Query; body?: unknown; idempotencyKey?: string }): Promise<ApiAnswer<T>> {
    const url = new URL(path, 'http://console.invalid');
    for (const [name, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.idempotencyKey) headers['idempotency-key'] = init.idempotencyKey;
    const response = await api.request(
      url.pathname + url.search,
      { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) },
      env,
    );
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (response.ok) return { ok: true, status: response.status, data: parsed as T };
    return { ok: false, status: response.status, problem: parsed as Problem };
  }

  return {
    get: (path, query) => call('GET', path, { query }),
    send: (method, path, body, idempotencyKey) => call(method, path, { body, idempotencyKey }),
  };
}
