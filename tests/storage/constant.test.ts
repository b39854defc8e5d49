/**
 * `eqConstant` (core/storage/constant.ts) writes a status name into the statement's text so
 * SQLite does not re-prepare the statement on every run (a bound value compared with a column a
 * partial index names). It must find exactly what `eq` finds, on both backends, and refuse
 * anything that is not a status name: it is never for input.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { earn } from '../../core/ledger/index.js';
import { eqConstant } from '../../core/storage/constant.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { DAY, ledgerHarness } from '../helpers/test-store.js';

const why = { source: 'api', actor: 'test' } as const;

describe('eqConstant', () => {
  const h = ledgerHarness();

  it('finds the rows eq finds: a member\'s active and pending lots', async () => {
    const m = await h.enroll();
    await h.write.earn({ memberId: m.id, points: 10, idempotencyKey: 'now', why });
    await h.commit('test', (w) => w.post(earn, { memberId: m.id, points: 7, idempotencyKey: 'later', why, activatesAt: h.clock() + DAY }));
    const { lots } = tablesOf(h.store.db);
    for (const status of ['active', 'pending', 'closed']) {
      const bound = await h.store.db.select({ id: lots.id }).from(lots).where(and(eq(lots.memberId, m.id), eq(lots.status, status)));
      const written = await h.store.db.select({ id: lots.id }).from(lots).where(and(eq(lots.memberId, m.id), eqConstant(lots.status, status)));
      expect(written).toEqual(bound);
    }
    expect((await h.store.db.select({ amount: lots.amount }).from(lots).where(eqConstant(lots.status, 'pending'))).map((l) => l.amount)).toEqual([7]);
  });

  it('refuses a value that is not a status name', () => {
    const { lots } = tablesOf(h.store.db);
    expect(() => eqConstant(lots.status, "active' or '1'='1")).toThrow(/not a status name/);
    expect(() => eqConstant(lots.status, '')).toThrow(/not a status name/);
  });
});
