import { asc, eq } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProgram } from '../../core/program/load-program.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

type Body = Record<string, unknown>;

describe('redemption and checkout', () => {
  const h = hubHarness();

  async function member(points: number, email = 'ann@example.com'): Promise<string> {
    const m = await json(await h.call('POST', '/v1/members', { body: { email } }));
    if (points) expect((await h.call('POST', `/v1/members/${m.id as string}/adjustments`, { body: { points, reason: 'test credit' } })).status).toBe(201);
    return m.id as string;
  }
  async function reward(body: Body = {}): Promise<Body> {
    const res = await h.call('POST', '/v1/rewards', { body: { name: 'Free coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100, ...body } });
    expect(res.status).toBe(201);
    return json(res);
  }
  const balance = async (id: string) => json(await h.call('GET', `/v1/members/${id}/balance`));

  it('50 concurrent redemptions against points for 10 give exactly 10, and stock and balance agree', async () => {
    const id = await member(1000);
    const r = await reward({ stock: 40 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: r.id }, headers: { 'idempotency-key': `r-${i}` } })),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 422)).toHaveLength(40);
    const b = await balance(id);
    expect(b.available).toBe(0);
    expect(b.spent).toBe(1000);
    expect((await json(await h.call('GET', `/v1/rewards/${r.id as string}`))).stock).toBe(30);
    const codes = await Promise.all(results.filter((res) => res.status === 201).map(async (res) => (await json(res)).voucherCode as string));
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$/);
  });

  it('never sells below zero stock, and one idempotency key redeems once', async () => {
    const id = await member(1000);
    const r = await reward({ stock: 3 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: r.id }, headers: { 'idempotency-key': `s-${i}` } })));
    expect(results.map((res) => res.status).sort()).toEqual([201, 201, 201, 409, 409, 409]);
    // Each answer shows the stock its redemption left: 2, 1 and 0, in whichever order they committed.
    const left = await Promise.all(results.filter((res) => res.status === 201).map(async (res) => (await json<{ reward: { stock: number } }>(res)).reward.stock));
    expect(left.sort()).toEqual([0, 1, 2]);
    expect((await json(await h.call('GET', `/v1/rewards/${r.id as string}`))).stock).toBe(0);
    // A key that redeemed (whichever won the race: on PostgreSQL not always the first sent) replays its answer.
    const winner = results.findIndex((res) => res.status === 201);
    const again = await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: r.id }, headers: { 'idempotency-key': `s-${winner}` } });
    expect(again.status).toBe(201); // the stored first answer, replayed
    expect((await balance(id)).available).toBe(700);
  });

  it('a voucher used twice at once succeeds once', async () => {
    const id = await member(500);
    const r = await reward();
    const { voucherCode } = await json(await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: r.id } }));
    const uses = await Promise.all([1, 2].map(() => h.call('POST', `/v1/vouchers/${voucherCode as string}/use`, { scope: 'write', body: { reference: 'till-7' } })));
    expect(uses.map((u) => u.status).sort()).toEqual([200, 409]);
    const v = await json(await h.call('GET', `/v1/vouchers/${(voucherCode as string).toLowerCase()}`, { scope: 'write' }));
    expect(v).toMatchObject({ status: 'used', valid: false });
  });

  it('a reversal restores the exact prior balance, lots (with their expiry) and stock', async () => {
    const id = await member(0);
    const soon = new Date(h.clock() + 10 * 86_400_000).toISOString();
    const later = new Date(h.clock() + 200 * 86_400_000).toISOString();
    await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 60, reason: 'soon', expiresAt: soon } });
    await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 80, reason: 'later', expiresAt: later } });
    const r = await reward({ stock: 5, cost: 100 });
    const lotsOf = async () => {
      const { lots } = tablesOf(h.hub.store.db);
      return h.hub.store.db.select({ id: lots.id, remaining: lots.remaining, expiresAt: lots.expiresAt, status: lots.status }).from(lots).where(eq(lots.memberId, id)).orderBy(asc(lots.id));
    };
    const before = { balance: await balance(id), lots: await lotsOf() };
    const redeemed = await json(await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: r.id } }));
    expect((await balance(id)).available).toBe(40);
    const reversed = await h.call('POST', `/v1/redemptions/${redeemed.id as string}/reverse`, { scope: 'write', body: { reason: 'customer changed their mind' } });
    expect(reversed.status).toBe(200);
    const after = await balance(id);
    expect({ ...after, spent: before.balance.spent }).toEqual(before.balance);
    expect(await lotsOf()).toEqual(before.lots);
    expect((await json(await h.call('GET', `/v1/rewards/${r.id as string}`))).stock).toBe(5);
    // The voucher died with the redemption; a second reversal changes nothing.
    expect((await h.call('POST', `/v1/vouchers/${redeemed.voucherCode as string}/use`, { scope: 'write' })).status).toBe(409);
    expect((await json(await h.call('POST', `/v1/redemptions/${redeemed.id as string}/reverse`, { scope: 'write' }))).alreadyReversed).toBe(true);
    expect((await balance(id)).available).toBe(140);
  });

  it('a hold shows as locked, and an expired hold releases its points', async () => {
    const id = await member(300);
    const lock = await json(await h.call('POST', `/v1/members/${id}/locks`, { scope: 'write', body: { points: 120, ttlSeconds: 600, reference: 'cart-42' } }));
    expect(await balance(id)).toMatchObject({ available: 180, locked: 120 });
    h.clock.advance(601_000);
    await h.hub.ledger.runDue();
    expect(await balance(id)).toMatchObject({ available: 300, locked: 0 });
    expect((await h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write' })).status).toBe(409);
  });

  it('captures part of a hold and releases the rest; quotes points as payment', async () => {
    const id = await member(3000);
    const quote = await json(await h.call('POST', `/v1/members/${id}/points-payment-quote`, { scope: 'read', body: { amount: 4550, currency: 'usd' } }));
    expect(quote).toMatchObject({ pointsNeeded: 4550, pointsUsable: 3000, valueOfUsable: 3000, remainder: 1550 });
    const lock = await json(await h.call('POST', `/v1/members/${id}/locks`, { scope: 'write', body: { points: quote.pointsUsable } }));
    const captured = await h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write', body: { points: 2000 } });
    expect(captured.status).toBe(200);
    expect(await balance(id)).toMatchObject({ available: 1000, locked: 0, spent: 2000 });
    // The same capture again answers the first; another amount finds the lock resolved, and says by which transaction.
    expect(await json(await h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write', body: { points: 2000 } }))).toMatchObject({ duplicate: true });
    const again = await h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write', body: { points: 2500 } });
    expect(again.status).toBe(409);
    const problem = await json<{ type: string; detail: string; transactionId: string }>(again);
    expect(problem).toMatchObject({ type: '/problems/hold-not-open', transactionId: (await json<{ transaction: { id: string } }>(captured)).transaction.id });
    expect(problem.detail).toContain('already captured');
    expect(problem.detail).not.toContain('capture:'); // the hub's own key for the lock stays its own
    expect(await balance(id)).toMatchObject({ available: 1000, locked: 0, spent: 2000 });
    expect((await h.call('POST', `/v1/members/${id}/points-payment-quote`, { scope: 'read', body: { amount: 100, currency: 'EUR' } })).status).toBe(422);
  });

  it('enforces per-member limits and tier eligibility', async () => {
    const id = await member(5000);
    const limited = await reward({ perMemberLimit: 1 });
    expect((await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: limited.id } })).status).toBe(201);
    expect((await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: limited.id } })).status).toBe(409);
    const gold = await reward({ tiers: ['gold'] });
    expect((await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: gold.id } })).status).toBe(403);
  });
});

