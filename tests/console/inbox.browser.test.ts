/**
 * The inbox in a real browser (docs/console.md, "Inbox"), the flow "follow a rejected
 * webhook to its reason": a hub with Shopify enabled receives one correctly signed guest order
 * and one forged delivery at /webhooks/shopify; the person finds the refused one and its reason,
 * opens the accepted one and reads why it earned no points yet, and replays it as an admin. A
 * read key sees the API's refusal and no replay button.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { sample } from '../inbound/webhook-helpers.js';
import { expectNoSidewaysScroll, launchBrowser, screenshot, signIn, startConsoleHub, watchPage, type ConsoleHub } from './browser.js';

const GUEST_EMAIL = 'walk-in.buyer@example.com';

describe('console inbox in a browser', () => {
  let hub: ConsoleHub;
  let browser: Browser;
  let page: Page;
  let seen: { errors: string[] };
  let refusedReason: string;
  let readKey: string;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startConsoleHub({ SHOPIFY_API_SECRET: SHOPIFY_SECRET }), launchBrowser()]);
    const send = (init: RequestInit) => fetch(`${hub.url}/webhooks/shopify`, init);
    // A guest's order (only an e-mail, no customer account), paid now, signed with the right secret…
    const order = { ...sample('shopify', 'order_paid_no_customer_eur'), email: GUEST_EMAIL, processed_at: new Date().toISOString() };
    expect((await send(shopifyDelivery('orders/paid', order, 'evt-browser-ok'))).status).toBe(200);
    // …and one signed with another secret.
    const forged = await send(shopifyDelivery('orders/paid', order, 'evt-browser-forged', { secret: 'not-the-shop-secret' }));
    expect(forged.status).toBe(401);
    refusedReason = ((await forged.json()) as { detail: string }).detail;
    const created = await hub.api('POST', '/api-keys', { name: 'support desk', scope: 'read' });
    readKey = ((await created.json()) as { key: string }).key;
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });
  beforeEach(async () => {
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    seen = watchPage(page);
  });
  afterEach(async () => {
    await page.context().close();
  });

  it('follows a refused webhook to its reason, reads why an order earned no points yet, and replays it', async () => {
    await signIn(page, hub, undefined, '/console/inbox');
    const refused = page.getByRole('table', { name: 'Signature failures by platform' });
    await expect.poll(() => refused.getByRole('row').nth(1).textContent()).toContain(refusedReason);
    expect(await refused.getByRole('row').nth(1).textContent()).toContain('shopify');

    // Filter in place by status: the list changes without leaving the page.
    await page.getByLabel('Status').selectOption('rejected');
    await expect.poll(() => page.locator('#inbox-list').textContent()).toContain('No received webhook matches.');
    expect(new URL(page.url()).searchParams.get('status')).toBe('rejected');
    await page.getByLabel('Status').selectOption('accepted');
    const received = page.getByRole('table', { name: 'Received webhooks, newest first' });
    await expect.poll(() => received.textContent()).toContain('guest order: waits for its e-mail to enroll');
    await screenshot(page, 'inbox');
    for (const width of [360, 1920]) {
      await page.setViewportSize({ width, height: 800 });
      await expectNoSidewaysScroll(page);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    await received.getByRole('link', { name: /^Open delivery/ }).first().click();
    await page.waitForURL(/\/console\/inbox\/ibx_/);
    const why = page.locator('.inbox-why');
    await expect.poll(() => why.textContent()).toContain(`no member has the e-mail ${GUEST_EMAIL}`);
    expect(await why.textContent()).toMatch(/credited if that e-mail enrolls by .* UTC/);
    expect(await why.textContent()).toContain('it would earn 224 points');
    expect(await page.getByLabel('Raw payload').textContent()).toContain(`"email": "${GUEST_EMAIL}"`);
    await screenshot(page, 'inbox-delivery');
    for (const width of [360, 1920]) {
      await page.setViewportSize({ width, height: 800 });
      await expectNoSidewaysScroll(page);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Replayed: duplicate, already applied before, nothing written again.');
    expect(await page.locator('.inbox-why').textContent()).toContain(`no member has the e-mail ${GUEST_EMAIL}`);
    expect(seen.errors).toEqual([]);
  });

  it('shows a read key why the inbox is closed to it, and no replay button', async () => {
    await signIn(page, hub, readKey, '/console/inbox');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('admin');
    expect(await page.getByRole('table').count()).toBe(0);
    const { data } = (await (await hub.api('GET', '/inbox')).json()) as { data: { id: string }[] };
    await page.goto(`${hub.url}/console/inbox/${data[0]!.id}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('admin');
    expect(await page.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    expect(seen.errors).toEqual([]);
  });
});
