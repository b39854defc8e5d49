/**
 * The console's Deliveries section in process (docs/console.md, "Deliveries"): the outbox's
 * messages by state as the API lists them, a delivery's attempts, an admin's retry of a dead one
 * (and its refusal), a read key that sees everything and can retry nothing, paging, and
 * connector health. Slack stands in for every adapter: msw answers for its API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import slack from '../../connectors/slack/index.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { deliver, sample } from '../inbound/webhook-helpers.js';
import { signInConsole } from './console-harness.js';

const mappingsDir = mkdtempSync(join(tmpdir(), 'loyalty-hub-console-deliveries-'));
writeFileSync(
  join(mappingsDir, 'earned-slack.yaml'),
  `name: earned-slack
on: points.earned
send:
  adapter: slack
  channel: "#loyalty"
  text: "{{ points }} points earned"
`,
);

const server = setupServer();
let slackAnswer = () => HttpResponse.json({ ok: false, error: 'channel_not_found' });
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  slackAnswer = () => HttpResponse.json({ ok: false, error: 'channel_not_found' });
});
afterAll(() => {
  server.close();
  rmSync(mappingsDir, { recursive: true, force: true });
});

interface Delivery {
  id: string;
  status: string;
}

describe('console deliveries', () => {
  const h = hubHarness({
    connectors: [slack, shopify],
    env: { LOYALTY_MAPPINGS: mappingsDir, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: 'http://slack.test', SHOPIFY_API_SECRET: SHOPIFY_SECRET },
  });

  const earn = async (id: string) => {
    const member = await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: `${id}@example.com` } }));
    const res = await h.call('POST', '/v1/events', { scope: 'write', body: { type: 'activity', name: 'review.posted', id, customer: { memberId: member.id }, points: 25 } });
    expect(res.status).toBe(201);
  };
  /** One delivery Slack refused for good (channel_not_found): dead after its first attempt. */
  const deadDelivery = async (): Promise<string> => {
    server.use(http.post('http://slack.test/api/chat.postMessage', () => slackAnswer()));
    await earn(`dead-${Math.random().toString(36).slice(2)}`);
    await h.hub.notifications.dispatcher.runOnce();
    const dead = await json<{ data: Delivery[] }>(await h.call('GET', '/v1/deliveries?status=dead', { scope: 'read' }));
    return dead.data[0]!.id;
  };

  it('lists deliveries by state as the API does, newest first, and answers a filter in place', async () => {
    const dead = await deadDelivery();
    h.clock.advance(1000);
    await earn('queued');
    await h.hub.notifications.dispatcher.route(); // queued, not sent yet: pending
    const pending = (await json<{ data: Delivery[] }>(await h.call('GET', '/v1/deliveries?status=pending'))).data[0]!.id;
    const console = await signInConsole(h, 'read');

    const all = await (await console.get('/console/deliveries')).text();
    expect(all).toContain('<caption>All deliveries, newest first</caption>');
    expect(all.indexOf(pending)).toBeLessThan(all.indexOf(dead));
    expect(all).toContain('channel_not_found');
    expect(all).toContain('<label for="status">State</label>');

    const deadOnly = await console.get('/console/deliveries?status=dead');
    const html = await deadOnly.text();
    expect(html).toContain(`href="/console/deliveries/${dead}"`);
    expect(html).not.toContain(pending);
    expect(html).toContain('<span class="status bad">dead</span>');
    expect(html).toContain('<option value="dead" selected="">Dead</option>');

    // htmx asks for the list alone.
    const fragment = await (await console.get('/console/deliveries?status=pending', { 'hx-request': 'true' })).text();
    expect(fragment.startsWith('<div id="delivery-list">')).toBe(true);
    expect(fragment).toContain(pending);
    expect(fragment).not.toContain('<nav');

    const wrong = await console.get('/console/deliveries?status=lost');
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('<code>/status</code>');
  });

  it("shows a delivery's attempts, and an admin's retry sends it again until it is delivered", async () => {
    const id = await deadDelivery();
    const admin = await signInConsole(h, 'admin');
    const page = await (await admin.get(`/console/deliveries/${id}`)).text();
    expect(page).toContain('<caption>Attempts, first to last');
    expect(page).toMatch(/<td class="num">1<\/td><td>refused for good<\/td><td><code>200<\/code><\/td><td class="num">\d+ ms<\/td><td><span class="error-text">[^<]*channel_not_found/);
    expect(page).toContain(`action="/console/deliveries/${id}/retry"`);
    expect(page).toContain('Retry delivery');

    slackAnswer = () => HttpResponse.json({ ok: true, ts: '1.2' });
    const retried = await admin.post(`/console/deliveries/${id}/retry`, { _idempotency: 'retry-1' });
    expect(retried.status).toBe(303);
    expect(retried.headers.get('location')).toBe(`/console/deliveries/${id}`);
    expect(decodeURIComponent(retried.headers.get('set-cookie') ?? '')).toContain(`Delivery ${id} queued again`);

    // Pending again: the page re-reads itself until the dispatcher has sent it.
    const waiting = await (await admin.get(`/console/deliveries/${id}`)).text();
    expect(waiting).toContain('<span class="status warn">pending</span>');
    expect(waiting).toContain(`hx-get="/console/deliveries/${id}" hx-trigger="every 2s"`);
    expect(waiting).not.toContain('Retry delivery');

    await h.hub.notifications.dispatcher.runOnce();
    const done = await (await admin.get(`/console/deliveries/${id}`, { 'hx-request': 'true' })).text();
    expect(done.startsWith('<section id="delivery-detail"')).toBe(true);
    expect(done).toContain('<span class="status ok">delivered</span>');
    expect(done).not.toContain('hx-trigger');
    expect(done).not.toContain('Retry delivery');

    // Sent: a second retry is the API's 409, shown with the page.
    const again = await admin.post(`/console/deliveries/${id}/retry`, {});
    expect(again.status).toBe(409);
    const refused = await again.text();
    expect(refused).toContain('Delivery not retryable');
    expect(refused).toContain('only dead or skipped deliveries are sent again');
  });

  it('shows a read key every delivery and no retry, and refuses its forged retry with the API reason', async () => {
    const id = await deadDelivery();
    const reader = await signInConsole(h, 'read');
    const page = await (await reader.get(`/console/deliveries/${id}`)).text();
    expect(page).toContain('channel_not_found');
    expect(page).not.toContain('Retry delivery');
    expect(page).not.toContain('/retry');

    const forged = await reader.post(`/console/deliveries/${id}/retry`, {});
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('role="alert"');
    expect(await json(await h.call('GET', `/v1/deliveries/${id}`))).toMatchObject({ status: 'dead', attempts: 1 });
  });

  it('says so for a delivery that does not exist', async () => {
    const reader = await signInConsole(h, 'read');
    const res = await reader.get('/console/deliveries/dlv_nope');
    const body = await res.text();
    expect(res.status, body).toBe(404);
    expect(body).toContain('Delivery not found');
  });

  it("pages with the API's cursor, keeping the filter", async () => {
    for (let i = 0; i < 51; i++) await earn(`page-${i}`);
    await h.hub.notifications.dispatcher.route();
    const reader = await signInConsole(h, 'read');
    const first = await (await reader.get('/console/deliveries?status=pending')).text();
    expect(first.match(/<tr><td><a href="\/console\/deliveries\/dlv_/g)).toHaveLength(50);
    const next = /<a href="(\/console\/deliveries\?status=pending&amp;cursor=[^"]+)" rel="next">/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await (await reader.get(next!.replace(/&amp;/g, '&'))).text();
    expect(second.match(/<tr><td><a href="\/console\/deliveries\/dlv_/g)).toHaveLength(1);
    expect(second).not.toContain('rel="next"');
  });

  it('shows connector health: enabled or the variable it lacks, the last webhook, signature failures', async () => {
    await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer')));
    await deliver(h, 'shopify', shopifyDelivery('orders/paid', sample('shopify', 'order_paid_with_customer'), undefined, { secret: 'wrong' }));
    const reader = await signInConsole(h, 'read');
    const page = await (await reader.get('/console/deliveries/connectors')).text();
    expect(page).toContain('<caption>Connectors, by name</caption>');
    const row = (name: string) => new RegExp(`<tr><td>[^<]*<code>${name}</code>.*?</tr>`).exec(page)?.[0] ?? '';
    expect(row('shopify')).toContain('<span class="status ok">enabled</span>');
    expect(row('shopify')).toContain('accepted · <code>orders/paid</code>');
    expect(row('shopify')).toContain('<span class="status bad">1</span>');
    expect(row('slack')).toContain('sends only');
    expect(page).not.toContain(SHOPIFY_SECRET);
  });
});

describe('console connector health without a variable', () => {
  const h = hubHarness({ connectors: [shopify] });

  it('names the variable a disabled connector lacks', async () => {
    const reader = await signInConsole(h, 'read');
    const page = await (await reader.get('/console/deliveries/connectors')).text();
    expect(page).toContain('<span class="status bad">disabled</span> missing <code>SHOPIFY_API_SECRET</code>');
  });
});
