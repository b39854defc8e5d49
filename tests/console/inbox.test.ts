/**
 * The console's inbox in process (docs/console.md, "Inbox"): the list by platform and status,
 * signature failures with their reason, a delivery's page (raw payload escaped, events, why no
 * points), replay for an admin — and for a read key all of it but the raw payload and replay.
 */
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { deliver, pointsOf, sample } from '../inbound/webhook-helpers.js';
import { signInConsole } from './console-harness.js';

const CUSTOMER = 'shopify:1073339468';
const paid = (changes: Record<string, unknown> = {}) => ({ ...sample('shopify', 'order_paid_with_customer'), ...changes });

describe('console inbox', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

  it('lists received webhooks by platform and status with their outcome, and signature failures with their reason', async () => {
    await deliver(h, 'shopify', shopifyDelivery('orders/paid', paid()));
    const rejected = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paid({ id: 99, currency: 'ZZZ', presentment_currency: 'ZZZ' })));
    expect(rejected.httpStatus).toBe(400);
    const refused = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paid(), 'evt-forged', { secret: 'wrong-secret' }));
    expect(refused.httpStatus).toBe(401);

    const admin = await signInConsole(h);
    const page = await (await admin.get('/console/inbox')).text();
    expect(page).toContain('<caption>Received webhooks, newest first</caption>');
    expect(page).toContain('199 points');
    expect(page).toContain(`href="/console/inbox/${rejected.inboxId}"`);
    expect(page).toContain('<caption>Signature failures by platform</caption>');
    expect(page).toMatch(new RegExp(`<td>shopify</td><td>[^<]+</td><td class="inbox-reason">${refused.detail!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</td>`));

    const onlyRejected = await (await admin.get('/console/inbox?status=rejected&source=shopify')).text();
    expect(onlyRejected).toContain('<span class="status bad">rejected</span>');
    expect(onlyRejected).not.toContain('<span class="status ok">accepted</span>');
    expect(onlyRejected).toContain(rejected.detail!.replace(/&/g, '&amp;').slice(0, 30));
    expect(onlyRejected).toContain('<option value="rejected" selected="">rejected</option>');

    const none = await (await admin.get('/console/inbox?source=woocommerce')).text();
    expect(none).toContain('No received webhook matches.');
  });

  it('says a second announcement of an order was already applied, not "applied"', async () => {
    // Shopify announces one order again under another event id: the order earns once.
    const first = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paid(), 'evt-first'));
    const again = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paid(), 'evt-again'));
    expect(again.status).toBe('duplicate');
    const admin = await signInConsole(h);
    const page = await (await admin.get('/console/inbox')).text();
    const outcomeOf = (inboxId: string) => new RegExp(`<td class="inbox-outcome">([^<]*)</td><td><a href="/console/inbox/${inboxId}"`).exec(page)?.[1];
    expect(outcomeOf(first.inboxId!)).toBe('199 points');
    expect(outcomeOf(again.inboxId!)).toBe('already applied before');
  });

  it('answers an in-place filter with the list alone, and pages with the API cursor', async () => {
    for (const id of [1, 2, 3]) await deliver(h, 'shopify', shopifyDelivery('orders/paid', paid({ id })));
    const admin = await signInConsole(h);
    const fragment = await (await admin.get('/console/inbox?limit=2', { 'hx-request': 'true', 'hx-target': 'inbox-list' })).text();
    expect(fragment).toMatch(/^<div id="inbox-list">/);
    expect(fragment).not.toContain('<html');
    const next = /href="(\/console\/inbox\?limit=2&amp;cursor=[^"]+)" rel="next"/.exec(fragment)?.[1];
    expect(next).toBeDefined();
    const second = await (await admin.get(next!.replace(/&amp;/g, '&'))).text();
    expect(second.match(/>Open</g)).toHaveLength(1);
    expect(second).not.toContain('rel="next"');
  });

  it("shows a delivery's raw payload pretty-printed and escaped, its events, and why it earned what it did", async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paid({ note: '<script>alert(1)</script>' })));
    const admin = await signInConsole(h);
    const res = await admin.get(`/console/inbox/${answer.inboxId}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&quot;note&quot;: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(page).toMatch(/\n {2}&quot;id&quot;: 1073459970,\n/);
    expect(page).toContain('Accepted: 1 event, 199 points written.');
    expect(page).toMatch(/Earned 199 points for member <?[^<]*mem_/);
    expect(page).toContain('<caption>Rules that applied (order.paid)</caption>');
    expect(page).toContain('&quot;type&quot;: &quot;order.paid&quot;');
    expect(page).toContain('<button type="submit">Replay</button>');
  });

  it('replays as an admin (post, redirect, notice) without earning twice, and says why it refuses', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paid()));
    const admin = await signInConsole(h);
    const res = await admin.post(`/console/inbox/${answer.inboxId}/replay`, { _idempotency: 'replay-form-1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/inbox/${answer.inboxId}`);
    const notice = decodeURIComponent(/lh_console_notice=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!);
    expect(notice).toBe('Replayed: duplicate, already applied before, nothing written again.');
    expect(await pointsOf(h, CUSTOMER)).toBe(199);

    const unknown = await admin.post('/console/inbox/ibx_nope/replay', { _idempotency: 'replay-form-2' });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('No received delivery ibx_nope.');
  });

  it('shows a read key the deliveries and why, but no raw payload and no replay form; a forged replay is refused and changes nothing', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('orders/paid', paid()));
    const reader = await signInConsole(h, 'read');
    const list = await reader.get('/console/inbox');
    expect(list.status).toBe(200);
    const listPage = await list.text();
    expect(listPage).toContain(`href="/console/inbox/${answer.inboxId}"`);
    expect(listPage).toContain('199 points');

    const one = await reader.get(`/console/inbox/${answer.inboxId}`);
    expect(one.status).toBe(200);
    const onePage = await one.text();
    expect(onePage).toContain('Outcome — why (no) points');
    expect(onePage).toContain('Shown to admin keys only');
    expect(onePage).not.toContain('Replay');
    // Shopify's GraphQL id of the order is in its raw payload only, never on a read key's page.
    expect(onePage).not.toContain('gid://shopify/Order/1073459970');
    expect(await (await (await signInConsole(h)).get(`/console/inbox/${answer.inboxId}`)).text()).toContain('gid://shopify/Order/1073459970');

    const before = await json(await h.call('GET', `/v1/inbox/${answer.inboxId}`));
    const forged = await reader.post(`/console/inbox/${answer.inboxId}/replay`, { _idempotency: 'forged-1' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toMatch(/role="alert"[\s\S]*admin/);
    expect(await json(await h.call('GET', `/v1/inbox/${answer.inboxId}`))).toEqual(before);
    expect(await pointsOf(h, CUSTOMER)).toBe(199);
  });
});
