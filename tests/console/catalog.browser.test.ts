/**
 * Rewards and settings in a real browser (docs/console.md, "Rewards", "Settings"), driven as a
 * person drives them — by label and role — against `loyalty-hub serve`: a reward created, its
 * stock edited, codes added, archived; an API key seen once and gone on reload, used to sign in
 * elsewhere with its scope, then revoked; a webhook endpoint created and its secret rotated.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleInBrowser, expectNoSidewaysScroll, screenshot, signIn, watchPage } from './browser.js';

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
  const s = consoleInBrowser({}, { width: 1280, height: 800 });

  it('creates a reward, edits its stock, adds codes and archives it', async () => {
    for (const body of [
      { name: 'Five off', kind: 'fixed_discount', value: 500, currency: 'USD', cost: 500, stock: 100 },
      { name: 'Free shipping', kind: 'free_product', productSku: 'SHIP', cost: 200 },
    ]) {
      expect((await s.hub.api('POST', '/rewards', body)).status).toBe(201);
    }
    await signIn(s.page, s.hub, undefined, '/console/rewards');
    await s.page.getByRole('link', { name: 'Add a reward' }).click();
    await s.page.getByLabel('Name', { exact: true }).fill('Gift card');
    await s.page.getByLabel('Kind').selectOption('voucher');
    await s.page.getByLabel('Cost in points').fill('250');
    await s.page.getByLabel('Voucher codes').selectOption('pool');
    await s.page.getByRole('button', { name: 'Add the reward' }).click();
    await s.page.waitForURL(/\/console\/rewards\/rwd_/);
    await expect.poll(() => s.page.getByRole('status').textContent()).toBe('Added the reward "Gift card".');
    await expect.poll(() => s.page.locator('.pool-left').textContent()).toContain('0 unused codes left');

    await s.page.getByLabel('How many can still be redeemed').fill('25');
    await s.page.getByRole('button', { name: 'Save stock' }).click();
    await expect.poll(() => s.page.getByRole('status').textContent()).toBe('The stock of "Gift card" is now 25.');

    await s.page.getByLabel('Add codes, one per line').fill('GIFT-0001\nGIFT-0002\n\nGIFT-0003\n');
    await s.page.getByRole('button', { name: 'Add codes' }).click();
    await expect.poll(() => s.page.getByRole('status').textContent()).toBe('Added 3 codes.');
    expect(await s.page.locator('.pool-left').textContent()).toContain('3 unused codes left');
    expect(await s.page.content()).not.toContain('GIFT-0001');
    await screenshot(s.page, 'reward');
    await checkWidths(s.page, 'reward');

    await s.page.getByRole('button', { name: 'Archive this reward' }).click();
    await expect.poll(() => s.page.getByRole('status').textContent()).toContain('Archived "Gift card"');
    await s.page.getByRole('link', { name: '← All rewards' }).click();
    expect(await s.page.getByRole('link', { name: 'Gift card' }).count()).toBe(0);
    await s.page.getByRole('link', { name: 'Archived', exact: true }).click();
    await expect.poll(() => s.page.getByRole('link', { name: 'Gift card' }).count()).toBe(1);
    await s.page.getByRole('link', { name: 'Active', exact: true }).click();
    await screenshot(s.page, 'rewards');
    await checkWidths(s.page, 'rewards');
    expect(s.seen.errors).toEqual([]);
  });

  it('shows a new API key once, works with it elsewhere with its scope, and revokes it', async () => {
    await signIn(s.page, s.hub, undefined, '/console/settings');
    await s.page.getByLabel('Name', { exact: true }).fill('Support desk');
    await s.page.getByLabel('Scope').selectOption('read');
    await s.page.getByRole('button', { name: 'Create key' }).click();
    const secret = s.page.getByLabel(/^Key for/);
    const key = await secret.inputValue();
    expect(key).toMatch(/^lh_/);
    await expect.poll(() => s.page.getByRole('button', { name: 'Copy' }).isVisible()).toBe(true);
    // The answer replaced its history entry: the address is the plain page, the key in no URL.
    expect(new URL(s.page.url()).pathname).toBe('/console/settings');
    expect(s.page.url()).not.toContain(key);

    await s.page.reload();
    expect(await s.page.getByLabel(/^Key for/).count()).toBe(0);
    expect(await s.page.content()).not.toContain(key);
    await expect.poll(() => s.page.getByRole('cell', { name: 'Support desk' }).count()).toBe(1);

    // Signed in with the new key elsewhere: its name and scope, and no form that changes anything.
    const other = await (await s.browser.newContext()).newPage();
    const otherSeen = watchPage(other);
    await signIn(other, s.hub, key, '/console/settings');
    await expect.poll(() => other.locator('header .who').textContent()).toBe('Support desk readSign out');
    expect(await changeForms(other)).toBe(0);
    await other.goto(`${s.hub.url}/console/rewards`);
    expect(await changeForms(other)).toBe(0);
    expect(await other.getByRole('link', { name: 'Add a reward' }).count()).toBe(0);

    const row = s.page.getByRole('row').filter({ hasText: 'Support desk' });
    await row.getByText('Revoke…').click();
    await row.getByRole('button', { name: 'Revoke “Support desk”' }).click();
    await expect.poll(() => s.page.getByRole('status').textContent()).toBe('Revoked the key “Support desk”: it no longer works.');
    await other.reload();
    expect(new URL(other.url()).pathname).toBe('/console/sign-in');
    expect(otherSeen.errors).toEqual([]);
    await other.context().close();
    expect(s.seen.errors).toEqual([]);
  });

  it('creates a webhook endpoint, shows its secret once, rotates it and deletes it', async () => {
    await signIn(s.page, s.hub, undefined, '/console/settings');
    await s.page.getByLabel('URL').fill('https://crm.example/hooks/loyalty');
    await s.page.getByLabel('Description (optional)').fill('CRM sync');
    await s.page.getByLabel('points.earned').check();
    await s.page.getByRole('button', { name: 'Add endpoint' }).click();
    const first = await s.page.getByLabel(/^Signing secret for/).inputValue();
    expect(first).toMatch(/^whsec_/);
    await s.page.reload();
    expect(await s.page.content()).not.toContain(first);
    await screenshot(s.page, 'settings');
    await checkWidths(s.page, 'settings');

    const row = s.page.getByRole('row').filter({ hasText: 'crm.example' });
    await row.getByText('Rotate secret…').click();
    await row.getByLabel('Hours the old secret keeps signing too').fill('1');
    await row.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await s.page.getByLabel(/^New signing secret for/).inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(first);
    await s.page.reload();
    expect(await s.page.content()).not.toContain(rotated);
    await expect.poll(() => s.page.getByRole('row').filter({ hasText: 'crm.example' }).textContent()).toContain('the previous one also signs until');

    const again = s.page.getByRole('row').filter({ hasText: 'crm.example' });
    await again.getByText('Delete…').click();
    await again.getByRole('button', { name: 'Delete this endpoint' }).click();
    await expect.poll(() => s.page.getByRole('status').textContent()).toContain('Deleted the webhook endpoint https://crm.example/hooks/loyalty');
    expect(s.seen.errors).toEqual([]);
  });
});
