import { afterEach, beforeEach, expect } from 'vitest';
import { createApiKey, type Scope } from '../../core/auth/api-keys.js';
import { checkLedgerInvariants } from '../../core/ledger/index.js';
import { createHub, type Hub, type HubOptions } from '../../core/hub.js';
import { silentLogger } from '../../core/observability/logger.js';
import { tempDatabase, type TempDatabase } from './temp-database.js';
import { testClock, type TestClock } from './test-store.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export interface HubHarness {
  hub: Hub;
  clock: TestClock;
  database: TempDatabase;
  keys: Record<Scope, string>;
  /** `app.request` with a key of that scope and a JSON body. */
  call(method: string, path: string, options?: { scope?: Scope | null; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
}

/**
 * Per test: a whole hub (a real database of the project's backend, the real app) driven in-process through `app.request()`,
 * with an admin, a write and a read key; ledger invariants are checked after each test.
 */
export function hubHarness(options: Omit<HubOptions, 'env' | 'clock'> & { env?: Record<string, string> } = {}): HubHarness {
  const h = {} as HubHarness;
  beforeEach(async () => {
    h.database = await tempDatabase();
    h.clock = testClock(Date.now());
    h.hub = await createHub({
      logger: silentLogger,
      connectors: [],
      ...options,
      clock: h.clock,
      env: { DATABASE_URL: h.database.url, ADMIN_API_KEY: ADMIN_KEY, ...options.env },
    });
    h.keys = {
      admin: ADMIN_KEY,
      write: (await createApiKey(h.hub.commit, 'storefront', ['write'])).key,
      read: (await createApiKey(h.hub.commit, 'dashboard', ['read'])).key,
    };
    h.call = async (method, path, { scope = 'admin', body, headers = {} } = {}) =>
      h.hub.app.request(path, {
        method,
        headers: {
          ...(scope ? { authorization: `Bearer ${h.keys[scope]}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
  });
  afterEach(async () => {
    try {
      expect(await checkLedgerInvariants(h.hub.store.db)).toEqual([]);
    } finally {
      await h.hub.close();
      await h.database.dispose();
    }
  });
  return h;
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
