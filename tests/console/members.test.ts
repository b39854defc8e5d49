/**
 * The console's members section (docs/console.md, "Members"), in process: search by e-mail,
 * alias or id; the member page shows what the API returns (balance, expiring batches, ledger
 * lines with reason, rule and source, vouchers, redemptions, account history), paged with the
 * API's cursors; each admin form changes through the API or comes back with the API's refusal;
 * a read key sees no form and its forged POST is refused with the API's reason.
 */
import { describe, expect, it } from 'vitest';
import { hubHarness, json, type HubHarness } from '../helpers/test-hub.js';
import { programHarness } from '../program/program-harness.js';
import { signInConsole, type ConsoleClient } from './console-harness.js';

interface Line {
  id: string;
  kind: string;
  reason: string | null;
  ruleId: string | null;
  source: string;
}

const cells = (row: string) => [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
/** The cells of the points-history row of ledger line `id`. */
function lineRow(html: string, id: string): string[] {
  const row = new RegExp(`<tr data-line="${id}">([\\s\\S]*?)</tr>`).exec(html)?.[1];
  if (!row) throw new Error(`no row for line ${id}`);
  return cells(row);
}
const balanceCard = (html: string, name: string) => new RegExp(`data-balance="${name}">([^<]*)<`).exec(html)?.[1];
/** Forms that change something (the sign-out form is the layout's). */
const changeForms = (html: string) => [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]).filter((a) => a !== '/console/sign-out');

async function enroll(h: HubHarness, email: string, aliases: string[] = []): Promise<string> {
  const res = await h.call('POST', '/v1/members', { scope: 'write', body: { email, firstName: 'Ada', lastName: 'Lovelace', aliases } });
  expect(res.status).toBe(201);
  return (await json<{ id: string }>(res)).id;
}
const buy = (h: HubHarness, memberId: string, orderId: string, amount: number) =>
  h.call('POST', '/v1/events', { scope: 'write', body: { type: 'order.paid', customer: { memberId }, order: { id: orderId, currency: 'USD', amount } } });
const lines = async (h: HubHarness, id: string) => (await json<{ data: Line[] }>(await h.call('GET', `/v1/members/${id}/transactions`, { scope: 'read' }))).data;
const balance = async (h: HubHarness, id: string) => json<{ available: number; pending: number }>(await h.call('GET', `/v1/members/${id}/balance`, { scope: 'read' }));
const page = async (client: ConsoleClient, path: string) => {
  const res = await client.get(path);
  expect(res.status, path).toBe(200);
  return res.text();
};

