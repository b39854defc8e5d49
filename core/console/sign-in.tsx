/**
 * Signing in and out (docs/console.md, "Signing in"). A person pastes an API key; it is verified
 * exactly as the API verifies a Bearer key, never stored or logged, and exchanged for a session
 * cookie: signed, HttpOnly, SameSite=Strict, Secure when the hub is reached over https, expiring
 * with the session.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { ApiKeyVerifier } from '../auth/api-keys.js';
import type { ConsoleEnv } from './console-env.js';
import { Shell } from './layout.js';
import { SESSION_TTL_MS, type SessionStore } from './session.js';

export const SESSION_COOKIE = 'lh_console';

/** Where to go after signing in: only a console path of this hub, never another site. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/console/') && !next.startsWith('//') && !next.includes('\\') ? next : '/console/overview';
}

/** Secure cookies when the browser reached us over https (directly, or PUBLIC_URL says a proxy does). */
export function isHttps(c: Context, publicUrl: string | undefined): boolean {
  return new URL(c.req.url).protocol === 'https:' || (publicUrl ?? '').startsWith('https:');
}

export async function sessionToken(c: Context, sessions: SessionStore): Promise<string | undefined> {
  const token = await getSignedCookie(c, await sessions.signingKey(), SESSION_COOKIE);
  return token || undefined;
}

function SignInPage(props: { next: string; error?: string; key?: string }) {
  return (
    <Shell title="Sign in">
      <main id="main" class="sign-in">
        <h1>Loyalty Hub console</h1>
        <form method="post" action="/console/sign-in">
          <input type="hidden" name="next" value={props.next} />
          <label for="key">API key</label>
          <input id="key" name="key" type="password" autocomplete="off" required aria-describedby="key-help" autofocus />
          <p id="key-help" class="help">
            A key made with <code>loyalty-hub keys create</code> or under Settings. A <em>read</em> key sees everything and changes nothing.
          </p>
          {props.error ? (
            <p class="problem" role="alert">
              {props.error}
            </p>
          ) : null}
          <button type="submit">Sign in</button>
        </form>
      </main>
    </Shell>
  );
}

export function signInRoutes(sessions: SessionStore, verifier: ApiKeyVerifier, publicUrl: string | undefined): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/sign-in', (c) => c.html(<SignInPage next={safeNext(c.req.query('next'))} />));

  app.post('/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    const principal = key ? await verifier.verify(key) : undefined;
    if (!principal) {
      return c.html(<SignInPage next={next} error="That key is unknown or revoked. Check it and try again." />, 401);
    }
    const { token } = await sessions.start(principal);
    await setSignedCookie(c, SESSION_COOKIE, token, await sessions.signingKey(), {
      path: '/console',
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c, publicUrl),
      maxAge: SESSION_TTL_MS / 1000,
    });
    return c.redirect(next, 303);
  });

  return app;
}

/** Signing out is a change like any other: it comes after the session and CSRF guards. */
export function signOutRoute(sessions: SessionStore, publicUrl: string | undefined): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.post('/sign-out', async (c) => {
    const token = await sessionToken(c, sessions);
    if (token) await sessions.end(token);
    deleteCookie(c, SESSION_COOKIE, { path: '/console', secure: isHttps(c, publicUrl) });
    return c.redirect('/console/sign-in', 303);
  });
  return app;
}
