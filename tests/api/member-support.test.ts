/**
 * What support reads to answer a customer (issue 18, points 6 and 9; docs/api.md, "Members"):
 * the member's vouchers, redemptions and account history, the tier the member holds (and the one
 * set by hand), each earn line's lot, and a manual tier that moves like an earned one. Driven
 * through the API with real writes under the shipped program (Bronze 0, Silver 1,000, Gold 5,000
 * points earned in 365 days; points expire 365 days after they were earned).
 */
import { asc } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { importMember } from '../../core/members/import-member.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json, type HubHarness } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { deliver, memberByAlias, sample } from '../inbound/webhook-helpers.js';

type Page<T> = { data: T[]; nextCursor: string | null };
type Entry = { at: string; kind: string; actor: string; detail: Record<string, unknown> };
type Voucher = { code: string; status: string; valid: boolean; reward: { id: string; name: string }; redemptionId: string; expiresAt: string | null; usedAt: string | null; usedReference: string | null };
type Redemption = { id: string; reward: { id: string; name: string }; points: number; status: string; voucher: { code: string; status: string } | null; reversedAt: string | null; transactionId: string };
type Lot = { id: string; status: string; amount: number; remaining: number; spent: number; activatesAt: string; expiresAt: string | null };
type Line = { id: string; kind: string; amount: number; lotId: string | null; lot: Lot | null; createdAt: string };
type MemberView = { id: string; tier: string | null; manualTier: string | null };

const DAY = 86_400_000;

async function enroll(h: HubHarness, body: Record<string, unknown> = {}): Promise<string> {
  const res = await h.call('POST', '/v1/members', { scope: 'write', body: { email: `m${Math.random().toString(36).slice(2)}@example.com`, ...body } });
  expect(res.status).toBe(201);
  return (await json<{ id: string }>(res)).id;
}

