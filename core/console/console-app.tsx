/**
 * The console (docs/console.md): web pages for the marketers, support agents and operators who
 * run the program, served by the hub at /console. Each section is a sub-app in `pages/`, mounted
 * at its own prefix; every page reads and writes through the management API as the signed-in
 * key (api-client.ts), so there is no second copy of the logic.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import type { ConsoleDeps, ConsoleEnv } from './console-env.js';
import { assetRoutes } from './assets.js';
import { requireCsrfToken, requireSession } from './guard.js';
import { deliveriesPage } from './pages/deliveries.js';
import { renderPage } from './layout.js';
import { membersPage } from './pages/members.js';
import { rewardsPage } from './pages/rewards.js';
import { settingsPage } from './pages/settings.js';
import { overviewPage } from './pages/overview.js';
import { inboxPage } from './pages/inbox.js';
import { mappingsPage } from './pages/mappings.js';
import { sessionStore } from './session.js';
import { signInRoutes, signOutRoute } from './sign-in.js';

/** Headers of every console answer: only our own scripts and styles, never framed, never cached. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function consoleRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const sessions = sessionStore(deps.store, deps.commit, deps.verifier, deps.clock, deps.consoleSessionSecret);
  const app = new Hono<ConsoleEnv>();

  app.use('*', async (c, next) => {
    await next();
    c.header('content-security-policy', CONTENT_SECURITY_POLICY);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'same-origin');
    if (!c.req.path.startsWith('/console/assets/')) c.header('cache-control', 'no-store');
  });
  app.route('/assets', assetRoutes());
  // A form posted from another site is refused before anything reads it (its Origin is not ours).
  app.use('*', csrf());
  app.use('*', bodyLimit({ maxSize: deps.maxBodyBytes ?? 1024 * 1024, onError: (c) => c.text('That form is too large.', 413) }));
  app.route('/', signInRoutes(sessions, deps.verifier, deps.publicUrl));

  app.use('*', requireSession(sessions, deps.api));
  app.use('*', requireCsrfToken());
  app.route('/', signOutRoute(sessions, deps.publicUrl));
  app.get('/', (c) => c.redirect('/console/overview', 303));
  // Sections (nav.ts): each page file is one sub-app at its real prefix.
  app.route('/members', membersPage(deps));
  app.route('/rewards', rewardsPage(deps));
  app.route('/settings', settingsPage(deps));
  app.route('/overview', overviewPage(deps));
  app.route('/inbox', inboxPage(deps));
  app.route('/deliveries', deliveriesPage(deps));
  app.route('/mappings', mappingsPage(deps));

  // Last: any other console address (a mounted sub-app's notFound would not be used by the parent).
  app.all('*', (c) => {
    c.status(404);
    return renderPage(
      c,
      { title: 'Not found' },
      <p>
        There is no console page at <code>{c.req.path}</code>. <a href="/console/overview">Back to the overview</a>.
      </p>,
    );
  });
  return app;
}