describe('console members', () => {
  const h = hubHarness();

  it('finds a member by e-mail, alias or id and says which it matched', async () => {
    const id = await enroll(h, 'ada@example.com', ['shopify:7390123']);
    const client = await signInConsole(h, 'read');
    for (const [q, by] of [
      ['ADA@example.com', 'e-mail'],
      ['shopify:7390123', 'alias'],
      [id, 'member id'],
    ] as const) {
      const html = await page(client, `/console/members?q=${encodeURIComponent(q)}`);
      expect(html, q).toContain(`Matched by ${by}: 1 member.`);
      expect(html).toContain(`<a href="/console/members/${id}">${id}</a>`);
    }
    const none = await page(client, '/console/members?q=nobody%40example.com');
    expect(none).toContain('No member has the e-mail “nobody@example.com”.');
    expect(none).not.toContain(`/console/members/${id}"`);
    const noId = await page(client, '/console/members?q=mem_nobody');
    expect(noId).toContain('No member has the member id “mem_nobody”. For an alias type platform:id');
    // Without a query: every member, paged by the API.
    expect(await page(client, '/console/members')).toContain(`<a href="/console/members/${id}">${id}</a>`);
  });

  it('shows the balance, every expiring batch, each line with its reason, rule and source, and the account history', async () => {
    const id = await enroll(h, 'grace@example.com');
    expect((await buy(h, id, 'o-1', 12_000)).status).toBe(201);
    expect((await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: -20, reason: 'Duplicate order' } })).status).toBe(201);
    expect((await h.call('PATCH', `/v1/members/${id}`, { scope: 'write', body: { tier: 'gold' } })).status).toBe(200);
    const reward = await json<{ id: string }>(await h.call('POST', '/v1/rewards', { body: { name: 'Tote bag', kind: 'voucher', cost: 30 } }));
    const redeemed = await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: reward.id }, headers: { 'idempotency-key': 'r1' } });
    expect(redeemed.status).toBe(201);
    const { voucherCode } = await json<{ voucherCode: string }>(redeemed);

    const html = await page(await signInConsole(h, 'read'), `/console/members/${id}`);
    const b = await json<{ available: number; expiring: { points: number; expiresAt: string }[] }>(await h.call('GET', `/v1/members/${id}/balance`));
    expect(b.available).toBe(120 - 20 - 30);
    expect(balanceCard(html, 'available')).toBe('70');
    expect(balanceCard(html, 'pending')).toBe('0');
    expect(balanceCard(html, 'debt')).toBe('0');
    expect(b.expiring).toHaveLength(1);
    expect(html).toContain(`${b.expiring[0]!.expiresAt.slice(0, 16).replace('T', ' ')} UTC</td><td class="num">${b.expiring[0]!.points}</td>`);

    const [spend, adjust, earn] = await lines(h, id);
    expect(lineRow(html, earn!.id).slice(1, 5)).toEqual(['earn', '+120 available', earn!.reason, 'order-points']);
    expect(lineRow(html, earn!.id)[5]).toBe(`${earn!.source} · api:order:o-1`);
    expect(lineRow(html, earn!.id)[6]).toMatch(/^active, 70 left; expires \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(lineRow(html, adjust!.id).slice(1, 5)).toEqual(['adjust', '−20 available', 'Duplicate order', '—']);
    expect(lineRow(html, adjust!.id)[5]).toMatch(/^admin · /);
    expect(lineRow(html, spend!.id).slice(1, 3)).toEqual(['spend', '−30 available, +30 spent']);

    expect(html).toContain(`<code>${voucherCode}</code>`);
    expect(html).toContain('Tote bag');
    // Tier held and manual tier, and the tier history.
    expect(html).toContain('<dt>Tier held</dt><dd>Gold</dd><dt>Manual tier</dt><dd>Gold</dd>');
    const tierHistory = await page(await signInConsole(h, 'read'), `/console/members/${id}?historyKind=tier`);
    expect(tierHistory).toContain('bronze → gold (manual tier set to gold; ');
    expect(tierHistory).not.toContain('<td>enrolled</td>');
    expect(html).toContain('<td>enrolled</td>');
  });

  it('says how far the member is from the next tier, and nothing at the top', async () => {
    const id = await enroll(h, 'nia@example.com');
    expect((await buy(h, id, 'o-1', 12_000)).status).toBe(201);
    // The shipped program: Silver at 1,000 points earned in the last 365 days.
    expect(await page(await signInConsole(h, 'read'), `/console/members/${id}`)).toContain(
      '<p class="help" data-next-tier="silver">880 points to Silver (120 of 1,000 counted toward tiers)</p>',
    );
    expect((await h.call('PATCH', `/v1/members/${id}`, { scope: 'write', body: { tier: 'gold' } })).status).toBe(200);
    expect(await page(await signInConsole(h, 'read'), `/console/members/${id}`)).not.toContain('data-next-tier');
  });

  it('adjusts with a reason: the new line and balance show; a refusal keeps what was typed and changes nothing', async () => {
    const id = await enroll(h, 'alan@example.com');
    const client = await signInConsole(h, 'admin');
    const done = await client.post(`/console/members/${id}/adjust`, { points: '250', reason: 'Goodwill for the late parcel', _idempotency: 'a1' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/console/members/${id}`);
    expect(done.headers.get('set-cookie')).toContain('Adjusted%20%2B250%20points');
    expect(await balance(h, id)).toMatchObject({ available: 250 });
    const [line] = await lines(h, id);
    expect(line).toMatchObject({ kind: 'adjust', reason: 'Goodwill for the late parcel', source: 'admin' });
    // The same form submitted twice (a double click) is applied once.
    expect((await client.post(`/console/members/${id}/adjust`, { points: '250', reason: 'Goodwill for the late parcel', _idempotency: 'a1' })).status).toBe(303);
    expect(await balance(h, id)).toMatchObject({ available: 250 });

    const after = await page(client, `/console/members/${id}`);
    expect(balanceCard(after, 'available')).toBe('250');
    expect(lineRow(after, line!.id).slice(1, 4)).toEqual(['adjust', '+250 available', 'Goodwill for the late parcel']);

    const refused = await client.post(`/console/members/${id}/adjust`, { points: '-900', reason: 'Too much', _idempotency: 'a2' });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('value="-900"');
    expect(html).toContain('value="Too much"');
    const noReason = await client.post(`/console/members/${id}/adjust`, { points: '5', reason: '', _idempotency: 'a3' });
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('<code>/reason</code>');
    expect(await balance(h, id)).toMatchObject({ available: 250 });
    expect(await lines(h, id)).toHaveLength(1);
  });

  it('sets and clears the manual tier, and suspends only with a reason', async () => {
    const id = await enroll(h, 'edsger@example.com');
    const writer = await signInConsole(h, 'write');
    const w = await page(writer, `/console/members/${id}`);
    // A write key may set the tier (the API allows it) but sees no admin form.
    expect(changeForms(w)).toEqual([`/console/members/${id}/tier`]);
    expect((await writer.post(`/console/members/${id}/tier`, { tier: 'silver' })).status).toBe(303);
    expect(await json(await h.call('GET', `/v1/members/${id}`))).toMatchObject({ tier: 'silver', manualTier: 'silver' });
    expect((await writer.post(`/console/members/${id}/tier`, { tier: '' })).status).toBe(303);
    expect(await json(await h.call('GET', `/v1/members/${id}`))).toMatchObject({ tier: 'bronze', manualTier: null });
    const badTier = await writer.post(`/console/members/${id}/tier`, { tier: 'platinum' });
    expect(badTier.status).toBe(400);
    expect(await badTier.text()).toContain('<code>/tier</code>');

    const admin = await signInConsole(h, 'admin');
    const noReason = await admin.post(`/console/members/${id}/status`, { status: 'suspended', reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('say why the member is suspended');
    expect(await json(await h.call('GET', `/v1/members/${id}`))).toMatchObject({ status: 'active' });
    expect((await admin.post(`/console/members/${id}/status`, { status: 'suspended', reason: 'chargeback under investigation' })).status).toBe(303);
    const html = await page(admin, `/console/members/${id}`);
    expect(html).toContain('<span class="status warn">suspended</span>');
    expect(html).toContain('active → suspended: chargeback under investigation');
    expect(html).toContain('>Reactivate</button>');
  });

  it('erases only when the member id is typed, the hub checking it too', async () => {
    const id = await enroll(h, 'barbara@example.com');
    const admin = await signInConsole(h, 'admin');
    expect(await page(admin, `/console/members/${id}`)).toContain(`data-confirm="${id}"`);
    const wrong = await admin.post(`/console/members/${id}/erase`, { confirm: 'yes' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain(`type its member id ${id} exactly`);
    expect(await json(await h.call('GET', `/v1/members/${id}`))).toMatchObject({ status: 'active', email: 'barbara@example.com' });
    expect((await admin.post(`/console/members/${id}/erase`, { confirm: id })).status).toBe(303);
    expect(await json(await h.call('GET', `/v1/members/${id}`))).toMatchObject({ status: 'erased', email: null });
    const html = await page(admin, `/console/members/${id}`);
    expect(html).toContain('<span class="status bad">erased</span>');
    expect(changeForms(html)).not.toContain(`/console/members/${id}/erase`);
  });

  it('a read key sees the whole member page and no form; its forged POST is refused with the API reason and changes nothing', async () => {
    const id = await enroll(h, 'katherine@example.com');
    expect((await buy(h, id, 'o-9', 5_000)).status).toBe(201);
    const reader = await signInConsole(h, 'read');
    const html = await page(reader, `/console/members/${id}`);
    expect(balanceCard(html, 'available')).toBe('50');
    expect(changeForms(html)).toEqual([]);
    expect(html).not.toContain('Points held for review');
    for (const [action, fields] of [
      ['adjust', { points: '1000', reason: 'forged' }],
      ['erase', { confirm: id }],
      ['status', { status: 'suspended', reason: 'forged' }],
      ['tier', { tier: 'gold' }],
    ] as const) {
      const forged = await reader.post(`/console/members/${id}/${action}`, fields);
      expect(forged.status, action).toBe(403);
      expect(await forged.text()).toContain('scope');
    }
    expect(await balance(h, id)).toMatchObject({ available: 50 });
    expect(await json(await h.call('GET', `/v1/members/${id}`))).toMatchObject({ status: 'active', manualTier: null, email: 'katherine@example.com' });
  });

  it('pages the points history with the API cursor, in place for htmx', async () => {
    const id = await enroll(h, 'ken@example.com');
    for (let i = 1; i <= 27; i++) expect((await buy(h, id, `p-${i}`, i * 100)).status).toBe(201);
    const client = await signInConsole(h, 'read');
    const first = await page(client, `/console/members/${id}`);
    const all = (await json<{ data: Line[] }>(await h.call('GET', `/v1/members/${id}/transactions?limit=50`))).data;
    expect(all).toHaveLength(27);
    expect(first).toContain(`data-line="${all[24]!.id}"`);
    expect(first).not.toContain(`data-line="${all[25]!.id}"`);
    const next = /href="(\/console\/members\/[^"]+transactions=[^"]+)" rel="next"/.exec(first)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBeDefined();
    const second = await page(client, next!);
    expect(second).toContain(`data-line="${all[25]!.id}"`);
    expect(second).toContain(`data-line="${all[26]!.id}"`);
    expect(second).not.toContain(`data-line="${all[0]!.id}"`);
    // htmx asks for just the list: one section, no page around it.
    const fragment = await client.get(next!, { 'hx-request': 'true', 'hx-target': 'transactions' });
    const part = await fragment.text();
    expect(part.startsWith('<section id="transactions"')).toBe(true);
    expect(part).toContain(`data-line="${all[26]!.id}"`);
    expect(part).not.toContain('<html');
  });

  it('answers an unknown member with the API problem', async () => {
    const client = await signInConsole(h, 'read');
    const res = await client.get('/console/members/mem_nobody');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Member not found');
  });
});

describe('console members: points held for fraud review', () => {
  const p = programHarness({ fraud: { velocity: { events: 3, minutes: 10, holdDays: 7 } }, rules: [{ id: 'review', on: 'review.posted', award: { fixed: 25 } }] });

  it('lists the member’s open holds and approves or rejects each with a reason', async () => {
    const id = await p.enroll();
    for (let i = 0; i < 4; i++) {
      await p.activity(id, 'review.posted');
      p.clock.advance(60_000);
    }
    const holds = (await json<{ data: { id: string; memberId: string }[] }>(await p.h.call('GET', `/v1/fraud-holds?memberId=${id}`))).data;
    expect(holds).toHaveLength(2);
    const admin = await signInConsole(p.h, 'admin');
    const html = await page(admin, `/console/members/${id}`);
    expect(html).toContain('Points held for review');
    for (const hold of holds) expect(html).toContain(`action="/console/members/${id}/holds/${hold.id}"`);

    const blank = await admin.post(`/console/members/${id}/holds/${holds[0]!.id}`, { decision: 'approve', reason: '' });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain('<code>/reason</code>');
    expect((await admin.post(`/console/members/${id}/holds/${holds[0]!.id}`, { decision: 'approve', reason: 'verified by phone' })).status).toBe(303);
    expect((await admin.post(`/console/members/${id}/holds/${holds[1]!.id}`, { decision: 'reject', reason: 'bot reviews' })).status).toBe(303);
    expect(await p.balance(id)).toMatchObject({ available: 75, pending: 0 });
    const again = await admin.post(`/console/members/${id}/holds/${holds[1]!.id}`, { decision: 'approve', reason: 'changed my mind' });
    expect(again.status).toBe(409);
    const after = await page(admin, `/console/members/${id}`);
    expect(after).toContain('No points of this member are held for review.');
    expect(after).toContain('verified by phone');
  });
});
