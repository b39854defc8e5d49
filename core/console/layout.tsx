/**
 * The page every console screen renders into: navigation, who is signed in with which scope,
 * a notice left by the previous form, and the screen's own content. Accessible by keyboard
 * (a skip link, visible focus, `aria-current` on the section) and readable from 360 px wide
 * (docs/console.md).
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import { assetUrl, type AssetName } from './assets.js';
import type { ConsoleEnv } from './console-env.js';
import { SECTIONS, type SectionPath } from './nav.js';

const NOTICE_COOKIE = 'lh_console_notice';

export interface PageOptions {
  title: string;
  /** The navigation entry this page belongs to (none for the not-found page). */
  section?: SectionPath;
  /** Extra scripts this page needs (the overview's charts). */
  scripts?: AssetName[];
}

/** Leaves a one-line notice for the next page this browser renders (after a form's redirect). */
export function leaveNotice(c: Context<ConsoleEnv>, text: string): void {
  c.header('set-cookie', `${NOTICE_COOKIE}=${encodeURIComponent(text.slice(0, 300))}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=60`, { append: true });
}

export function Shell(props: { title: string; scripts?: AssetName[]; csrfToken?: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"selfRequestsOnly":true}' />
        {props.csrfToken ? <meta name="csrf-token" content={props.csrfToken} /> : null}
        <title>{`${props.title} · Loyalty Hub console`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={assetUrl('console.css')} />
        <script src={assetUrl('htmx.js')} defer></script>
        {(props.scripts ?? []).map((s) => (
          <script src={assetUrl(s)} defer></script>
        ))}
        <script src={assetUrl('console.js')} defer></script>
      </head>
      <body>{props.children}</body>
    </html>
  );
}

/** Renders a full console page for the signed-in session. */
export function renderPage(c: Context<ConsoleEnv>, options: PageOptions, content: Child): Response | Promise<Response> {
  const session = c.get('session');
  const notice = getCookie(c, NOTICE_COOKIE);
  if (notice !== undefined) deleteCookie(c, NOTICE_COOKIE, { path: '/console' });
  return c.html(
    <Shell title={options.title} scripts={options.scripts} csrfToken={session.csrfToken}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/console/overview">
          Loyalty Hub
        </a>
        <nav aria-label="Console">
          <ul>
            {SECTIONS.map((s) => (
              <li>
                <a href={s.path} aria-current={s.path === options.section ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {session.principal.name} <span class="scope">{session.principal.scopes.join(', ')}</span>
          </span>
          <form method="post" action="/console/sign-out">
            <input type="hidden" name="_csrf" value={session.csrfToken} />
            <button type="submit" class="link">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <main id="main" tabindex={-1}>
        <h1>{options.title}</h1>
        {notice ? (
          <p class="notice" role="status">
            {decodeURIComponent(notice)}
          </p>
        ) : null}
        {content}
      </main>
    </Shell>,
  );
}
