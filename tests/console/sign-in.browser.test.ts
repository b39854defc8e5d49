/**
 * Signing in and out in a real browser (docs/console.md, "Signing in"), as a person does it:
 * by keyboard and by mouse, with every script and style loading under the console's policy.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONSOLE_ADMIN_KEY, launchBrowser, screenshot, signIn, startConsoleHub, watchPage, type ConsoleHub } from './browser.js';

describe('console sign-in in a browser', () => {
  let hub: ConsoleHub;
  let browser: Browser;
  let page: Page;
  let seen: { errors: string[] };

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startConsoleHub(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });
  beforeEach(async () => {
    page = await (await browser.newContext()).newPage();
    seen = watchPage(page);
  });
  afterEach(async () => {
    await page.context().close();
  });

  it('refuses a wrong key in words, then signs in by keyboard and out again', async () => {
    await page.goto(`${hub.url}/console/members`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await page.keyboard.type('lh_wrong_key_aaaaaaaaaaaaaaaa');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That key is unknown or revoked');
    await screenshot(page, 'sign-in');

    await page.getByLabel('API key').fill(CONSOLE_ADMIN_KEY);
    await page.getByLabel('API key').press('Enter');
    await page.waitForURL(`${hub.url}/console/members`);
    await expect.poll(() => page.locator('header .who').textContent()).toContain('ADMIN_API_KEY');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'lh_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });

    // The first Tab reaches the skip link, which moves focus past the navigation.
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${hub.url}/console/sign-in`);
    await page.goto(`${hub.url}/console/members`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(seen.errors).toEqual([]);
  });

  it('takes the person back where they were going after signing in', async () => {
    await signIn(page, hub, undefined, '/console/deliveries');
    expect(new URL(page.url()).pathname).toBe('/console/deliveries');
    expect(seen.errors).toEqual([]);
  });
});
