/**
 * Property: after any sequence of ledger operations — earns (pending or not, expiring or not),
 * spends, checkout holds captured in part or released, adjustments both ways, reversals of earns
 * and spends, the scheduler's activation and expiry over days — the analytics summary agrees
 * with the members' balances at every step (docs/api.md, "Analytics"):
 *
 *   liability.points  = Σ (available + pending + locked) over all members
 *   liability.pending = Σ pending
 *   points.net over the whole history = liability.points
 *     (issued − redeemed − expired − reversed.earned + reversed.redeemed + credit − debit)
 *
 * In a half-hour time zone (Asia/Kolkata), so local days are not UTC days.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDay } from '../../core/analytics/local-day.js';
import { summarize } from '../../core/analytics/summary.js';
import { createWriteBoundary } from '../../core/commit/commit.js';
import { adjust, capture, checkLedgerInvariants, earn, Ledger, lock, reverse, spend, unlock, LedgerError } from '../../core/ledger/index.js';
import { enrollMember } from '../../core/members/members.js';
import { parseProgram } from '../../core/program/load-program.js';
import { backend } from '../helpers/temp-database.js';
import { DAY, openTempStore, testClock } from '../helpers/test-store.js';

const TZ = 'Asia/Kolkata';
const program = parseProgram(`name: Property\ntimeZone: ${TZ}\nredemption:\n  pointsValue: { points: 100, value: "1.00", currency: USD }\n`, 'property.yaml');
// A fresh database per run: cheap on SQLite, a cloned database each on PostgreSQL.
const RUNS = Number(process.env.ANALYTICS_PROPERTY_RUNS) || (backend === 'pg' ? 12 : 50);
const START = Date.parse('2026-05-01T20:00:00Z');
const why = { source: 'api' as const };

type Op =
  | { op: 'earn'; member: number; points: number; pendingDays?: number; expireDays?: number }
  | { op: 'spend' | 'lock'; member: number; points: number }
  | { op: 'capture'; points?: number }
  | { op: 'unlock' }
  | { op: 'adjust'; member: number; points: number }
  | { op: 'reverse'; pick: number; points?: number }
  | { op: 'tick'; hours: number };

const member = fc.nat({ max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('earn' as const), member, points: fc.integer({ min: 1, max: 300 }), pendingDays: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), expireDays: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }) }, { requiredKeys: ['op', 'member', 'points'] }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('spend' as const, 'lock' as const), member, points: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('capture' as const), points: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }) }, { requiredKeys: ['op'] }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unlock' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('adjust' as const), member, points: fc.integer({ min: -150, max: 150 }).filter((n) => n !== 0) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reverse' as const), pick: fc.nat({ max: 99 }), points: fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }) }, { requiredKeys: ['op', 'pick'] }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), hours: fc.constantFrom(1, 7, 13, 24, 49) }) },
);

describe('analytics liability (property)', () => {
  it('liability = Σ available + pending + locked, and the net of every flow agrees, after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const temp = await openTempStore();
        try {
          const clock = testClock(START);
          const { commit } = createWriteBoundary(temp.store, clock, { timeZone: TZ });
          const ledger = new Ledger(temp.store, commit, clock);
          const ids: string[] = [];
          for (let i = 0; i < 3; i++) ids.push((await commit('test', (w) => enrollMember(w, {}))).id);
          const reversible: string[] = [];
          const holds: string[] = [];
          let n = 0;
          for (const o of ops) {
            clock.advance(60_000);
            const key = `k${n++}`;
            try {
              if (o.op === 'earn') {
                const p = await commit('test', (w) => w.post(earn, { memberId: ids[o.member]!, points: o.points, idempotencyKey: key, why, activatesAt: o.pendingDays ? clock() + o.pendingDays * DAY : undefined, expiresAt: o.expireDays ? clock() + o.expireDays * DAY : undefined }));
                reversible.push(p.transfer.id);
              } else if (o.op === 'spend') {
                reversible.push((await commit('test', (w) => w.post(spend, { memberId: ids[o.member]!, points: o.points, idempotencyKey: key, why }))).transfer.id);
              } else if (o.op === 'lock') {
                holds.push((await commit('test', (w) => w.post(lock, { memberId: ids[o.member]!, points: o.points, idempotencyKey: key, expiresAt: clock() + DAY, why }))).transfer.id);
              } else if (o.op === 'capture' && holds.length) {
                reversible.push((await commit('test', (w) => w.post(capture, { lockId: holds.pop()!, points: o.points, idempotencyKey: key, why }))).transfer.id);
              } else if (o.op === 'unlock' && holds.length) {
                await commit('test', (w) => w.post(unlock, { lockId: holds.pop()!, idempotencyKey: key, why }));
              } else if (o.op === 'adjust') {
                await commit('test', (w) => w.post(adjust, { memberId: ids[o.member]!, points: o.points, idempotencyKey: key, why: { source: 'admin', reason: 'property' } }));
              } else if (o.op === 'reverse' && reversible.length) {
                await commit('test', (w) => w.post(reverse, { transferId: reversible[o.pick % reversible.length]!, points: o.points, idempotencyKey: key, why }));
              } else if (o.op === 'tick') {
                clock.advance(o.hours * 3_600_000);
                await ledger.runDue();
              }
            } catch (error) {
              // Refusals (not enough points, nothing left to reverse, a hold already resolved) write nothing.
              if (!(error instanceof LedgerError)) throw error;
            }
            let points = 0;
            let pending = 0;
            for (const id of ids) {
              const b = (await ledger.balance(id))!;
              points += b.available + b.pending + b.locked;
              pending += b.pending;
            }
            // The whole history: from the first local day (at most ~62 days ago) to today.
            const s = await summarize(temp.store.db, program, { from: localDay(START, TZ), to: localDay(clock(), TZ), groupBy: 'day' }, clock());
            expect(s.liability.points).toBe(points);
            expect(s.liability.pending).toBe(pending);
            expect(s.points.net).toBe(points);
            expect(s.liability.value).toEqual([{ currency: 'USD', amount: points, exponent: 2 }]);
            // The series adds up to the totals.
            expect(s.series.reduce((sum, b) => sum + b.points.net, 0)).toBe(s.points.net);
            expect(s.series.reduce((sum, b) => sum + b.points.issued, 0)).toBe(s.points.issued);
          }
          expect(await checkLedgerInvariants(temp.store.db)).toEqual([]);
        } finally {
          await temp.dispose();
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
