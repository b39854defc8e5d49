/**
 * Rewards and settings in a real browser (docs/console.md, "Rewards", "Settings"), driven as a
 * person drives them — by label and role — against `loyalty-hub serve`: a reward created, its
 * stock edited, codes added, archived; an API key seen once and gone on reload, used to sign in
 * elsewhere with its scope, then revoked; a webhook endpoint created and its secret rotated.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectNoSidewaysScroll, launchBrowser, screenshot, signIn, startConsoleHub, watchPage, type ConsoleHub } from './browser.js';

/** Every form on the page that posts, but the layout's sign-out. */
const changeForms = (page: Page) => page.locator('main form[method="post"]').count();

/** No sideways scroll at the narrowest and widest widths; the screenshots are there to look at. */
async function checkWidths(page: Page, name: string): Promise<void> {
  for (const width of [360, 1920]) {
    await page.setViewportSize({ width, height: 800 });
    await expectNoSidewaysScroll(page);
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('console rewards and settings in a browser', () => {
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
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    seen = watchPage(page);
  });
  afterEach(async () => {
    await page.context().close();
  });

  it('creates a reward, edits its stock, adds codes and archives it', async () => {
    for (const body of [
      { name: 'Five off', kind: 'fixed_discount', value: 500, currency: 'USD', cost: 500, stock: 100 },
      { name: 'Free shipping', kind: 'free_product', productSku: 'SHIP', cost: 200 },
    ]) {
      expect((await hub.api('POST', '/rewards', body)).status).toBe(201);
    }
    await signIn(page, hub, undefined, '/console/rewards');
    await page.getByRole('link', { name: 'Add a reward' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Gift card');
    await page.getByLabel('Kind').selectOption('voucher');
    await page.getByLabel('Cost in points').fill('250');
    await page.getByLabel('Voucher codes').selectOption('pool');
    await page.getByRole('button', { name: 'Add the reward' }).click();
    await page.waitForURL(/\/console\/rewards\/rwd_/);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Added the reward "Gift card".');
    await expect.poll(() => page.locator('.pool-left').textContent()).toContain('0 unused codes left');

    await page.getByLabel('How many can still be redeemed').fill('25');
    await page.getByRole('button', { name: 'Save stock' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('The stock of "Gift card" is now 25.');

    await page.getByLabel('Add codes, one per line').fill('GIFT-0001\nGIFT-0002\n\nGIFT-0003\n');
    await page.getByRole('button', { name: 'Add codes' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Added 3 codes.');
    expect(await page.locator('.pool-left').textContent()).toContain('3 unused codes left');
    expect(await page.content()).not.toContain('GIFT-0001');
    await screenshot(page, 'reward');
    await checkWidths(page, 'reward');

    await page.getByRole('button', { name: 'Archive this reward' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Archived "Gift card"');
    await page.getByRole('link', { name: '← All rewards' }).click();
    expect(await page.getByRole('link', { name: 'Gift card' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Archived', exact: true }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Gift card' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Active', exact: true }).click();
    await screenshot(page, 'rewards');
    await checkWidths(page, 'rewards');
    expect(seen.errors).toEqual([]);
  });

  it('shows a new API key once, works with it elsewhere with its scope, and revokes it', async () => {
    await signIn(page, hub, undefined, '/console/settings');
    await page.getByLabel('Name', { exact: true }).fill('Support desk');
    await page.getByLabel('Scope').selectOption('read');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.getByLabel(/^Key for/);
    const key = await secret.inputValue();
    expect(key).toMatch(/^lh_/);
    await expect.poll(() => page.getByRole('button', { name: 'Copy' }).isVisible()).toBe(true);
    // The answer replaced its history entry: the address is the plain page, the key in no URL.
    expect(new URL(page.url()).pathname).toBe('/console/settings');
    expect(page.url()).not.toContain(key);

    await page.reload();
    expect(await page.getByLabel(/^Key for/).count()).toBe(0);
    expect(await page.content()).not.toContain(key);
    await expect.poll(() => page.getByRole('cell', { name: 'Support desk' }).count()).toBe(1);

    // Signed in with the new key elsewhere: its name and scope, and no form that changes anything.
    const other = await (await browser.newContext()).newPage();
    const otherSeen = watchPage(other);
    await signIn(other, hub, key, '/console/settings');
    await expect.poll(() => other.locator('header .who').textContent()).toBe('Support desk readSign out');
    expect(await changeForms(other)).toBe(0);
    await other.goto(`${hub.url}/console/rewards`);
    expect(await changeForms(other)).toBe(0);
    expect(await other.getByRole('link', { name: 'Add a reward' }).count()).toBe(0);

    const row = page.getByRole('row').filter({ hasText: 'Support desk' });
    await row.getByText('Revoke…').click();
    await row.getByRole('button', { name: 'Revoke “Support desk”' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Revoked the key “Support desk”: it no longer works.');
    await other.reload();
    expect(new URL(other.url()).pathname).toBe('/console/sign-in');
    expect(otherSeen.errors).toEqual([]);
    await other.context().close();
    expect(seen.errors).toEqual([]);
  });

  it('creates a webhook endpoint, shows its secret once, rotates it and deletes it', async () => {
    await signIn(page, hub, undefined, '/console/settings');
    await page.getByLabel('URL').fill('https://crm.example/hooks/loyalty');
    await page.getByLabel('Description (optional)').fill('CRM sync');
    await page.getByLabel('points.earned').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const first = await page.getByLabel(/^Signing secret for/).inputValue();
    expect(first).toMatch(/^whsec_/);
    await page.reload();
    expect(await page.content()).not.toContain(first);
    await screenshot(page, 'settings');
    await checkWidths(page, 'settings');

    const row = page.getByRole('row').filter({ hasText: 'crm.example' });
    await row.getByText('Rotate secret…').click();
    await row.getByLabel('Hours the old secret keeps signing too').fill('1');
    await row.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await page.getByLabel(/^New signing secret for/).inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(first);
    await page.reload();
    expect(await page.content()).not.toContain(rotated);
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'crm.example' }).textContent()).toContain('the previous one also signs until');

    const again = page.getByRole('row').filter({ hasText: 'crm.example' });
    await again.getByText('Delete…').click();
    await again.getByRole('button', { name: 'Delete this endpoint' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Deleted the webhook endpoint https://crm.example/hooks/loyalty');
    expect(seen.errors).toEqual([]);
  });
});
