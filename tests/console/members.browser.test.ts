/**
 * The members section in a real browser (docs/console.md, "Members"), the flow: sign in,
 * find a member by e-mail, read the history (each line's reason, rule and source), adjust with
 * a reason and see the balance and the new line; readable from 360 to 1,920 px; a read key sees
 * the member page without any form. The member and its history are made through the public API.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { consoleInBrowser, expectNoSidewaysScroll, screenshot, signIn } from './browser.js';

const EMAIL = 'ada.lovelace@example.com';

describe('console members in a browser', () => {
  const s = consoleInBrowser({}, { width: 1280, height: 900 });
  let memberId: string;
  let readKey: string;

  beforeAll(async () => {
    const enrolled = await s.hub.api('POST', '/members', { email: EMAIL, firstName: 'Ada', lastName: 'Lovelace', aliases: ['shopify:7390123'] });
    expect(enrolled.status).toBe(201);
    memberId = ((await enrolled.json()) as { id: string }).id;
    for (const [id, amount] of [
      ['1001', 4_250],
      ['1002', 12_000],
    ] as const) {
      const paid = await s.hub.api('POST', '/events', { type: 'order.paid', customer: { email: EMAIL }, order: { id, currency: 'USD', amount, channel: 'web' } });
      expect(paid.status).toBe(201);
    }
    expect((await s.hub.api('POST', `/members/${memberId}/adjustments`, { points: -10, reason: 'Duplicate review bonus' })).status).toBe(201);
    const key = await s.hub.api('POST', '/api-keys', { name: 'support desk', scope: 'read' });
    expect(key.status).toBe(201);
    readKey = ((await key.json()) as { key: string }).key;
  });

  const card = (name: string) => s.page.locator(`[data-balance="${name}"]`);
  const row = (text: string) => s.page.getByRole('region', { name: /Ledger lines/ }).getByRole('row').filter({ hasText: text });

  it('finds a member by e-mail, reads the history, and adjusts with a reason', async () => {
    await signIn(s.page, s.hub, undefined, '/console/members');
    await s.page.getByLabel('E-mail, alias or member id').fill(EMAIL);
    await s.page.keyboard.press('Enter');
    await expect.poll(() => s.page.getByRole('status').first().textContent()).toContain('Matched by e-mail: 1 member.');
    await screenshot(s.page, 'members');

    await s.page.getByRole('link', { name: memberId }).click();
    await s.page.waitForURL(`${s.hub.url}/console/members/${memberId}`);
    expect(await s.page.getByRole('heading', { level: 1 }).textContent()).toBe(`Member ${EMAIL}`);
    expect(await card('available').textContent()).toBe('152');
    // Each line says why it exists: the order's rule and event, the adjustment's reason and who made it.
    const order = row('api:order:1002');
    expect(await order.getByRole('cell').allTextContents()).toEqual([expect.stringMatching(/UTC$/), 'earn', '+120 available', 'order.paid', 'order-points', 'rule · api:order:1002', expect.stringContaining('active, 120 left')]);
    expect(await row('Duplicate review bonus').getByRole('cell').nth(5).textContent()).toBe('admin · ADMIN_API_KEY');

    await s.page.getByLabel('Points (negative to take away)').fill('75');
    await s.page.getByLabel('Reason for the adjustment').fill('Goodwill for the late parcel');
    await s.page.getByRole('button', { name: 'Adjust', exact: true }).click();
    await expect.poll(() => s.page.getByRole('status').first().textContent()).toContain('Adjusted +75 points (Goodwill for the late parcel). Available now: 227.');
    expect(await card('available').textContent()).toBe('227');
    expect(await row('Goodwill for the late parcel').getByRole('cell').nth(2).textContent()).toBe('+75 available');

    // Erasing waits for the member id to be typed.
    const erase = s.page.getByRole('button', { name: 'Erase for good' });
    expect(await erase.isDisabled()).toBe(true);
    await s.page.getByLabel(/Type the member id/).fill(memberId);
    expect(await erase.isEnabled()).toBe(true);
    await s.page.getByLabel(/Type the member id/).fill('');

    await screenshot(s.page, 'member');
    for (const width of [360, 1920]) {
      await s.page.setViewportSize({ width, height: 900 });
      await expectNoSidewaysScroll(s.page);
      await screenshot(s.page, `member-${width}`);
    }
    expect(s.seen.errors).toEqual([]);
  });

  it('shows a read key the member page without any form that changes something', async () => {
    await signIn(s.page, s.hub, readKey, `/console/members/${memberId}`);
    await s.page.waitForURL(`${s.hub.url}/console/members/${memberId}`);
    expect(await card('available').isVisible()).toBe(true);
    expect(await row('api:order:1001').count()).toBe(1);
    expect(await s.page.locator('form[method="post"]:not([action="/console/sign-out"])').count()).toBe(0);
    expect(await s.page.getByRole('heading', { name: 'Change this member' }).count()).toBe(0);
    await s.page.setViewportSize({ width: 360, height: 800 });
    await expectNoSidewaysScroll(s.page);
    expect(s.seen.errors).toEqual([]);
  });
});
