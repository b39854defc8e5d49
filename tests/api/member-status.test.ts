/**
 * Member status (docs/api.md, "Member status"; core/members/member-status.ts): `PATCH
 * /v1/members/{id}` suspends and reactivates; a suspended member's Shopify order earns into
 * pending only and nothing of it activates while suspended; it cannot redeem nor lock points;
 * reactivation releases its pending points. Each change is in the member's account history.
 */
import { asc, eq } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import shopify from '../../connectors/shopify/index.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { backend } from '../helpers/temp-database.js';
import { hubHarness, json, type HubHarness } from '../helpers/test-hub.js';
import { SHOPIFY_SECRET, shopifyDelivery } from '../inbound/sign.js';
import { balance, deliver, memberByAlias, onlyOutcome, sample, type Json } from '../inbound/webhook-helpers.js';
import { DAY, programHarness } from '../program/program-harness.js';

/** order_paid_with_customer.json: 199.00 USD → 199 points under the shipped program. */
const order = (id: number): Json => ({ ...sample('shopify', 'order_paid_with_customer'), id });
const CUSTOMER = 'shopify:1073339468';
/** The name the harness's admin key (ADMIN_API_KEY) writes under. */
const ADMIN = 'ADMIN_API_KEY';

async function statusHistory(h: HubHarness, memberId: string) {
  const { memberHistory: mh } = tablesOf(h.hub.store.db);
  const rows = await h.hub.store.db.select().from(mh).where(eq(mh.memberId, memberId)).orderBy(asc(mh.seq));
  return rows.filter((r) => r.kind === 'status.changed').map((r) => ({ actor: r.actor, ...(JSON.parse(r.detail) as Json) }));
}

const patch = (h: HubHarness, id: string, body: Json, scope: 'admin' | 'write' = 'admin') => h.call('PATCH', `/v1/members/${id}`, { scope, body });

describe('member status', () => {
  const h = hubHarness({ connectors: [shopify], env: { SHOPIFY_API_SECRET: SHOPIFY_SECRET } });

  async function shopper(): Promise<string> {
    expect(onlyOutcome(await deliver(h, 'shopify', shopifyDelivery('orders/paid', order(1))))).toMatchObject({ status: 'applied', points: 199 });
    return (await memberByAlias(h, CUSTOMER))!.id;
  }

  it('suspended: a webhook order earns pending only, nothing activates, no redemption nor lock; reactivation releases the points', async () => {
    const id = await shopper();
    const suspended = await patch(h, id, { status: 'suspended', reason: 'chargeback under investigation' });
    expect(suspended.status).toBe(200);
    expect(await json(suspended)).toMatchObject({ id, status: 'suspended' });
    expect(await json(await h.call('GET', `/v1/members/${id}`, { scope: 'read' }))).toMatchObject({ status: 'suspended' });

    const earned = onlyOutcome(await deliver(h, 'shopify', shopifyDelivery('orders/paid', order(2))));
    expect(earned).toMatchObject({ status: 'applied', memberId: id, points: 199 });
    expect(await balance(h, id)).toMatchObject({ available: 199, pending: 199 });
    h.clock.advance(30 * DAY);
    expect((await h.hub.ledger.runDue()).activated).toBe(0);
    expect(await balance(h, id)).toMatchObject({ available: 199, pending: 199 });

    const reward = await json(await h.call('POST', '/v1/rewards', { body: { name: 'Free coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100 } }));
    const redeem = await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: reward.id } });
    expect(redeem.status).toBe(409);
    expect(redeem.headers.get('content-type')).toContain('application/problem+json');
    expect(await json(redeem)).toMatchObject({ type: '/problems/member-suspended', memberStatus: 'suspended', detail: expect.stringContaining('suspended') });
    const lock = await h.call('POST', `/v1/members/${id}/locks`, { scope: 'write', body: { points: 50 } });
    expect(lock.status).toBe(409);
    expect(await json(lock)).toMatchObject({ type: '/problems/member-suspended' });
    expect(await balance(h, id)).toMatchObject({ available: 199, pending: 199, locked: 0, spent: 0 });

    // The same status again changes nothing and records nothing.
    expect((await patch(h, id, { status: 'suspended', reason: 'again' })).status).toBe(200);

    const reactivated = await patch(h, id, { status: 'active', reason: 'investigation closed' });
    expect(await json(reactivated)).toMatchObject({ status: 'active' });
    expect(await balance(h, id)).toMatchObject({ available: 398, pending: 0 });
    const [activation] = (await json<{ data: Json[] }>(await h.call('GET', `/v1/members/${id}/transactions`, { scope: 'read' }))).data;
    expect(activation).toMatchObject({ kind: 'activate', amount: 199, source: 'admin', actor: ADMIN, reason: 'member reactivated: investigation closed' });
    expect((await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: reward.id } })).status).toBe(201);

    expect(await statusHistory(h, id)).toEqual([
      { actor: ADMIN, from: 'active', to: 'suspended', reason: 'chargeback under investigation' },
      { actor: ADMIN, from: 'suspended', to: 'active', reason: 'investigation closed' },
    ]);
  });

  it('refuses an unknown status, a suspension without a reason, a reason alone and a write key, writing nothing', async () => {
    const id = await shopper();
    const refusals: [Json, 'admin' | 'write', number, string | undefined][] = [
      [{ status: 'frozen', reason: 'x' }, 'admin', 400, '/status'],
      [{ status: 'erased', reason: 'x' }, 'admin', 400, '/status'],
      [{ status: 'suspended' }, 'admin', 400, '/reason'],
      [{ reason: 'no status' }, 'admin', 400, '/reason'],
      [{ status: 'suspended', reason: 'fraud' }, 'write', 403, undefined],
    ];
    for (const [body, scope, status, pointer] of refusals) {
      const res = await patch(h, id, body, scope);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      if (pointer) expect((await json<{ errors: { pointer: string }[] }>(res)).errors.map((e) => e.pointer)).toEqual([pointer]);
    }
    expect(await json(await h.call('GET', `/v1/members/${id}`, { scope: 'read' }))).toMatchObject({ status: 'active' });
    expect(await statusHistory(h, id)).toEqual([]);
  });

  it('an erased member cannot be reactivated: 409', async () => {
    const id = await shopper();
    expect((await h.call('DELETE', `/v1/members/${id}`)).status).toBe(200);
    const res = await patch(h, id, { status: 'active', reason: 'undo' });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ type: '/problems/member-erased' });
    expect(await statusHistory(h, id)).toEqual([]);
  });
});

