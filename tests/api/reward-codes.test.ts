/**
 * `GET /v1/rewards/{id}/codes` (docs/api.md, "Rewards, redemption and checkout"): how many of a
 * pool reward's uploaded codes are left — a count, never the codes.
 */
import { describe, expect, it } from 'vitest';
import { POOL_COUNT_CAP } from '../../core/rewards/pool-stock.js';
import { hubHarness, json } from '../helpers/test-hub.js';

describe('reward code pool count', () => {
  const h = hubHarness();

  async function poolReward(): Promise<string> {
    const res = await h.call('POST', '/v1/rewards', { body: { name: 'Gift card', kind: 'voucher', cost: 100, codeSource: 'pool' } });
    expect(res.status).toBe(201);
    return (await json(res)).id as string;
  }

  it('counts the unused codes for a read key, goes down with each redemption, and never lists a code', async () => {
    const id = await poolReward();
    expect(await json(await h.call('GET', `/v1/rewards/${id}/codes`, { scope: 'read' }))).toEqual({ rewardId: id, unused: 0, more: false });
    const upload = await h.call('POST', `/v1/rewards/${id}/codes`, { body: { codes: ['GIFT-0001', 'GIFT-0002', 'GIFT-0003', 'GIFT-0001'] } });
    expect(await json(upload)).toEqual({ added: 3 });

    const member = await json(await h.call('POST', '/v1/members', { body: { email: 'pool@example.com' } }));
    await h.call('POST', `/v1/members/${member.id as string}/adjustments`, { body: { points: 500, reason: 'test credit' } });
    const redeemed = await h.call('POST', `/v1/members/${member.id as string}/redemptions`, { scope: 'write', body: { rewardId: id } });
    expect(redeemed.status).toBe(201);

    const res = await h.call('GET', `/v1/rewards/${id}/codes`, { scope: 'read' });
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ rewardId: id, unused: 2, more: false });
    expect(text).not.toMatch(/GIFT-/);
  });

  it(`stops counting past ${POOL_COUNT_CAP} and says there are more`, async () => {
    const id = await poolReward();
    const codes = (from: number, n: number) => Array.from({ length: n }, (_, i) => `C${String(from + i).padStart(6, '0')}`);
    expect(await json(await h.call('POST', `/v1/rewards/${id}/codes`, { body: { codes: codes(0, POOL_COUNT_CAP) } }))).toEqual({ added: POOL_COUNT_CAP });
    expect(await json(await h.call('GET', `/v1/rewards/${id}/codes`))).toMatchObject({ unused: POOL_COUNT_CAP, more: false });
    await h.call('POST', `/v1/rewards/${id}/codes`, { body: { codes: codes(POOL_COUNT_CAP, 5) } });
    expect(await json(await h.call('GET', `/v1/rewards/${id}/codes`))).toMatchObject({ unused: POOL_COUNT_CAP, more: true });
  });

  it('answers 404 for an unknown reward and 401 without a key', async () => {
    expect((await h.call('GET', '/v1/rewards/rwd_nope/codes')).status).toBe(404);
    expect((await h.call('GET', '/v1/rewards/rwd_nope/codes', { scope: null })).status).toBe(401);
  });
});