describe('redemption PIN', () => {
  const shipped = readFileSync(fileURLToPath(new URL('../../config/program.yaml', import.meta.url)), 'utf8');
  const program = parseProgram(shipped.replace('# pinRequiredAbove: 5000', 'pinRequiredAbove: 500\n  pinMaxFailures: 3'), 'program.yaml');
  const h = hubHarness({ program });

  it('asks for the PIN above the threshold, counts wrong ones, and locks after too many', async () => {
    const m = await json(await h.call('POST', '/v1/members', { body: { email: 'pin@example.com' } }));
    const id = m.id as string;
    await h.call('POST', `/v1/members/${id}/adjustments`, { body: { points: 5000, reason: 'test credit' } });
    const big = await json(await h.call('POST', '/v1/rewards', { body: { name: 'Hamper', kind: 'voucher', cost: 1000 } }));
    const small = await json(await h.call('POST', '/v1/rewards', { body: { name: 'Sticker', kind: 'voucher', cost: 100 } }));
    const redeem = (rewardId: unknown, pin?: string) => h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId, ...(pin ? { pin } : {}) } });
    // No PIN set: nothing to ask.
    expect((await redeem(big.id)).status).toBe(201);
    expect((await h.call('PUT', `/v1/members/${id}/pin`, { scope: 'write', body: { pin: '4821' } })).status).toBe(204);
    expect((await redeem(small.id)).status).toBe(201);
    expect((await redeem(big.id)).status).toBe(401);
    expect((await redeem(big.id, '4821')).status).toBe(201);
    expect((await redeem(big.id, '0000')).status).toBe(403);
    expect((await redeem(big.id, '1111')).status).toBe(403);
    const locked = await redeem(big.id, '2222');
    expect(locked.status).toBe(423);
    // Locked: even the right PIN waits, and nothing was spent by the refusals.
    expect((await redeem(big.id, '4821')).status).toBe(423);
    expect((await json(await h.call('GET', `/v1/members/${id}/balance`))).available).toBe(5000 - 1000 - 100 - 1000);
    h.clock.advance(16 * 60_000);
    expect((await redeem(big.id, '4821')).status).toBe(201);
  });
});
