/**
 * The inbox in a real browser (docs/console.md, "Inbox"), the flow "follow a rejected
 * webhook to its reason": a hub with Shopify enabled receives one correctly signed guest order
 * and one forged delivery at /webhooks/shopify; the person finds the refused one and its reason,
 * opens the accepted one and reads why it earned no points yet, and replays it as an admin. A
 * support agent's read key reads the same why, without the raw payload or a replay button.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { sample } from '../inbound/webhook-helpers.js';
import { consoleInBrowser, expectNoSidewaysScroll, screenshot, signIn } from './browser.js';

const GUEST_EMAIL = 'walk-in.buyer@example.com';

describe('console inbox in a browser', () => {
  const s = consoleInBrowser({ SHOPIFY_API_SECRET: SHOPIFY_SECRET }, { width: 1280, height: 900 });
  let refusedReason: string;
  let readKey: string;

  beforeAll(async () => {
    const send = (init: RequestInit) => fetch(`${s.hub.url}/webhooks/shopify`, init);
    // A guest's order (only an e-mail, no customer account), paid now, signed with the right secret…
    const order = { ...sample('shopify', 'order_paid_no_customer_eur'), email: GUEST_EMAIL, processed_at: new Date().toISOString() };
    expect((await send(shopifyDelivery('orders/paid', order, 'evt-browser-ok'))).status).toBe(200);
    // …and one signed with another secret.
    const forged = await send(shopifyDelivery('orders/paid', order, 'evt-browser-forged', { secret: 'not-the-shop-secret' }));
    expect(forged.status).toBe(401);
    refusedReason = ((await forged.json()) as { detail: string }).detail;
    const created = await s.hub.api('POST', '/api-keys', { name: 'support desk', scope: 'read' });
    readKey = ((await created.json()) as { key: string }).key;
  });

  it('follows a refused webhook to its reason, reads why an order earned no points yet, and replays it', async () => {
    await signIn(s.page, s.hub, undefined, '/console/inbox');
    const refused = s.page.getByRole('table', { name: 'Signature failures by platform' });
    await expect.poll(() => refused.getByRole('row').nth(1).textContent()).toContain(refusedReason);
    expect(await refused.getByRole('row').nth(1).textContent()).toContain('shopify');

    // Filter in place by status: the list changes without leaving the page.
    await s.page.getByLabel('Status').selectOption('rejected');
    await expect.poll(() => s.page.locator('#inbox-list').textContent()).toContain('No received webhook matches.');
    expect(new URL(s.page.url()).searchParams.get('status')).toBe('rejected');
    await s.page.getByLabel('Status').selectOption('accepted');
    const received = s.page.getByRole('table', { name: 'Received webhooks, newest first' });
    await expect.poll(() => received.textContent()).toContain('guest order: waits for its e-mail to enroll');
    await screenshot(s.page, 'inbox');
    for (const width of [360, 1920]) {
      await s.page.setViewportSize({ width, height: 800 });
      await expectNoSidewaysScroll(s.page);
    }
    await s.page.setViewportSize({ width: 1280, height: 900 });

    await received.getByRole('link', { name: /^Open delivery/ }).first().click();
    await s.page.waitForURL(/\/console\/inbox\/ibx_/);
    const why = s.page.locator('.inbox-why');
    await expect.poll(() => why.textContent()).toContain(`no member has the e-mail ${GUEST_EMAIL}`);
    expect(await why.textContent()).toMatch(/credited if that e-mail enrolls by .* UTC/);
    expect(await why.textContent()).toContain('it would earn 224 points');
    expect(await s.page.getByLabel('Raw payload').textContent()).toContain(`"email": "${GUEST_EMAIL}"`);
    await screenshot(s.page, 'inbox-delivery');
    for (const width of [360, 1920]) {
      await s.page.setViewportSize({ width, height: 800 });
      await expectNoSidewaysScroll(s.page);
    }
    await s.page.setViewportSize({ width: 1280, height: 900 });

    await s.page.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => s.page.getByRole('status').textContent()).toBe('Replayed: duplicate, already applied before, nothing written again.');
    expect(await s.page.locator('.inbox-why').textContent()).toContain(`no member has the e-mail ${GUEST_EMAIL}`);
    expect(s.seen.errors).toEqual([]);
  });

  it("lets a support agent's read key find the order and read why it earned nothing yet, without the raw payload or a replay button", async () => {
    await signIn(s.page, s.hub, readKey, '/console/inbox');
    const received = s.page.getByRole('table', { name: 'Received webhooks, newest first' });
    await expect.poll(() => received.textContent()).toContain('guest order: waits for its e-mail to enroll');
    expect(await s.page.getByRole('table', { name: 'Signature failures by platform' }).textContent()).toContain(refusedReason);

    await received.getByRole('link', { name: /^Open delivery/ }).first().click();
    await s.page.waitForURL(/\/console\/inbox\/ibx_/);
    await expect.poll(() => s.page.locator('.inbox-why').textContent()).toContain(`no member has the e-mail ${GUEST_EMAIL}`);
    expect(await s.page.getByLabel('Raw payload').count()).toBe(0);
    expect(await s.page.getByText('Shown to admin keys only').count()).toBe(1);
    expect(await s.page.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    expect(s.seen.errors).toEqual([]);
  });
});