/** Every page of a list, following `nextCursor`, `limit` rows at a time. */
async function everyPage<T>(h: HubHarness, path: string, limit: number): Promise<{ rows: T[]; pages: number }> {
  const rows: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await h.call('GET', `${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { scope: 'read' });
    expect(res.status).toBe(200);
    const page: Page<T> = await json<Page<T>>(res);
    rows.push(...page.data);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  return { rows, pages };
}

const history = async (h: HubHarness, id: string) => (await everyPage<Entry>(h, `/v1/members/${id}/history`, 200)).rows;
const member = async (h: HubHarness, id: string) => json<MemberView>(await h.call('GET', `/v1/members/${id}`, { scope: 'read' }));
const balanceTier = async (h: HubHarness, id: string) => (await json<{ tier: string | null }>(await h.call('GET', `/v1/members/${id}/balance`, { scope: 'read' }))).tier;
const order = (h: HubHarness, memberId: string, orderId: string, amount: number) =>
  h.call('POST', '/v1/events', { scope: 'write', body: { type: 'order.paid', customer: { memberId }, order: { id: orderId, currency: 'USD', amount } } });
const setTier = (h: HubHarness, id: string, tier: string | null) => h.call('PATCH', `/v1/members/${id}`, { scope: 'write', body: { tier } });

async function tierEvents(h: HubHarness, memberId: string) {
  const { loyaltyEvents: e } = tablesOf(h.hub.store.db);
  const rows = await h.hub.store.db.select().from(e).orderBy(asc(e.seq));
  return rows
    .filter((r) => r.memberId === memberId && r.type.startsWith('tier.'))
    .map((r) => ({ type: r.type, data: JSON.parse(r.data) as { tier: { id: string }; previousTier: { id: string }; qualifyingPoints: number } }));
}

describe('a member\'s vouchers and redemptions', () => {
  const h = hubHarness();

  it('lists them newest first: one used at a till, one reversed (voucher void), one still active', async () => {
    const id = await enroll(h);
    expect((await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 1000, reason: 'opening credit' } })).status).toBe(201);
    const reward = await json<{ id: string }>(await h.call('POST', '/v1/rewards', { body: { name: 'Free coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100 } }));
    const redeem = async () => {
      h.clock.advance(60_000);
      const res = await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: reward.id } });
      expect(res.status).toBe(201);
      return json<{ id: string; voucherCode: string }>(res);
    };
    const used = await redeem();
    const reversed = await redeem();
    const active = await redeem();
    h.clock.advance(60_000);
    expect((await h.call('POST', `/v1/vouchers/${used.voucherCode}/use`, { scope: 'write', body: { reference: 'till 4, receipt 118' } })).status).toBe(200);
    expect((await h.call('POST', `/v1/redemptions/${reversed.id}/reverse`, { scope: 'write', body: { reason: 'changed her mind' } })).status).toBe(200);

    const vouchers = await json<Page<Voucher>>(await h.call('GET', `/v1/members/${id}/vouchers`, { scope: 'read' }));
    expect(vouchers.nextCursor).toBeNull();
    expect(vouchers.data.map((v) => [v.code, v.status, v.valid])).toEqual([
      [active.voucherCode, 'active', true],
      [reversed.voucherCode, 'void', false],
      [used.voucherCode, 'used', false],
    ]);
    const till = vouchers.data[2]!;
    expect(till).toMatchObject({ reward: { id: reward.id, name: 'Free coffee' }, redemptionId: used.id, usedReference: 'till 4, receipt 118', usedAt: new Date(h.clock()).toISOString() });
    expect(Date.parse(till.expiresAt!)).toBe(Date.parse(vouchers.data[0]!.expiresAt!) - 2 * 60_000);

    const redemptions = await json<Page<Redemption>>(await h.call('GET', `/v1/members/${id}/redemptions`, { scope: 'read' }));
    expect(redemptions.data.map((r) => [r.id, r.status, r.voucher?.status, r.reversedAt !== null])).toEqual([
      [active.id, 'issued', 'active', false],
      [reversed.id, 'reversed', 'void', true],
      [used.id, 'issued', 'used', false],
    ]);
    expect(redemptions.data[2]).toMatchObject({ reward: { name: 'Free coffee' }, points: 100, voucher: { code: used.voucherCode } });
    // The spend that paid for it is the member's ledger line.
    const lines = await json<Page<Line>>(await h.call('GET', `/v1/members/${id}/transactions`, { scope: 'read' }));
    expect(lines.data.find((l) => l.id === redemptions.data[2]!.transactionId)).toMatchObject({ kind: 'spend', amount: 100 });
  });

  it('pages them with a cursor, none lost or repeated even when several share one instant', async () => {
    const id = await enroll(h);
    await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 500, reason: 'opening credit' } });
    const reward = await json<{ id: string }>(await h.call('POST', '/v1/rewards', { body: { name: 'Tote', kind: 'voucher', cost: 100 } }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      if (i === 3) h.clock.advance(1000);
      ids.push((await json<{ id: string }>(await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: reward.id } }))).id);
    }
    const byTwo = await everyPage<Redemption>(h, `/v1/members/${id}/redemptions`, 2);
    expect(byTwo.pages).toBe(3);
    expect(byTwo.rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    // Newest first: the two redeemed a second later lead.
    expect(byTwo.rows.slice(0, 2).map((r) => r.id).sort()).toEqual(ids.slice(3).sort());
    const vouchers = await everyPage<Voucher>(h, `/v1/members/${id}/vouchers`, 2);
    expect(vouchers.rows.map((v) => v.redemptionId).sort()).toEqual([...ids].sort());
  });

  it('answers 404 for an unknown member and 400 for a cursor it never gave, with the read scope', async () => {
    for (const list of ['vouchers', 'redemptions', 'history']) {
      const missing = await h.call('GET', `/v1/members/mem_nobody/${list}`, { scope: 'read' });
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/problem+json');
      expect(await json(missing)).toMatchObject({ type: '/problems/member-not-found' });
    }
    const id = await enroll(h);
    const bad = await h.call('GET', `/v1/members/${id}/vouchers?cursor=bm90LWEtY3Vyc29y`, { scope: 'read' });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ type: '/problems/invalid-cursor' });
    expect((await h.call('GET', `/v1/members/${id}/history`, { scope: null })).status).toBe(401);
  });
});

describe('earn lines show their lot', () => {
  const h = hubHarness();

  it('each earn line carries when its points activate and expire and what remains, after a spend', async () => {
    const id = await enroll(h);
    const earnedAt = h.clock();
    expect((await order(h, id, 'o-1', 30_000)).status).toBe(201);
    h.clock.advance(DAY);
    expect((await order(h, id, 'o-2', 20_000)).status).toBe(201);
    // 300 + 200 points; a 400-point reward spends the older lot first, then 100 of the newer.
    const reward = await json<{ id: string }>(await h.call('POST', '/v1/rewards', { body: { name: 'Hamper', kind: 'voucher', cost: 400 } }));
    expect((await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: reward.id } })).status).toBe(201);
    const lines = (await json<Page<Line>>(await h.call('GET', `/v1/members/${id}/transactions`, { scope: 'read' }))).data;
    const earns = lines.filter((l) => l.kind === 'earn');
    expect(earns.map((l) => [l.amount, l.lot?.remaining, l.lot?.spent, l.lot?.id === l.lotId])).toEqual([
      [200, 100, 100, true],
      [300, 0, 300, true],
    ]);
    const older = earns[1]!.lot!;
    expect(older).toMatchObject({ amount: 300, activatesAt: new Date(earnedAt).toISOString(), expiresAt: new Date(earnedAt + 365 * DAY).toISOString() });
    expect(earns[0]!.lot!.expiresAt).toBe(new Date(earnedAt + 366 * DAY).toISOString());
    expect(lines.find((l) => l.kind === 'spend')!.lot).toBeNull();
  });
});

describe('the tier held, and a tier set by hand', () => {
  const h = hubHarness();

  it('GET /members/{id} shows the tier held (as the balance does) and the manual tier apart', async () => {
    const id = await enroll(h);
    expect(await member(h, id)).toMatchObject({ tier: 'bronze', manualTier: null });
    await order(h, id, 'o-1', 120_000);
    expect(await member(h, id)).toMatchObject({ tier: 'silver', manualTier: null });
    expect((await setTier(h, id, 'bronze')).status).toBe(200);
    // A floor below the earned tier: held stays Silver.
    expect(await member(h, id)).toMatchObject({ tier: 'silver', manualTier: 'bronze' });
    expect(await balanceTier(h, id)).toBe('silver');
    const listed = await json<Page<MemberView>>(await h.call('GET', '/v1/members', { scope: 'read' }));
    expect(listed.data.find((m) => m.id === id)).toMatchObject({ tier: 'silver', manualTier: 'bronze' });
  });

  it('a manual move is announced like an earned one, recorded in history, and clearing it re-reviews the earned tier', async () => {
    const id = await enroll(h);
    await order(h, id, 'o-1', 120_000); // 1,200 points: Silver, earned
    expect(await member(h, id)).toMatchObject({ tier: 'silver', manualTier: null });

    const gold = await setTier(h, id, 'gold');
    expect(gold.status).toBe(200);
    expect(await json(gold)).toMatchObject({ tier: 'gold', manualTier: 'gold' });
    expect(await balanceTier(h, id)).toBe('gold');

    // A year on the Silver points have left the window; nothing has reviewed the standing yet.
    h.clock.advance(400 * DAY);
    const cleared = await setTier(h, id, null);
    expect(await json(cleared)).toMatchObject({ tier: 'bronze', manualTier: null });
    expect(await balanceTier(h, id)).toBe('bronze');

    const events = await tierEvents(h, id);
    expect(events.map((e) => `${e.type} ${e.data.previousTier.id}→${e.data.tier.id}`)).toEqual([
      'tier.upgraded bronze→silver',
      'tier.upgraded silver→gold',
      'tier.downgraded gold→bronze',
    ]);
    // One data shape for earned and manual moves.
    const keys = (e: (typeof events)[number]) => [Object.keys(e.data).sort(), Object.keys(e.data.tier).sort()];
    expect(keys(events[1]!)).toEqual(keys(events[0]!));
    expect(events[1]!.data).toMatchObject({ tier: { id: 'gold', name: 'Gold', threshold: 5000 }, previousTier: { id: 'silver', name: 'Silver', threshold: 1000 }, qualifyingPoints: 1200 });
    expect(events[2]!.data.qualifyingPoints).toBe(0);

    const tiers = (await history(h, id)).filter((e) => e.kind === 'tier.changed');
    expect(tiers.map((e) => [e.actor, e.detail.from, e.detail.to, e.detail.reason])).toEqual([
      ['storefront', 'gold', 'bronze', 'manual_tier_cleared'],
      ['storefront', 'silver', 'gold', 'manual_tier_set'],
      ['storefront', 'bronze', 'silver', 'qualifying_points'],
    ]);
    expect(tiers[1]!.detail).toMatchObject({ manualTier: 'gold', previousManualTier: null, qualifyingPoints: 1200 });
    // The tier history alone: the same three entries, filtered by the database.
    const tierHistory = await json<Page<Entry>>(await h.call('GET', `/v1/members/${id}/history?kind=tier.changed`, { scope: 'read' }));
    expect(tierHistory.data).toEqual(tiers);
    const unknownKind = await h.call('GET', `/v1/members/${id}/history?kind=tier.changed,tier.moved`, { scope: 'read' });
    expect(unknownKind.status).toBe(400);
    expect((await json<{ errors: { pointer: string; in: string }[] }>(unknownKind)).errors).toEqual([expect.objectContaining({ pointer: '/kind', in: 'query' })]);
  });

  it('refuses a tier the program does not have with a 400 pointing at /tier, and writes nothing', async () => {
    const id = await enroll(h);
    await setTier(h, id, 'gold');
    const before = await history(h, id);
    const res = await h.call('PATCH', `/v1/members/${id}`, { scope: 'write', body: { tier: 'platinum', firstName: 'Ann' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await json<{ errors: { pointer: string; message: string }[] }>(res);
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/tier', in: 'body' })]);
    expect(problem.errors[0]!.message).toContain('bronze, silver, gold');
    expect(await member(h, id)).toMatchObject({ tier: 'gold', manualTier: 'gold', firstName: null } as never);
    expect(await history(h, id)).toEqual(before);
    expect((await tierEvents(h, id)).length).toBe(1);
  });
});

describe('account history', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

  it('records enrolment through the API, profile changes by field (never the e-mail or phone), and erasure', async () => {
    const id = await enroll(h, { email: 'ann@example.com', phone: '+14155550100' });
    const patched = await h.call('PATCH', `/v1/members/${id}`, {
      scope: 'write',
      body: { email: 'ann@new.example', phone: '+14155550199', firstName: 'Ann', consent: { email: true }, attributes: { vip: true }, addAliases: ['woocommerce:42'] },
    });
    expect(patched.status).toBe(200);
    // A PATCH that changes nothing records nothing.
    await h.call('PATCH', `/v1/members/${id}`, { scope: 'write', body: { firstName: 'Ann' } });
    h.clock.advance(1000);
    expect((await h.call('DELETE', `/v1/members/${id}`)).status).toBe(200);
    // A second erasure is not a second request.
    expect((await h.call('DELETE', `/v1/members/${id}`)).status).toBe(200);

    const entries = await history(h, id);
    expect(entries.map((e) => [e.kind, e.actor])).toEqual([
      ['erasure.requested', 'ADMIN_API_KEY'],
      ['profile.updated', 'storefront'],
      ['enrolled', 'storefront'],
    ]);
    expect(entries[2]!.detail).toEqual({ via: 'api' });
    expect(entries[1]!.detail).toEqual({ fields: ['email', 'phone', 'firstName', 'consent.email', 'attributes.vip', 'aliases'], consent: { email: true }, aliasesAdded: 1 });
    expect(entries[0]!.at).toBe(new Date(h.clock()).toISOString());
    expect(JSON.stringify(entries)).not.toMatch(/ann@|new\.example|4155550|woocommerce:42/);
  });

  it('records enrolment by a platform\'s webhook and by an import, and pages newest first', async () => {
    const answer = await deliver(h, 'shopify', shopifyDelivery('customers/create', sample('shopify', 'customer')));
    expect(answer).toMatchObject({ httpStatus: 200, status: 'accepted' });
    const bob = (await memberByAlias(h, 'shopify:207119551'))!;
    expect(await history(h, bob.id)).toEqual([
      { at: expect.any(String), kind: 'enrolled', actor: 'shopify', detail: { via: 'event', source: 'shopify', trigger: 'customer.created' } },
    ]);

    const imported = await h.hub.commit('cli', (w) => importMember(w, 'smile', { sourceId: 'c-77', email: 'cat@example.com', points: { available: 40 } }));
    expect(imported.enrolled).toBe(true);
    const entries = await history(h, imported.memberId);
    expect(entries.map((e) => [e.kind, e.actor, e.detail])).toEqual([['imported', 'cli', { source: 'smile', sourceId: 'c-77', enrolled: true }]]);

    // Three more entries, then pages of two.
    for (const firstName of ['Bo', 'Bob', 'Robert']) await h.call('PATCH', `/v1/members/${bob.id}`, { scope: 'write', body: { firstName } });
    const paged = await everyPage<Entry>(h, `/v1/members/${bob.id}/history`, 2);
    expect(paged.pages).toBe(2);
    expect(paged.rows.map((e) => e.kind)).toEqual(['profile.updated', 'profile.updated', 'profile.updated', 'enrolled']);
  });
});
