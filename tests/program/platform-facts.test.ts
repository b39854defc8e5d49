/**
 * Facts a platform reports that no rule judges (docs/adding-a-connector.md, "Vouchers at a
 * platform" and "Points a platform moved"), through a whole hub and a connector that exists only
 * here: a hub voucher taken at a till becomes used, one withdrawn there before use has its
 * redemption reversed, and points another program moved are posted once, never below zero.
 */
import { timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { balance, deliver, history, inbox, loyaltyEvents, onlyOutcome } from '../inbound/webhook-helpers.js';

const SECRET = 'till-secret';

/** A till that posts `{ id, trigger }` with a shared secret: the smallest honest connector. */
const till: ConnectorDefinition = {
  name: 'till',
  title: 'Till (test platform)',
  directions: ['inbound'],
  config: [{ env: 'TILL_SECRET', secret: true, required: true, description: 'shared secret' }],
  createInbound: (env) => ({
    verify: (r) => {
      const given = Buffer.from(r.headers.get('x-till-secret') ?? '');
      const expected = Buffer.from(env.TILL_SECRET ?? '');
      return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'wrong secret' };
    },
    deliveryId: (r) => (JSON.parse(r.body) as { id: string }).id,
    topic: (r) => (JSON.parse(r.body) as { trigger: { type: string } }).trigger.type,
    normalize: async (r) => ({ status: 'events', events: [(JSON.parse(r.body) as { trigger: PlatformTrigger }).trigger] }),
  }),
};

let deliveries = 0;
const post = (trigger: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-till-secret': SECRET },
  body: JSON.stringify({ id: `d${++deliveries}`, trigger: { source: 'till', occurredAt: Date.now(), ...trigger } }),
});

describe('platform facts', () => {
  const h = hubHarness({ connectors: [till], env: { TILL_SECRET: SECRET } });

  async function redeemed(points = 500): Promise<{ memberId: string; redemptionId: string; code: string }> {
    const m = await json(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com', aliases: ['till:c1'] } }));
    await h.call('POST', `/v1/members/${m.id as string}/adjustments`, { body: { points, reason: 'test credit' } });
    const reward = await json(await h.call('POST', '/v1/rewards', { body: { name: 'Free coffee', kind: 'free_product', productSku: 'COFFEE', cost: 100 } }));
    const r = await json(await h.call('POST', `/v1/members/${m.id as string}/redemptions`, { scope: 'write', body: { rewardId: reward.id } }));
    return { memberId: m.id as string, redemptionId: r.id as string, code: r.voucherCode as string };
  }

  it('a voucher taken at the till becomes used once, and its redemption can no longer be reversed', async () => {
    const { memberId, redemptionId, code } = await redeemed();
    const used = await deliver(h, 'till', post({ id: 'till:reward:r1:redeemed', type: 'voucher.used', voucher: { code: code.toLowerCase(), reference: 'till-order-7' } }));
    expect(onlyOutcome(used)).toMatchObject({ status: 'applied', memberId, points: 0 });
    expect(await json(await h.call('GET', `/v1/vouchers/${code}`, { scope: 'write' }))).toMatchObject({ status: 'used', valid: false });
    const announced = await loyaltyEvents(h, 'voucher.used');
    expect(announced).toHaveLength(1);
    expect(announced[0]!.data).toMatchObject({ code, redemptionId, reference: 'till-order-7', source: 'till' });

    // The same fact again (the platform redelivered under a new delivery id): nothing more.
    expect(onlyOutcome(await deliver(h, 'till', post({ id: 'till:reward:r1:redeemed', type: 'voucher.used', voucher: { code } })))).toMatchObject({ status: 'duplicate' });
    expect(await loyaltyEvents(h, 'voucher.used')).toHaveLength(1);
    expect((await h.call('POST', `/v1/redemptions/${redemptionId}/reverse`, { scope: 'write', body: {} })).status).toBe(409);
    expect((await balance(h, memberId)).available).toBe(400);
  });

  it('a reward withdrawn at the till before use gives the points back; after use it changes nothing', async () => {
    const { memberId, redemptionId, code } = await redeemed();
    const cancelled = await deliver(h, 'till', post({ id: 'till:reward:r2:deleted', type: 'voucher.cancelled', voucher: { code, reason: 'reward deleted at the till' } }));
    expect(onlyOutcome(cancelled)).toMatchObject({ status: 'applied', memberId, points: 100 });
    expect((await balance(h, memberId)).available).toBe(500);
    expect(await json(await h.call('POST', `/v1/redemptions/${redemptionId}/reverse`, { scope: 'write', body: {} }))).toMatchObject({ alreadyReversed: true });
    expect(await json(await h.call('GET', `/v1/vouchers/${code}`, { scope: 'write' }))).toMatchObject({ status: 'void' });

    const reward = await json(await h.call('POST', '/v1/rewards', { body: { name: 'Tea', kind: 'free_product', productSku: 'TEA', cost: 50 } }));
    const r = await json(await h.call('POST', `/v1/members/${memberId}/redemptions`, { scope: 'write', body: { rewardId: reward.id } }));
    await h.call('POST', `/v1/vouchers/${r.voucherCode as string}/use`, { scope: 'write', body: { reference: 'counter' } });
    const late = await deliver(h, 'till', post({ id: 'till:reward:r3:deleted', type: 'voucher.cancelled', voucher: { code: r.voucherCode } }));
    expect(onlyOutcome(late)).toMatchObject({ status: 'applied', points: 0, detail: `voucher ${r.voucherCode as string} was used; its redemption stands` });
    expect((await balance(h, memberId)).available).toBe(450);
  });

  it('a code that is no hub voucher changes nothing and says so', async () => {
    const answer = await deliver(h, 'till', post({ id: 'till:reward:r9:redeemed', type: 'voucher.used', voucher: { code: 'NOT-A-CODE' } }));
    expect(onlyOutcome(answer)).toMatchObject({ status: 'applied', points: 0, detail: 'no hub voucher NOT-A-CODE: nothing to change' });
  });

  it('points another program moved are posted once, and a debit beyond the balance is refused with both figures', async () => {
    const credit = { id: 'till:points:t1', type: 'points.mirrored', customer: { platformId: 'c7', email: 'bo@example.com' }, mirrored: { points: 250, reason: 'review posted' } };
    const first = await deliver(h, 'till', post(credit));
    const { memberId } = onlyOutcome(first);
    expect(onlyOutcome(first)).toMatchObject({ status: 'applied', points: 250 });
    expect(onlyOutcome(await deliver(h, 'till', post(credit)))).toMatchObject({ status: 'duplicate' });
    const debit = await deliver(h, 'till', post({ ...credit, id: 'till:points:t2', mirrored: { points: -100, reason: 'reward redeemed' } }));
    expect(onlyOutcome(debit)).toMatchObject({ status: 'applied', points: -100 });
    expect(await balance(h, memberId!)).toMatchObject({ available: 150 });
    expect((await history(h, memberId!)).map((t) => [t.kind, t.amount])).toEqual([
      ['adjust', 250],
      ['adjust', 100],
    ]);

    const tooMuch = await deliver(h, 'till', post({ ...credit, id: 'till:points:t3', mirrored: { points: -1000, reason: 'reward redeemed' } }));
    expect(tooMuch.httpStatus).toBe(400);
    expect(tooMuch.detail).toMatch(/till took 1000 points but member mem_\w+ has 150 points available/);
    expect((await inbox(h)).filter((e) => e.status === 'rejected')).toHaveLength(1);
    expect(await balance(h, memberId!)).toMatchObject({ available: 150 });
  });
});
