/**
 * Retrying a dead delivery in a real browser (docs/console.md, "Deliveries"), the flow:
 * a signed webhook endpoint on a small local server that answers 500, an event, the delivery
 * dead after its short retry schedule; then the receiver is fixed, and a person finds the
 * delivery, reads its attempts, retries it and sees it delivered. A read key sees no retry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { sample } from '../inbound/webhook-helpers.js';
import { expectNoSidewaysScroll, launchBrowser, screenshot, signIn, startConsoleHub, watchPage, type ConsoleHub } from './browser.js';

/** A receiver that answers `answer` to every POST and counts what it got. */
function receiver(): Promise<{ server: Server; url: string; received: { id: string; answered: number }[]; answer: { status: number } }> {
  const state = { received: [] as { id: string; answered: number }[], answer: { status: 500 } };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.received.push({ id: String(req.headers['webhook-id']), answered: state.answer.status });
      res.writeHead(state.answer.status).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/loyalty`, ...state })),
  );
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('console deliveries in a browser', () => {
  let hub: ConsoleHub;
  let browser: Browser;
  let target: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    // docs/operating.md: WEBHOOK_ALLOW_PRIVATE lets an endpoint be plain http on 127.0.0.1;
    // DELIVERY_RETRY_SCHEDULE=1s makes a failing delivery dead after one retry (docs/api.md).
    [hub, browser, target] = await Promise.all([startConsoleHub({ WEBHOOK_ALLOW_PRIVATE: 'true', DELIVERY_RETRY_SCHEDULE: '1s', SHOPIFY_API_SECRET: SHOPIFY_SECRET }), launchBrowser(), receiver()]);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    target?.server.close();
  });

  const viewports = async (page: Page, name: string) => {
    for (const width of [360, 1920]) {
      await page.setViewportSize({ width, height: 800 });
      await expectNoSidewaysScroll(page);
      await screenshot(page, `${name}-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  };

  it('finds a dead delivery, reads its attempts, retries it and sees it delivered; a read key cannot retry', async () => {
    const endpoint = await hub.api('POST', '/webhook-endpoints', { url: target.url, events: ['points.earned'] });
    expect(endpoint.status, await endpoint.clone().text()).toBe(201);
    const member = (await (await hub.api('POST', '/members', { email: 'ada@example.com' })).json()) as { id: string };
    const earned = await hub.api('POST', '/events', { type: 'activity', name: 'review.posted', id: 'review-1', customer: { memberId: member.id }, points: 40 });
    expect(earned.status).toBe(201);
    const dead = await until('the delivery to be dead', async () => {
      const list = (await (await hub.api('GET', '/deliveries?status=dead')).json()) as { data: { id: string }[] };
      return list.data[0]?.id;
    });
    expect(target.received.map((r) => r.answered)).toEqual([500, 500]);
    target.answer.status = 200;

    // A read key sees the dead delivery and its attempts, and no way to retry it.
    const readKey = ((await (await hub.api('POST', '/api-keys', { name: 'support desk', scope: 'read' })).json()) as { key: string }).key;
    const reader = await (await browser.newContext()).newPage();
    const readerSeen = watchPage(reader);
    await signIn(reader, hub, readKey, `/console/deliveries/${dead}`);
    await expect.poll(() => reader.getByRole('table', { name: /Attempts/ }).getByRole('row').count()).toBe(3);
    expect(await reader.getByRole('button', { name: 'Retry delivery' }).count()).toBe(0);
    expect(readerSeen.errors).toEqual([]);
    await reader.context().close();

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const seen = watchPage(page);
    await signIn(page, hub, undefined, '/console/deliveries');
    // Filter to the dead ones, in place (htmx) — the address follows, so the view can be shared.
    await page.getByLabel('State').selectOption('dead');
    await page.waitForURL(/status=dead/);
    const deadList = page.getByRole('table', { name: 'Deliveries dead, newest first' });
    await expect.poll(() => deadList.getByRole('row').count()).toBe(2);
    await expect.poll(() => deadList.textContent()).toContain('webhook');
    await screenshot(page, 'deliveries');
    await viewports(page, 'deliveries');

    await deadList.getByRole('link', { name: dead }).click();
    await page.waitForURL(`${hub.url}/console/deliveries/${dead}`);
    const attempts = page.getByRole('table', { name: /Attempts/ });
    const rows = await attempts.getByRole('row').allTextContents();
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^1\s*failed, tried again later\s*500\s*\d+ ms\s*webhook: HTTP 500/);
    expect(rows[2]).toMatch(/^2\s*failed, no retries left\s*500/);
    await screenshot(page, 'delivery');
    await viewports(page, 'delivery');

    await page.getByRole('button', { name: 'Retry delivery' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('queued again');
    // The page re-reads itself while the delivery is pending, until it is delivered.
    await expect.poll(() => page.locator('#delivery-detail dd[aria-live]').textContent(), { timeout: 15_000 }).toBe('delivered');
    // Every attempt stays listed; the retry by hand starts the count again.
    await expect.poll(() => attempts.getByRole('row').count()).toBe(4);
    expect(await attempts.getByRole('row').nth(3).textContent()).toMatch(/^1\s*delivered\s*200/);
    expect(target.received.filter((r) => r.id === dead).map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(await page.getByRole('button', { name: 'Retry delivery' }).count()).toBe(0);

    // Shopify: one webhook received, one refused for its signature (a secret rotated on one side only).
    const webhook = (init: RequestInit) => fetch(`${hub.url}/webhooks/shopify`, init);
    expect((await webhook(shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer')))).status).toBe(200);
    expect((await webhook(shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer'), undefined, { secret: 'rotated' }))).status).toBe(401);

    await page.getByRole('link', { name: 'Connector health' }).click();
    await page.waitForURL(`${hub.url}/console/deliveries/connectors`);
    const connectors = page.getByRole('table', { name: 'Connectors, by name' });
    const shopify = await connectors.getByRole('row', { name: /Shopify/ }).textContent();
    // Shopify also sends (its store codes) but has sent nothing yet: none yet, no failure.
    expect(shopify).toMatch(/enabled.*accepted · orders\/paid\s*none yet\s*—\s*1\s*20\d\d-.* — /);
    await expect.poll(() => connectors.getByRole('row', { name: /Stripe/ }).textContent()).toContain('disabled missing STRIPE_WEBHOOK_SECRET');
    await screenshot(page, 'connectors');
    await viewports(page, 'connectors');
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });
});
