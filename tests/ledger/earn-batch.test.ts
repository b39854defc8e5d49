import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { earnMany, type EarnInput } from '../../core/ledger/index.js';
import { eraseMember } from '../../core/members/erase.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { DAY, ledgerHarness } from '../helpers/test-store.js';

const why = { source: 'api' as const, reason: 'import' };

describe('earns in a batch (w.postMany(earnMany, …))', () => {
  const h = ledgerHarness();

  const batch = (inputs: EarnInput[]) => h.commit('import', (w) => w.postMany(earnMany, inputs));
  const events = async () => {
    const { loyaltyEvents } = tablesOf(h.store.db);
    const rows = await h.store.db.select().from(loyaltyEvents).orderBy(asc(loyaltyEvents.seq));
    return rows.filter((e) => e.type.startsWith('points.')).map((e) => ({ type: e.type, memberId: e.memberId, data: JSON.parse(e.data) as Record<string, unknown> }));
  };

  it('writes what one earn at a time writes: balances, lots, expiring points, one event per line with the balance after it', async () => {
    const ann = await h.enroll({ email: 'ann@example.com' });
    const bob = await h.enroll({ email: 'bob@example.com' });
    const now = h.clock();
    await h.write.earn({ memberId: ann.id, points: 5, idempotencyKey: 'before', why });
    const posted = await batch([
      { memberId: ann.id, points: 10, idempotencyKey: 'b1', expiresAt: now + 30 * DAY, why },
      { memberId: bob.id, points: 20, idempotencyKey: 'b2', why },
      { memberId: ann.id, points: 30, idempotencyKey: 'b3', expiresAt: now + 30 * DAY + 1000, why },
      { memberId: bob.id, points: 40, idempotencyKey: 'b4', activatesAt: now + 14 * DAY, why },
    ]);
    expect(posted.map((p) => [p.transfer.idempotencyKey, p.transfer.amount, p.duplicate])).toEqual([
      ['b1', 10, false],
      ['b2', 20, false],
      ['b3', 30, false],
      ['b4', 40, false],
    ]);
    expect(posted.every((p) => p.transfer.actor === 'import' && p.transfer.reason === 'import')).toBe(true);
    expect(await h.ledger.balance(ann.id)).toMatchObject({ available: 45, pending: 0, lifetimeEarned: 45 });
    expect(await h.ledger.balance(bob.id)).toMatchObject({ available: 20, pending: 40, lifetimeEarned: 20 });
    expect(await h.ledger.expiring(ann.id)).toEqual([{ points: 40, expiresAt: now + 30 * DAY }]);
    const batchEvents = (await events()).slice(1);
    expect(batchEvents.map((e) => [e.type, e.memberId, e.data.points, (e.data.balance as { available: number; pending: number }).available, (e.data.balance as { pending: number }).pending])).toEqual([
      ['points.earned', ann.id, 10, 15, 0],
      ['points.earned', bob.id, 20, 20, 0],
      ['points.earned', ann.id, 30, 45, 0],
      ['points.pending', bob.id, 40, 20, 40],
    ]);
    // The pending lot activates like any other.
    h.clock.advance(15 * DAY);
    expect(await h.ledger.runDue()).toMatchObject({ activated: 1 });
    expect(await h.ledger.balance(bob.id)).toMatchObject({ available: 60, pending: 0, lifetimeEarned: 60 });
  });

  it('answers a replayed key with its first transfer, from an earlier write or earlier in the batch, and writes it once', async () => {
    const ann = await h.enroll();
    const single = await h.write.earn({ memberId: ann.id, points: 10, idempotencyKey: 'k1', why });
    const posted = await batch([
      { memberId: ann.id, points: 10, idempotencyKey: 'k1', why },
      { memberId: ann.id, points: 7, idempotencyKey: 'k2', why },
      { memberId: ann.id, points: 7, idempotencyKey: 'k2', why },
    ]);
    expect(posted[0]).toEqual({ transfer: single.transfer, duplicate: true });
    expect(posted[1]!.duplicate).toBe(false);
    expect(posted[2]).toEqual({ transfer: posted[1]!.transfer, duplicate: true });
    // And the other way round: a key first applied in a batch is a replay for a single earn.
    expect(await h.write.earn({ memberId: ann.id, points: 7, idempotencyKey: 'k2', why })).toEqual({ transfer: posted[1]!.transfer, duplicate: true });
    expect(await h.ledger.balance(ann.id)).toMatchObject({ available: 17 });
    expect((await events()).length).toBe(2);
  });

  it('applies each key once when batches that share keys race (exactly once, docs/operating.md)', async () => {
    const members = [await h.enroll({ email: 'a@example.com' }), await h.enroll({ email: 'b@example.com' })];
    const input = (i: number) => ({ memberId: members[i % 2]!.id, points: 1 + i, idempotencyKey: `race-${i}`, why });
    // Four writers at once, each with keys 0–59 in its own order: every key in every batch.
    const orders = [[...Array(60).keys()], [...Array(60).keys()].reverse(), [...Array(60).keys()].map((i) => (i * 7) % 60), [...Array(60).keys()].map((i) => (i * 13) % 60)];
    const results = await Promise.all(orders.map((order) => batch(order.map(input))));
    const byKey = new Map<string, Set<string>>();
    for (const posted of results.flat()) byKey.set(posted.transfer.idempotencyKey, (byKey.get(posted.transfer.idempotencyKey) ?? new Set()).add(posted.transfer.id));
    expect([...byKey.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(results.flat().filter((p) => !p.duplicate)).toHaveLength(60);
    const want = (k: number) => [...Array(60).keys()].filter((i) => i % 2 === k).reduce((n, i) => n + 1 + i, 0);
    expect(await h.ledger.balance(members[0]!.id)).toMatchObject({ available: want(0) });
    expect(await h.ledger.balance(members[1]!.id)).toMatchObject({ available: want(1) });
    expect((await events()).length).toBe(60);
  });

  it('refuses the whole batch, writing nothing, when one key was used for a different request', async () => {
    const ann = await h.enroll();
    await h.write.earn({ memberId: ann.id, points: 10, idempotencyKey: 'k1', why });
    await expect(
      batch([
        { memberId: ann.id, points: 50, idempotencyKey: 'fresh', why },
        { memberId: ann.id, points: 11, idempotencyKey: 'k1', why },
      ]),
    ).rejects.toMatchObject({ code: 'idempotency_conflict' });
    expect(await h.ledger.balance(ann.id)).toMatchObject({ available: 10 });
    expect(await h.ledger.history(ann.id, { limit: 10 })).toHaveLength(1);
  });

  it('refuses an unknown member, an erased member and an amount that is not a positive whole number, writing nothing', async () => {
    const ann = await h.enroll();
    const gone = await h.enroll({ email: 'gone@example.com' });
    await h.commit('test', (w) => eraseMember(w.tx, w.now, gone.id));
    const ok = { memberId: ann.id, points: 5, idempotencyKey: 'ok', why };
    await expect(batch([ok, { memberId: 'mem_nobody', points: 5, idempotencyKey: 'x', why }])).rejects.toMatchObject({ code: 'member_not_found' });
    await expect(batch([ok, { memberId: gone.id, points: 5, idempotencyKey: 'y', why }])).rejects.toMatchObject({ code: 'member_erased' });
    await expect(batch([ok, { memberId: ann.id, points: 2.5, idempotencyKey: 'z', why }])).rejects.toMatchObject({ code: 'invalid_amount' });
    // A quiet write (an import) reads no balance back, and still refuses them.
    const quiet = (inputs: EarnInput[]) =>
      h.commit('import', (w) => {
        w.quiet();
        return w.postMany(earnMany, inputs);
      });
    await expect(quiet([ok, { memberId: 'mem_nobody', points: 5, idempotencyKey: 'x', why }])).rejects.toMatchObject({ code: 'member_not_found', detail: { memberId: 'mem_nobody' } });
    await expect(quiet([ok, { memberId: gone.id, points: 5, idempotencyKey: 'y', why }])).rejects.toMatchObject({ code: 'member_erased', detail: { memberId: gone.id } });
    expect(await h.ledger.balance(ann.id)).toMatchObject({ available: 0 });
    const { transfers } = tablesOf(h.store.db);
    expect(await h.store.db.select().from(transfers).where(eq(transfers.memberId, ann.id))).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('answers each new line as stored, its seq included, whether every line went in or some were replays', async () => {
    const ann = await h.enroll();
    const stored = async (id: string) => {
      const { transfers } = tablesOf(h.store.db);
      const [row] = await h.store.db.select().from(transfers).where(eq(transfers.id, id));
      return row;
    };
    // Every line new: numbered by the insert itself (core/storage/insert-rows.ts, insertRowsNumbered).
    const first = await batch(Array.from({ length: 5 }, (_, i) => ({ memberId: ann.id, points: 1 + i, idempotencyKey: `seq-${i}`, why })));
    // Replays between new lines: the new ones read back by id.
    const mixed = await batch([
      { memberId: ann.id, points: 1, idempotencyKey: 'seq-0', why },
      { memberId: ann.id, points: 9, idempotencyKey: 'seq-new-a', why },
      { memberId: ann.id, points: 4, idempotencyKey: 'seq-3', why },
      { memberId: ann.id, points: 8, idempotencyKey: 'seq-new-b', why },
    ]);
    for (const p of [...first, ...mixed]) expect(p.transfer).toEqual(await stored(p.transfer.id));
    expect(mixed.map((p) => p.duplicate)).toEqual([true, false, true, false]);
    const seqs = [...first.map((p) => p.transfer.seq), mixed[1]!.transfer.seq, mixed[3]!.transfer.seq];
    expect(new Set(seqs).size).toBe(7);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('takes more than one chunk of rows (1,200 earns over 3 members) in one write', async () => {
    const members = [await h.enroll({ email: 'a@example.com' }), await h.enroll({ email: 'b@example.com' }), await h.enroll({ email: 'c@example.com' })];
    const now = h.clock();
    const inputs = Array.from({ length: 1200 }, (_, i) => ({
      memberId: members[i % 3]!.id,
      points: 1 + (i % 7),
      idempotencyKey: `bulk-${i}`,
      expiresAt: now + (1 + (i % 4)) * DAY,
      why,
    }));
    const posted = await batch(inputs);
    expect(posted.filter((p) => !p.duplicate)).toHaveLength(1200);
    for (const [k, m] of members.entries()) {
      const want = inputs.filter((_, i) => i % 3 === k).reduce((n, x) => n + x.points, 0);
      expect(await h.ledger.balance(m.id)).toMatchObject({ available: want, lifetimeEarned: want });
    }
    expect((await events()).length).toBe(1200);
  });
});
