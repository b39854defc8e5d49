/**
 * Signing in and out in a real browser (docs/console.md, "Signing in"), as a person does it:
 * by keyboard and by mouse, with every script and style loading under the console's policy.
 */
import { describe, expect, it } from 'vitest';
import { CONSOLE_ADMIN_KEY, consoleInBrowser, screenshot, signIn } from './browser.js';

describe('console sign-in in a browser', () => {
  const s = consoleInBrowser();

  it('refuses a wrong key in words, then signs in by keyboard and out again', async () => {
    await s.page.goto(`${s.hub.url}/console/members`);
    expect(new URL(s.page.url()).pathname).toBe('/console/sign-in');
    await s.page.keyboard.type('lh_wrong_key_aaaaaaaaaaaaaaaa');
    await s.page.keyboard.press('Enter');
    await expect.poll(() => s.page.getByRole('alert').textContent()).toContain('That key is unknown or revoked');
    await screenshot(s.page, 'sign-in');

    await s.page.getByLabel('API key').fill(CONSOLE_ADMIN_KEY);
    await s.page.getByLabel('API key').press('Enter');
    await s.page.waitForURL(`${s.hub.url}/console/members`);
    await expect.poll(() => s.page.locator('header .who').textContent()).toContain('ADMIN_API_KEY');
    const cookie = (await s.page.context().cookies()).find((c) => c.name === 'lh_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });

    // The first Tab reaches the skip link, which moves focus past the navigation.
    await s.page.keyboard.press('Tab');
    await expect.poll(() => s.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');

    await s.page.getByRole('button', { name: 'Sign out' }).click();
    await s.page.waitForURL(`${s.hub.url}/console/sign-in`);
    await s.page.goto(`${s.hub.url}/console/members`);
    expect(new URL(s.page.url()).pathname).toBe('/console/sign-in');
    expect(s.seen.errors).toEqual([]);
  });

  it('takes the person back where they were going after signing in', async () => {
    await signIn(s.page, s.hub, undefined, '/console/deliveries');
    expect(new URL(s.page.url()).pathname).toBe('/console/deliveries');
    expect(s.seen.errors).toEqual([]);
  });
});
