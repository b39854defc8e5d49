/**
 * Distinct active members (docs/architecture.md, "Analytics aggregates"): `member_activity` and
 * `activity_gaps` count a member once per day it earned or redeemed, however many writes it
 * made that day. A small write skips the `member_activity` upsert for a member the boundary
 * already saw commit an active line today (core/analytics/active-today.ts); these check that the
 * figures are the same as if it never skipped: a member's second write of the day adds nothing,
 * its first write of the next day counts it with the right previous day, and a write that rolled
 * back does not make the boundary believe the member was counted.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { earn } from '../../core/ledger/index.js';
import { allRows } from '../../core/storage/dialect.js';
import { DAY, ledgerHarness } from '../helpers/test-store.js';

const why = { source: 'api', actor: 'test' } as const;

describe('active members in the analytics aggregates', () => {
  const h = ledgerHarness();

  const gaps = async () =>
    (await allRows<{ day: unknown; prev_day: unknown; members: unknown }>(h.store.db, sql`select day, prev_day, members from activity_gaps order by day, prev_day`)).map((r) => [
      Number(r.day),
      Number(r.prev_day),
      Number(r.members),
    ]);
  const lastActive = async (memberId: string) =>
    (await allRows<{ day: unknown; prev_day: unknown }>(h.store.db, sql`select day, prev_day from member_activity where member_id = ${memberId}`)).map((r) => [Number(r.day), Number(r.prev_day)]);

  it('counts a member once per day, however many writes it made, and again the next day with the day before', async () => {
    const a = await h.enroll();
    const b = await h.enroll();
    const today = Math.floor(h.clock() / DAY);
    for (let i = 0; i < 3; i++) await h.write.earn({ memberId: a.id, points: 10, idempotencyKey: `a${i}`, why });
    await h.write.earn({ memberId: b.id, points: 10, idempotencyKey: 'b0', why });
    expect(await gaps()).toEqual([[today, -1, 2]]);

    h.clock.advance(DAY);
    await h.write.earn({ memberId: a.id, points: 10, idempotencyKey: 'a-next', why });
    await h.write.earn({ memberId: a.id, points: 10, idempotencyKey: 'a-next-2', why });
    expect(await gaps()).toEqual([
      [today, -1, 2],
      [today + 1, today, 1],
    ]);
    expect(await lastActive(a.id)).toEqual([[today + 1, today]]);
    expect(await lastActive(b.id)).toEqual([[today, -1]]);
  });

  it('does not take a rolled-back write for a counted member', async () => {
    const a = await h.enroll();
    const today = Math.floor(h.clock() / DAY);
    await expect(
      h.commit('test', async (w) => {
        await w.post(earn, { memberId: a.id, points: 10, idempotencyKey: 'rolled-back', why });
        throw new Error('refused after the earn');
      }),
    ).rejects.toThrow('refused after the earn');
    expect(await lastActive(a.id)).toEqual([]);

    await h.write.earn({ memberId: a.id, points: 10, idempotencyKey: 'kept', why });
    expect(await lastActive(a.id)).toEqual([[today, -1]]);
    expect(await gaps()).toEqual([[today, -1, 1]]);
  });

  it('counts several members of one write each once (the multi-row path past eight members)', async () => {
    const members: string[] = [];
    for (let i = 0; i < 12; i++) members.push((await h.enroll()).id);
    const today = Math.floor(h.clock() / DAY);
    await h.commit('test', async (w) => {
      for (const [i, id] of members.entries()) await w.post(earn, { memberId: id, points: 5, idempotencyKey: `m${i}`, why });
    });
    await h.commit('test', async (w) => {
      for (const [i, id] of members.slice(0, 3).entries()) await w.post(earn, { memberId: id, points: 5, idempotencyKey: `again${i}`, why });
    });
    expect(await gaps()).toEqual([[today, -1, 12]]);
  });
});
