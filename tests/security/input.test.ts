/**
 * The audit's input findings (docs/security.md, "Input"): what the management API refuses, and
 * that concurrent identical writes get the same answer on both backends.
 */
import { describe, expect, it } from 'vitest';
import { hubHarness, json } from '../helpers/test-hub.js';

type Body = Record<string, unknown>;

describe('concurrent identical resolutions answer like the first one', () => {
  const h = hubHarness();

  async function member(points: number): Promise<string> {
    const m = await json(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com' } }));
    expect((await h.call('POST', `/v1/members/${m.id as string}/adjustments`, { body: { points, reason: 'test credit' } })).status).toBe(201);
    return m.id as string;
  }
  const lockOf = async (id: string, points: number) => json(await h.call('POST', `/v1/members/${id}/locks`, { scope: 'write', body: { points } }));
  const fifty = (call: () => Promise<Response>) => Promise.all(Array.from({ length: 50 }, call));
  async function sameSuccess(results: Response[]): Promise<Body[]> {
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const bodies = await Promise.all(results.map((r) => json(r)));
    expect(new Set(bodies.map((b) => (b.transaction as Body).id)).size).toBe(1);
    return bodies;
  }
  const balance = async (id: string) => json(await h.call('GET', `/v1/members/${id}/balance`));

  it('50 concurrent captures of one lock: all 200 with one transaction; a different amount afterwards is refused', async () => {
    const id = await member(500);
    const lock = await lockOf(id, 300);
    await sameSuccess(await fifty(() => h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write' })));
    expect(await balance(id)).toMatchObject({ available: 200, locked: 0, spent: 300 });
    const other = await h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write', body: { points: 100 } });
    expect(other.status).toBe(409);
    expect(await balance(id)).toMatchObject({ available: 200, locked: 0, spent: 300 });
  });

  it('50 concurrent partial captures with the same amount: all 200 with one transaction', async () => {
    const id = await member(500);
    const lock = await lockOf(id, 300);
    await sameSuccess(await fifty(() => h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write', body: { points: 120 } })));
    expect(await balance(id)).toMatchObject({ available: 380, locked: 0, spent: 120 });
  });

  it('50 concurrent releases of one lock: all 200 with one transaction', async () => {
    const id = await member(500);
    const lock = await lockOf(id, 300);
    await sameSuccess(await fifty(() => h.call('POST', `/v1/locks/${lock.id as string}/release`, { scope: 'write' })));
    expect(await balance(id)).toMatchObject({ available: 500, locked: 0, spent: 0 });
    expect((await h.call('POST', `/v1/locks/${lock.id as string}/capture`, { scope: 'write' })).status).toBe(409);
  });

  it('50 concurrent reversals of one redemption: all 200 with one transaction, points back once', async () => {
    const id = await member(500);
    const reward = await json(await h.call('POST', '/v1/rewards', { body: { name: 'Free coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100, stock: 5 } }));
    const redeemed = await json(await h.call('POST', `/v1/members/${id}/redemptions`, { scope: 'write', body: { rewardId: reward.id } }));
    await sameSuccess(await fifty(() => h.call('POST', `/v1/redemptions/${redeemed.id as string}/reverse`, { scope: 'write' })));
    expect(await balance(id)).toMatchObject({ available: 500, spent: 0 });
    expect((await json(await h.call('GET', `/v1/rewards/${reward.id as string}`))).stock).toBe(5);
  });
});
