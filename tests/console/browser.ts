/**
 * Browser tests (docs/console.md, "Tests"): Debian's Chromium driven by playwright-core through
 * `executablePath`, against a hub started as a user starts it (`loyalty-hub serve`, its own
 * process, configured by its environment). `.ci/run` installs Chromium when it is missing; a
 * machine without it fails these tests with how to install it, never skips them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { backend, tempDatabase, type TempDatabase } from '../helpers/temp-database.js';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CONSOLE_ADMIN_KEY = 'lh_admin_console-browser-tests-0123456789';

/** Where screenshots go: test-output/console/<backend>/<name>.png (not committed). */
export const SCREENSHOTS = join(import.meta.dirname, '../../test-output/console', backend);

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}. .ci/run installs Debian's "chromium" package; here run "apt-get install chromium", or set CHROMIUM_PATH.`);
  }
  // The flags keep a headless Chromium off the network this machine does not have (docs/console.md).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export interface ConsoleHub {
  url: string;
  process: HubProcess;
  database: TempDatabase;
  /** The management API as the admin key, for arranging what a test then looks at in the console. */
  api(method: string, path: string, body?: unknown, key?: string): Promise<Response>;
  stop(): Promise<void>;
}

/** `loyalty-hub serve` on a fresh database of the project's backend, with a known admin key. */
export async function startConsoleHub(env: Record<string, string> = {}): Promise<ConsoleHub> {
  const database = await tempDatabase();
  const hub = await startHubProcess({ DATABASE_URL: database.url, ADMIN_API_KEY: CONSOLE_ADMIN_KEY, LOG_LEVEL: 'warn', ...env });
  return {
    url: hub.url,
    process: hub,
    database,
    api: (method, path, body, key = CONSOLE_ADMIN_KEY) =>
      fetch(`${hub.url}/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async stop() {
      await hub.stop();
      await database.dispose();
    },
  };
}

/**
 * Collects what a person would see go wrong in the page: script errors, refused resources
 * (a CSP violation is a console error), failed requests. Assert it empty at the end of a test.
 */
export function watchPage(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A page answered 401 or 404 on purpose is reported by Chromium as a failed resource; a
    // failed script, style or fetch is caught below by its response instead.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') errors.push(`${r.status()} for ${r.request().resourceType()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return { errors };
}

export async function signIn(page: Page, hub: ConsoleHub, key = CONSOLE_ADMIN_KEY, next?: string): Promise<void> {
  await page.goto(`${hub.url}/console/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

/** Saves a full-page screenshot under test-output/console/<backend>/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * The page has no horizontal scroll bar at its current width (tables scroll inside their own box).
 * Polled: after a resize, charts redraw at the new width on the next frames (Chart.js watches its
 * box), and a loaded machine can take a moment; a layout that stays too wide still fails.
 */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), { message: 'page wider than the window', timeout: 5_000 })
    .toBeLessThanOrEqual(0);
}

export interface ConsoleInBrowser {
  hub: ConsoleHub;
  browser: Browser;
  /** A fresh page (its own context: no cookie from the test before) for each test. */
  page: Page;
  /** What went wrong in `page` so far (`watchPage`). */
  seen: { errors: string[] };
}

/**
 * The hooks a console browser test file shares: one hub started as a user starts it (with `env`)
 * and one Chromium for the file, and a fresh page per test. Register it first in a `describe`: the
 * fields are set once its hooks have run, so a file's own `beforeAll` can arrange data on `hub`.
 */
export function consoleInBrowser(env: Record<string, string> = {}, viewport?: { width: number; height: number }): ConsoleInBrowser {
  const session = {} as ConsoleInBrowser;
  beforeAll(async () => {
    [session.hub, session.browser] = await Promise.all([startConsoleHub(env), launchBrowser()]);
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.hub?.stop();
  });
  beforeEach(async () => {
    session.page = await (await session.browser.newContext(viewport ? { viewport } : {})).newPage();
    session.seen = watchPage(session.page);
  });
  afterEach(async () => {
    await session.page?.context().close();
  });
  return session;
}