describe('member status: pending points with a returns window', () => {
  const p = programHarness({ defaults: { pendingDays: 14 }, rules: [{ id: 'order', on: 'order.paid', award: { perCurrencyUnit: 1 } }] });

  it('do not activate while the member is suspended, and activate on reactivation once due', async () => {
    const id = await p.enroll();
    await p.order(id, { amount: 10_000 });
    expect((await p.h.call('PATCH', `/v1/members/${id}`, { body: { status: 'suspended', reason: 'review' } })).status).toBe(200);
    p.clock.advance(15 * DAY);
    expect((await p.tick()).activated).toBe(0);
    expect(await p.balance(id)).toMatchObject({ available: 0, pending: 100 });

    // Earned while suspended, with its own 14-day window: it waits for that window after reactivation.
    await p.order(id, { amount: 5_000 });
    expect(await p.balance(id)).toMatchObject({ available: 0, pending: 150 });
    expect((await p.h.call('PATCH', `/v1/members/${id}`, { body: { status: 'active', reason: 'cleared' } })).status).toBe(200);
    expect(await p.balance(id)).toMatchObject({ available: 100, pending: 50 });
    p.clock.advance(14 * DAY);
    expect((await p.tick()).activated).toBe(1);
    expect(await p.balance(id)).toMatchObject({ available: 150, pending: 0 });
  });
});

// PostgreSQL runs writes side by side (read committed): a redemption must not slip past a
// suspension committing at the same moment (core/members/member-status.ts, requireNotSuspended).
describe.runIf(backend === 'pg')('a suspension racing a redemption (PostgreSQL)', () => {
  const h = hubHarness();

  it('a redemption that starts while a suspension is uncommitted waits for it, then is refused', async () => {
    const id = (await json(await h.call('POST', '/v1/members', { scope: 'write', body: { email: 'race@example.com' } }))).id as string;
    expect((await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 500, reason: 'goodwill' } })).status).toBe(201);
    const reward = await json(await h.call('POST', '/v1/rewards', { body: { name: 'Free coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100 } }));

    // Support's suspension, written and not yet committed, on a connection of its own.
    const support = new pg.Client({ connectionString: h.database.url });
    await support.connect();
    try {
      await support.query('begin');
      await support.query(`update members set status = 'suspended' where id = $1`, [id]);
      let answered = false;
      const redeem = h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: reward.id } }).finally(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false);
      await support.query('commit');
      const res = await redeem;
      expect(res.status).toBe(409);
      expect((await json(res)).type).toMatch(/member-suspended/);
    } finally {
      await support.end();
    }
    expect((await json(await h.call('GET', `/v1/members/${id}/balance`, { scope: 'read' }))).available).toBe(500);
  });
});
