import { describe, expect, it } from 'vitest';
import { DAY, ledgerHarness } from '../helpers/test-store.js';

const why = { source: 'api' as const };

describe('ledger', () => {
  const h = ledgerHarness();

  it('earns into a lot and reads the balance', async () => {
    const m = await h.enroll({ email: 'ann@example.com' });
    await h.write.earn({ memberId: m.id, points: 120, idempotencyKey: 'e1', why });
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 120, lifetimeEarned: 120, pending: 0 });
  });

  it('applies an idempotency key once and refuses it for a different request', async () => {
    const m = await h.enroll();
    const first = await h.write.earn({ memberId: m.id, points: 10, idempotencyKey: 'k', why });
    const again = await h.write.earn({ memberId: m.id, points: 10, idempotencyKey: 'k', why });
    expect(again).toEqual({ transfer: first.transfer, duplicate: true });
    await expect(h.write.earn({ memberId: m.id, points: 11, idempotencyKey: 'k', why })).rejects.toMatchObject({
      code: 'idempotency_conflict',
    });
    expect((await h.ledger.balance(m.id))!.available).toBe(10);
  });

  it('refuses a spend above available and changes nothing', async () => {
    const m = await h.enroll();
    await h.write.earn({ memberId: m.id, points: 50, idempotencyKey: 'e', why });
    const before = await h.ledger.history(m.id, { limit: 10 });
    await expect(h.write.spend({ memberId: m.id, points: 51, idempotencyKey: 's', why })).rejects.toMatchObject({
      code: 'insufficient_points',
      detail: { available: 50, requested: 51 },
    });
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 50, spent: 0 });
    expect(await h.ledger.history(m.id, { limit: 10 })).toEqual(before);
  });

  it('spends the lots that expire first', async () => {
    const m = await h.enroll();
    const now = h.clock();
    const late = await h.write.earn({ memberId: m.id, points: 100, expiresAt: now + 300 * DAY, idempotencyKey: 'late', why });
    const never = await h.write.earn({ memberId: m.id, points: 100, idempotencyKey: 'never', why });
    const soon = await h.write.earn({ memberId: m.id, points: 100, expiresAt: now + 10 * DAY, idempotencyKey: 'soon', why });
    await h.write.spend({ memberId: m.id, points: 150, idempotencyKey: 's', why });
    expect(await h.ledger.expiring(m.id)).toEqual([{ points: 50, expiresAt: now + 300 * DAY }]);
    h.clock.advance(301 * DAY);
    expect(await h.ledger.runDue()).toMatchObject({ expired: 1 });
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 100, expired: 50, spent: 150 });
    void late;
    void never;
    void soon;
  });

  it('keeps pending points out of available until activation', async () => {
    const m = await h.enroll();
    await h.write.earn({ memberId: m.id, points: 40, activatesAt: h.clock() + 14 * DAY, idempotencyKey: 'p', why });
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 0, pending: 40, lifetimeEarned: 0 });
    h.clock.advance(14 * DAY);
    expect(await h.ledger.runDue()).toMatchObject({ activated: 1 });
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 40, pending: 0, lifetimeEarned: 40 });
  });

  it('holds points, captures part and releases the rest', async () => {
    const m = await h.enroll();
    await h.write.earn({ memberId: m.id, points: 300, idempotencyKey: 'e', why });
    const hold = await h.write.lock({ memberId: m.id, points: 200, expiresAt: h.clock() + 60_000, idempotencyKey: 'l', why });
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 100, locked: 200 });
    await h.write.capture({ lockId: hold.transfer.id, points: 150, idempotencyKey: 'c', why });
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 150, locked: 0, spent: 150 });
    await expect(h.write.unlock({ lockId: hold.transfer.id, idempotencyKey: 'u', why })).rejects.toMatchObject({
      code: 'hold_not_open',
    });
  });

  it('releases an expired hold by itself', async () => {
    const m = await h.enroll();
    await h.write.earn({ memberId: m.id, points: 30, idempotencyKey: 'e', why });
    await h.write.lock({ memberId: m.id, points: 30, expiresAt: h.clock() + 60_000, idempotencyKey: 'l', why });
    h.clock.advance(60_001);
    expect(await h.ledger.runDue()).toMatchObject({ released: 1 });
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 30, locked: 0 });
  });

  it('reverses a spend into the lots it came from, with their expiry', async () => {
    const m = await h.enroll();
    const now = h.clock();
    await h.write.earn({ memberId: m.id, points: 100, expiresAt: now + 10 * DAY, idempotencyKey: 'a', why });
    await h.write.earn({ memberId: m.id, points: 100, expiresAt: now + 20 * DAY, idempotencyKey: 'b', why });
    const before = await h.ledger.expiring(m.id);
    const s = await h.write.spend({ memberId: m.id, points: 150, idempotencyKey: 's', why });
    await h.write.reverse({ transferId: s.transfer.id, idempotencyKey: 'r', why });
    expect(await h.ledger.expiring(m.id)).toEqual(before);
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 200, spent: 0 });
    await expect(h.write.reverse({ transferId: s.transfer.id, idempotencyKey: 'r2', why })).rejects.toMatchObject({
      code: 'not_reversible',
    });
  });

  it('never takes back more of an earn than is left of it', async () => {
    const m = await h.enroll();
    const e = await h.write.earn({ memberId: m.id, points: 100, idempotencyKey: 'e', why });
    await h.write.spend({ memberId: m.id, points: 70, idempotencyKey: 's', why });
    const r = await h.write.reverse({ transferId: e.transfer.id, idempotencyKey: 'r', why });
    expect(r.transfer.amount).toBe(30);
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 0, lifetimeEarned: 70, spent: 70 });
  });

  it('adjusts by hand in both directions with a reason, never below zero', async () => {
    const m = await h.enroll();
    await h.write.adjust({ memberId: m.id, points: 500, idempotencyKey: 'a1', why: { source: 'admin', actor: 'ops', reason: 'goodwill' } });
    await h.write.adjust({ memberId: m.id, points: -200, idempotencyKey: 'a2', why: { source: 'admin', actor: 'ops', reason: 'duplicate order' } });
    await expect(
      h.write.adjust({ memberId: m.id, points: -301, idempotencyKey: 'a3', why: { source: 'admin', reason: 'too much' } }),
    ).rejects.toMatchObject({ code: 'insufficient_points' });
    expect(await h.ledger.balance(m.id)).toMatchObject({ available: 300, lifetimeEarned: 0 });
    const [last] = await h.ledger.history(m.id, { limit: 1 });
    expect(last).toMatchObject({ kind: 'adjust', amount: 200, reason: 'duplicate order', actor: 'ops' });
  });
});
