/**
 * In-process console sessions for tests through `app.request()`: sign in with a key of a scope,
 * then send requests with the session cookie (and, for changes, the CSRF token the page carried),
 * the way a browser would. Browser tests use browser.ts instead.
 */
import type { Scope } from '../../core/auth/api-keys.js';
import type { HubHarness } from '../helpers/test-hub.js';

export interface ConsoleClient {
  cookie: string;
  /** GET a console page with the session; follows nothing. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** POST a form with the session's CSRF token (read off a page) and the hub's own Origin. */
  post(path: string, fields: Record<string, string>, options?: { csrf?: boolean; origin?: string }): Promise<Response>;
  /** The CSRF token the last page rendered. */
  csrfToken(): Promise<string>;
}

export const ORIGIN = 'http://localhost';

export async function signInConsole(h: HubHarness, scope: Scope = 'admin'): Promise<ConsoleClient> {
  const response = await h.hub.app.request('/console/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    body: new URLSearchParams({ key: h.keys[scope], next: '/console/overview' }).toString(),
  });
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  const get = async (path: string, headers: Record<string, string> = {}) => h.hub.app.request(path, { headers: { cookie, ...headers } });
  const csrfToken = async () => {
    const page = await (await get('/console/no-such-page')).text();
    const token = /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
    if (!token) throw new Error('no csrf-token meta on a console page');
    return token;
  };
  return {
    cookie,
    get,
    csrfToken,
    async post(path, fields, { csrf = true, origin = ORIGIN } = {}) {
      const body = new URLSearchParams(fields);
      if (csrf) body.set('_csrf', await csrfToken());
      return h.hub.app.request(path, {
        method: 'POST',
        headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });
    },
  };
}
