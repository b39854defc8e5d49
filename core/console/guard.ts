/**
 * What stands before every console page: a live session (else to the sign-in page, or 401 for
 * an in-place request), and for every request that changes something, the session's CSRF token
 * (a form's `_csrf` field or htmx's `X-CSRF-Token` header) — docs/console.md, "Signing in".
 */
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { hasScope } from '../auth/api-keys.js';
import { consoleApi, type InProcessApi } from './api-client.js';
import type { ConsoleEnv } from './console-env.js';
import type { SessionStore } from './session.js';
import { sessionToken } from './sign-in.js';

export function requireSession(sessions: SessionStore, api: InProcessApi): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const token = await sessionToken(c, sessions);
    const session = token ? await sessions.find(token) : undefined;
    if (!session) {
      const signIn = `/console/sign-in?next=${encodeURIComponent(new URL(c.req.url).pathname)}`;
      if (c.req.header('hx-request')) return c.body(null, 401, { 'hx-redirect': signIn });
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(signIn, 303);
      return c.text('Your console session has ended: sign in again.', 401);
    }
    c.set('session', session);
    c.set('api', consoleApi(api, session.principal));
    c.set('can', (scope) => hasScope(session.principal.scopes, scope));
    await next();
  };
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function requireCsrfToken(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const header = c.req.header('x-csrf-token');
    const type = c.req.header('content-type') ?? '';
    let presented = header;
    if (!presented && (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))) {
      const field = (await c.req.parseBody())._csrf;
      presented = typeof field === 'string' ? field : undefined;
    }
    if (!presented || !same(presented, c.get('session').csrfToken)) {
      return c.text('This form has expired or did not come from the console: reload the page and try again.', 403);
    }
    await next();
  };
}
