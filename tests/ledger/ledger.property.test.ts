/**
 * Property-based tests of the ledger: random sequences of operations over a few members, checked
 * after every step against the invariant checker and against a small in-test model of the lots.
 *
 * The model is deliberately naive (arrays and loops, no SQL) and follows the documented rules:
 * spends and holds take from the lots that expire first (never-expiring last, then oldest first),
 * spend reversals return points latest-taken first, an earn reversal takes at most what is left
 * of its lot, `runDue` activates, then releases holds, then expires. Every step advances the
 * clock by at least 1 ms, so no two lots share a creation time and the lot order is determined.
 *
 * Each fast-check run gets its own SQLite file (`openTempStore`), disposed at the end of the run.
 * On failure fast-check prints the shrunk sequence of operations; the error names the step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerError, checkLedgerInvariants, type Balance, type Posted } from '../../core/ledger/index.js';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Store } from '../../core/storage/store.js';
import { DAY, openTempStore, testClock, type TestClock } from '../helpers/test-store.js';
import { testLedger, type TestLedger } from '../helpers/ledger-writes.js';

/** Runs per property; raise it for a longer hunt, e.g. `LEDGER_PROPERTY_RUNS=3000 npx vitest run …`. */
const RUNS = Number(process.env.LEDGER_PROPERTY_RUNS) || 100;
/**
 * A normal run takes seconds; the budget is for shrinking a failure (which replays many sequences,
 * each on a fresh database). fast-check stops first and still reports the smallest counterexample
 * found so far, rather than vitest timing out and losing it.
 */
const BUDGET = 240_000 * Math.max(1, RUNS / 100);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const why = { source: 'api' as const };
const admin = { source: 'admin' as const, actor: 'property-test', reason: 'correction' };

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/**
 * References to earlier steps (`hold`, `target`, `step`) count back from the latest, modulo what
 * exists at run time: fast-check favours small numbers, so recent holds (likely still open) and
 * recent spends (likely from lots about to expire) are picked most.
 * Spend, lock and debit amounts are a `percent` of the member's available points at that moment
 * (at least 1): above 100 % they must be refused, so sequences mix successes and refusals.
 */
type Op =
  | { op: 'earn'; member: number; points: number; activateInDays: number | undefined; expireInDays: number | undefined }
  | { op: 'spend'; member: number; percent: number }
  | { op: 'lock'; member: number; percent: number; ttl: number }
  | { op: 'capture'; hold: number; percent: number | undefined }
  | { op: 'unlock'; hold: number }
  | { op: 'expire'; advance: number }
  | { op: 'reverse'; target: number; percent: number | undefined; pool: 'reversible' | 'any' }
  | { op: 'adjust'; member: number; credit: number | undefined; debitPercent: number; expireInDays: number | undefined }
  | { op: 'replay'; step: number; conflict: boolean };

const member = fc.nat({ max: 2 });
const ref = fc.nat({ max: 999 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const percentOfAvailable = fc.integer({ min: 1, max: 125 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('earn' as const),
      member,
      points: fc.integer({ min: 1, max: 200 }),
      activateInDays: maybe(fc.integer({ min: 1, max: 20 })),
      expireInDays: maybe(fc.integer({ min: 1, max: 60 })),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('spend' as const), member, percent: percentOfAvailable }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('lock' as const),
      member,
      percent: percentOfAvailable,
      ttl: fc.constantFrom(MINUTE, HOUR, DAY, 10 * DAY),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('capture' as const), hold: ref, percent: maybe(fc.integer({ min: 1, max: 120 })) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('unlock' as const), hold: ref }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('expire' as const), advance: fc.constantFrom(MINUTE, HOUR, DAY, 7 * DAY, 30 * DAY, 61 * DAY) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('reverse' as const),
      target: ref,
      percent: maybe(fc.integer({ min: 1, max: 120 })),
      pool: fc.constantFrom('reversible' as const, 'reversible' as const, 'reversible' as const, 'any' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('adjust' as const),
      member,
      credit: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
      debitPercent: percentOfAvailable,
      expireInDays: maybe(fc.integer({ min: 1, max: 60 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replay' as const), step: ref, conflict: fc.boolean() }) },
);

const scenarioArb = fc.record({
  members: fc.integer({ min: 1, max: 3 }),
  // size 'max': lengths spread over 1..40 (the default 'small' size keeps them under ~10).
  ops: fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }),
});

/** `percent` of `base`, at least 1; above 100 % it may exceed `base` (to provoke refusals). */
/** The `ref`-th latest element of `list`, or undefined if it is empty. */
const latest = <T>(list: T[], ref: number): T | undefined => list[list.length - 1 - (ref % (list.length || 1))];
const part = (base: number, percent: number | undefined): number | undefined =>
  percent === undefined ? undefined : Math.max(1, Math.ceil((base * percent) / 100));
const share = (base: number, percent: number): number => Math.max(1, Math.ceil((base * percent) / 100));

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

type Part = 'remaining' | 'locked' | 'spent' | 'expired' | 'reversed';
type LotStatus = 'pending' | 'active' | 'closed';

interface MLot {
  id: string;
  member: number;
  amount: number;
  remaining: number;
  locked: number;
  spent: number;
  expired: number;
  reversed: number;
  status: LotStatus;
  activatesAt: number;
  expiresAt: number | null;
  createdAt: number;
}

interface Move {
  lotId: string;
  amount: number;
}

interface MHold {
  id: string;
  member: number;
  amount: number;
  expiresAt: number;
  open: boolean;
  moves: Move[];
}

/** A successful transfer the test wrote itself (not the scheduler's). */
interface MTransfer {
  id: string;
  kind: 'earn' | 'spend' | 'lock' | 'capture' | 'unlock' | 'reverse' | 'adjust';
  member: number;
  amount: number;
  /** earn: its lot. */
  lotId?: string;
  /** spend / capture: per lot, points taken and not yet returned, in the order they were taken. */
  returnable?: Map<string, number>;
}

class Model {
  readonly lots = new Map<string, MLot>();
  readonly holds: MHold[] = [];
  readonly transfers: MTransfer[] = [];
  readonly lifetime: number[];
  /** What came in minus what was taken back: earns + adjustments − earn reversals. */
  readonly inflow: number[];

  constructor(members: number) {
    this.lifetime = Array.from({ length: members }, () => 0);
    this.inflow = Array.from({ length: members }, () => 0);
  }

  private lotsOf(m: number): MLot[] {
    return [...this.lots.values()].filter((l) => l.member === m);
  }

  available(m: number): number {
    return this.lotsOf(m)
      .filter((l) => l.status !== 'pending')
      .reduce((s, l) => s + l.remaining, 0);
  }

  balance(m: number): Omit<Balance, 'memberId'> {
    const own = this.lotsOf(m);
    const sum = (f: (l: MLot) => number) => own.reduce((s, l) => s + f(l), 0);
    return {
      available: this.available(m),
      pending: sum((l) => (l.status === 'pending' ? l.remaining : 0)),
      locked: sum((l) => l.locked),
      spent: sum((l) => l.spent),
      expired: sum((l) => l.expired),
      lifetimeEarned: this.lifetime[m]!,
    };
  }

  /** One batch per UTC day of expiry: its points, and the earliest expiry of that day. */
  expiring(m: number): { points: number; expiresAt: number }[] {
    const by = new Map<number, { points: number; expiresAt: number }>();
    for (const l of this.lotsOf(m)) {
      if (l.status !== 'active' || l.expiresAt === null) continue;
      const day = Math.floor(l.expiresAt / 86_400_000);
      const batch = by.get(day) ?? { points: 0, expiresAt: l.expiresAt };
      batch.points += l.remaining + l.locked;
      batch.expiresAt = Math.min(batch.expiresAt, l.expiresAt);
      by.set(day, batch);
    }
    return [...by.entries()]
      .filter(([, b]) => b.points > 0)
      .sort(([a], [b]) => a - b)
      .map(([, b]) => b);
  }

  addLot(lot: Omit<MLot, 'remaining' | 'locked' | 'spent' | 'expired' | 'reversed' | 'status'>, now: number): void {
    this.lots.set(lot.id, {
      ...lot,
      remaining: lot.amount,
      locked: 0,
      spent: 0,
      expired: 0,
      reversed: 0,
      status: lot.activatesAt > now ? 'pending' : 'active',
    });
  }

  move(lotId: string, from: Part, to: Part, n: number): void {
    const lot = this.lots.get(lotId)!;
    if (lot[from] < n) throw new Error(`model: lot ${lotId} has ${lot[from]} ${from}, cannot move ${n}`);
    lot[from] -= n;
    lot[to] += n;
    const activated = lot.status !== 'pending';
    lot.status = lot.remaining + lot.locked === 0 ? 'closed' : activated ? 'active' : 'pending';
  }

  /** Takes from active lots, soonest expiry first, never-expiring last, then oldest first. */
  take(m: number, points: number, to: Part): Move[] {
    const order = this.lotsOf(m)
      .filter((l) => l.status === 'active' && l.remaining > 0)
      .sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.createdAt - b.createdAt);
    const moves: Move[] = [];
    let left = points;
    for (const lot of order) {
      if (left === 0) break;
      const n = Math.min(left, lot.remaining);
      this.move(lot.id, 'remaining', to, n);
      moves.push({ lotId: lot.id, amount: n });
      left -= n;
    }
    if (left > 0) throw new Error('model: took more than available');
    return moves;
  }

  /** Captures `points` of the hold from its lots in the order they were locked, releases the rest. */
  settle(hold: MHold, points: number): Move[] {
    const captured: Move[] = [];
    let toCapture = points;
    for (const mv of hold.moves) {
      const c = Math.min(toCapture, mv.amount);
      if (c > 0) {
        this.move(mv.lotId, 'locked', 'spent', c);
        captured.push({ lotId: mv.lotId, amount: c });
        toCapture -= c;
      }
      if (mv.amount - c > 0) this.move(mv.lotId, 'locked', 'remaining', mv.amount - c);
    }
    hold.open = false;
    return captured;
  }

  /** The scheduler: activate, then release holds past their TTL, then expire. */
  runDue(now: number): { activated: number; released: number; expired: number } {
    const work = { activated: 0, released: 0, expired: 0 };
    for (const lot of this.lots.values()) {
      if (lot.status === 'pending' && lot.activatesAt <= now) {
        lot.status = 'active';
        this.lifetime[lot.member]! += lot.remaining;
        work.activated++;
      }
    }
    for (const hold of this.holds) {
      if (hold.open && hold.expiresAt <= now) {
        this.settle(hold, 0);
        work.released++;
      }
    }
    for (const lot of this.lots.values()) {
      if (lot.status === 'active' && lot.expiresAt !== null && lot.expiresAt <= now && lot.remaining > 0) {
        this.move(lot.id, 'remaining', 'expired', lot.remaining);
        work.expired++;
      }
    }
    return work;
  }
}

// ---------------------------------------------------------------------------------------------
// Running a scenario
// ---------------------------------------------------------------------------------------------

/** Every ledger table, as read through the store's (committed-data) reader. */
async function snapshot(store: Store) {
  const db = store.db;
  return {
    transfers: await db.select().from(tablesOf(db).transfers).orderBy(tablesOf(db).transfers.seq),
    lots: await db.select().from(tablesOf(db).lots).orderBy(tablesOf(db).lots.id),
    movements: await db.select().from(tablesOf(db).lotMovements).orderBy(tablesOf(db).lotMovements.seq),
    openHolds: await db.select().from(tablesOf(db).openHolds).orderBy(tablesOf(db).openHolds.transferId),
    balances: await db.select().from(tablesOf(db).balances).orderBy(tablesOf(db).balances.memberId),
  };
}

interface Applied {
  key: string;
  transfer: Posted['transfer'];
  redo: () => Promise<Posted>;
}

class Scenario {
  readonly model: Model;
  readonly ledger: TestLedger;
  /** Steps that wrote a transfer, with the exact call that wrote it. */
  readonly applied: Applied[] = [];

  constructor(
    readonly store: Store,
    readonly clock: TestClock,
    readonly ids: string[],
  ) {
    this.model = new Model(ids.length);
    this.ledger = testLedger(store, clock);
  }

  /** The call must be refused with `code`, and leave every ledger table exactly as it was. */
  async refused(call: () => Promise<Posted>, code: LedgerError['code']): Promise<void> {
    const before = await snapshot(this.store);
    let posted: Posted | undefined;
    try {
      posted = await call();
    } catch (error) {
      // Anything but a LedgerError (a TypeError, a lot going negative…) surfaces as itself.
      if (!(error instanceof LedgerError)) throw error;
      expect(error.code).toBe(code);
    }
    if (posted) {
      const { kind, amount, duplicate } = { ...posted.transfer, duplicate: posted.duplicate };
      throw new Error(`expected refusal '${code}', but it returned a ${kind} of ${amount} (duplicate: ${duplicate})`);
    }
    expect(await snapshot(this.store)).toEqual(before);
  }

  /** The call must write one new transfer of `kind` and `amount` for member `m`. */
  async posts(call: () => Promise<Posted>, key: string, m: number, kind: MTransfer['kind'], amount: number): Promise<Posted['transfer']> {
    const posted = await call();
    expect(posted.duplicate).toBe(false);
    expect(posted.transfer).toMatchObject({ kind, amount, memberId: this.ids[m], idempotencyKey: key });
    this.applied.push({ key, transfer: posted.transfer, redo: call });
    return posted.transfer;
  }

  async step(i: number, op: Op): Promise<void> {
    const { model, ledger, clock, ids } = this;
    const key = `k${i}`;
    const m = 'member' in op ? op.member % ids.length : 0;
    const memberId = ids[m]!;
    const now = clock();
    switch (op.op) {
      case 'earn': {
        const activatesAt = op.activateInDays === undefined ? undefined : now + op.activateInDays * DAY;
        const expiresAt = op.expireInDays === undefined ? undefined : now + op.expireInDays * DAY;
        const call = () => ledger.earn({ memberId, points: op.points, activatesAt, expiresAt, idempotencyKey: key, why });
        const t = await this.posts(call, key, m, 'earn', op.points);
        expect(t.lotId).toBeTruthy();
        model.addLot({ id: t.lotId!, member: m, amount: op.points, activatesAt: activatesAt ?? now, expiresAt: expiresAt ?? null, createdAt: now }, now);
        if (activatesAt === undefined) model.lifetime[m]! += op.points;
        model.inflow[m]! += op.points;
        model.transfers.push({ id: t.id, kind: 'earn', member: m, amount: op.points, lotId: t.lotId! });
        return;
      }
      case 'spend': {
        const points = share(model.available(m), op.percent);
        const call = () => ledger.spend({ memberId, points, idempotencyKey: key, why });
        if (model.available(m) < points) return this.refused(call, 'insufficient_points');
        const t = await this.posts(call, key, m, 'spend', points);
        const moves = model.take(m, points, 'spent');
        model.transfers.push({ id: t.id, kind: 'spend', member: m, amount: points, returnable: toReturnable(moves) });
        return;
      }
      case 'lock': {
        const points = share(model.available(m), op.percent);
        const expiresAt = now + op.ttl;
        const call = () => ledger.lock({ memberId, points, expiresAt, idempotencyKey: key, why });
        if (model.available(m) < points) return this.refused(call, 'insufficient_points');
        const t = await this.posts(call, key, m, 'lock', points);
        expect(t.pending).toBe(true);
        const moves = model.take(m, points, 'locked');
        model.holds.push({ id: t.id, member: m, amount: points, expiresAt, open: true, moves });
        model.transfers.push({ id: t.id, kind: 'lock', member: m, amount: points });
        return;
      }
      case 'capture': {
        const hold = latest(model.holds, op.hold);
        if (!hold) return;
        const points = part(hold.amount, op.percent);
        const call = () => ledger.capture({ lockId: hold.id, points, idempotencyKey: key, why });
        // The code checks the amount before it looks at whether the hold is still open.
        if (points !== undefined && points > hold.amount) return this.refused(call, 'capture_exceeds_hold');
        if (!hold.open) return this.refused(call, 'hold_not_open');
        const captured = points ?? hold.amount;
        const t = await this.posts(call, key, hold.member, 'capture', captured);
        expect(t.pendingId).toBe(hold.id);
        const moves = model.settle(hold, captured);
        model.transfers.push({ id: t.id, kind: 'capture', member: hold.member, amount: captured, returnable: toReturnable(moves) });
        return;
      }
      case 'unlock': {
        const hold = latest(model.holds, op.hold);
        if (!hold) return;
        const call = () => ledger.unlock({ lockId: hold.id, idempotencyKey: key, why });
        if (!hold.open) return this.refused(call, 'hold_not_open');
        const t = await this.posts(call, key, hold.member, 'unlock', hold.amount);
        expect(t.pendingId).toBe(hold.id);
        model.settle(hold, 0);
        model.transfers.push({ id: t.id, kind: 'unlock', member: hold.member, amount: hold.amount });
        return;
      }
      case 'expire': {
        clock.advance(op.advance);
        const expected = model.runDue(clock());
        expect(await ledger.runDue()).toEqual(expected);
        return;
      }
      case 'reverse': {
        const pool = op.pool === 'any' ? model.transfers : model.transfers.filter((t) => ['earn', 'spend', 'capture'].includes(t.kind));
        const original = latest(pool, op.target);
        if (!original) return;
        const requested = part(original.amount, op.percent);
        const call = () => ledger.reverse({ transferId: original.id, points: requested, idempotencyKey: key, why });
        if (original.kind === 'earn') {
          const lot = model.lots.get(original.lotId!)!;
          const take = Math.min(requested ?? original.amount, lot.remaining);
          if (take === 0) return this.refused(call, 'not_reversible');
          const wasPending = lot.status === 'pending';
          const t = await this.posts(call, key, original.member, 'reverse', take);
          expect(t).toMatchObject({ reversesId: original.id, debitAccount: wasPending ? `member:${memberOf(ids, original)}:pending` : `member:${memberOf(ids, original)}` });
          model.move(lot.id, 'remaining', 'reversed', take);
          if (!wasPending) model.lifetime[original.member]! -= take;
          model.inflow[original.member]! -= take;
        } else if (original.returnable) {
          const returnable = [...original.returnable.values()].reduce((a, b) => a + b, 0);
          if (returnable === 0) return this.refused(call, 'not_reversible');
          const give = Math.min(requested ?? returnable, returnable);
          const t = await this.posts(call, key, original.member, 'reverse', give);
          expect(t.reversesId).toBe(original.id);
          // Latest-taken first: those lots expire last.
          let left = give;
          for (const [lotId, n] of [...original.returnable.entries()].reverse()) {
            const back = Math.min(left, n);
            if (back === 0) continue;
            model.move(lotId, 'spent', 'remaining', back);
            original.returnable.set(lotId, n - back);
            left -= back;
          }
        } else {
          return this.refused(call, 'not_reversible');
        }
        const t = this.applied.at(-1)!.transfer;
        model.transfers.push({ id: t.id, kind: 'reverse', member: original.member, amount: t.amount });
        return;
      }
      case 'adjust': {
        const points = op.credit ?? -share(model.available(m), op.debitPercent);
        const expiresAt = op.expireInDays === undefined ? undefined : now + op.expireInDays * DAY;
        const call = () => ledger.adjust({ memberId, points, expiresAt, idempotencyKey: key, why: admin });
        if (points < 0 && model.available(m) < -points) return this.refused(call, 'insufficient_points');
        const t = await this.posts(call, key, m, 'adjust', Math.abs(points));
        if (points > 0) {
          model.addLot({ id: t.lotId!, member: m, amount: points, activatesAt: now, expiresAt: expiresAt ?? null, createdAt: now }, now);
        } else {
          // A debit is not spending: it moves points into the lots' `reversed` part.
          model.take(m, -points, 'reversed');
        }
        model.inflow[m]! += points;
        model.transfers.push({ id: t.id, kind: 'adjust', member: m, amount: Math.abs(points) });
        return;
      }
      case 'replay': {
        const earlier = latest(this.applied, op.step);
        if (!earlier) return;
        const before = await snapshot(this.store);
        if (op.conflict) {
          // Same key, different request: refused, whatever the first request was.
          await this.refused(
            () => ledger.adjust({ memberId: ids[0]!, points: 999_999, idempotencyKey: earlier.key, why: admin }),
            'idempotency_conflict',
          );
        } else {
          const again = await earlier.redo();
          expect(again).toEqual({ duplicate: true, transfer: earlier.transfer });
        }
        expect(await snapshot(this.store)).toEqual(before);
        return;
      }
    }
  }

  /** What must hold after every step. */
  async check(): Promise<void> {
    const { model, ledger, ids } = this;
    expect(await checkLedgerInvariants(this.store.db)).toEqual([]);
    for (const [m, memberId] of ids.entries()) {
      const balance = await ledger.balance(memberId);
      expect(balance).toEqual({ memberId, ...model.balance(m) });
      const b = balance!;
      for (const field of ['available', 'pending', 'locked', 'spent', 'expired', 'lifetimeEarned'] as const) {
        expect(b[field], field).toBeGreaterThanOrEqual(0);
      }
      // Conservation: every point that came in is in exactly one place.
      expect(b.available + b.locked + b.pending + b.spent + b.expired).toBe(model.inflow[m]);
      expect(await ledger.expiring(memberId)).toEqual(model.expiring(m));
    }
    // Lot by lot, the ledger agrees with the model.
    const stored = await this.store.db.select().from(tablesOf(this.store.db).lots);
    expect(stored.length).toBe(model.lots.size);
    for (const lot of stored) {
      const want = model.lots.get(lot.id);
      expect(want, `lot ${lot.id} unknown to the model`).toBeDefined();
      const { id, amount, remaining, locked, spent, expired, reversed, status, activatesAt, expiresAt } = want!;
      expect(lot).toMatchObject({ id, amount, remaining, locked, spent, expired, reversed, status, activatesAt, expiresAt });
    }
  }
}

function toReturnable(moves: Move[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const mv of moves) map.set(mv.lotId, (map.get(mv.lotId) ?? 0) + mv.amount);
  return map;
}

function memberOf(ids: string[], t: MTransfer): string {
  return ids[t.member]!;
}

async function runScenario(members: number, ops: Op[]): Promise<void> {
  const { store, dispose } = await openTempStore();
  try {
    const clock = testClock();
    const ids: string[] = [];
    for (let i = 0; i < members; i++) {
      ids.push((await testLedger(store, clock).enroll()).id);
    }
    const s = new Scenario(store, clock, ids);
    for (const [i, op] of ops.entries()) {
      // Distinct creation times make the lot order (expiry, then age) fully determined.
      clock.advance(1);
      try {
        await s.step(i, op);
        await s.check();
      } catch (error) {
        if (error instanceof Error) error.message = `step ${i} ${JSON.stringify(op)}: ${error.message}`;
        throw error;
      }
    }
  } finally {
    await dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Concurrent batches
// ---------------------------------------------------------------------------------------------

/** A write for one of two members; writes in one batch with the same `key` are twins. */
interface Write {
  kind: 'earn' | 'spend' | 'lock' | 'debit';
  member: number;
  points: number;
  key: number;
}

const writeArb: fc.Arbitrary<Write> = fc.record({
  kind: fc.constantFrom('earn' as const, 'spend' as const, 'lock' as const, 'debit' as const),
  member: fc.nat({ max: 1 }),
  points: fc.integer({ min: 1, max: 120 }),
  key: fc.nat({ max: 3 }),
});

async function runConcurrentBatches(batches: Write[][]): Promise<void> {
  const { store, dispose } = await openTempStore();
  try {
    const clock = testClock();
    const ledger = testLedger(store, clock);
    const enroll = async () => (await ledger.enroll()).id;
    const ids = [await enroll(), await enroll()];
    const inflow = [0, 0];
    for (const [b, batch] of batches.entries()) {
      clock.advance(1);
      const results = await Promise.allSettled(
        batch.map((w) => {
          const memberId = ids[w.member]!;
          const idempotencyKey = `b${b}-${w.key}`;
          if (w.kind === 'earn') return ledger.earn({ memberId, points: w.points, idempotencyKey, why });
          if (w.kind === 'spend') return ledger.spend({ memberId, points: w.points, idempotencyKey, why });
          if (w.kind === 'lock') return ledger.lock({ memberId, points: w.points, expiresAt: clock() + HOUR, idempotencyKey, why });
          return ledger.adjust({ memberId, points: -w.points, idempotencyKey, why: admin });
        }),
      );
      // Per key: at most one write; every duplicate answer names that write.
      const written = new Map<string, string>();
      for (const [i, r] of results.entries()) {
        const w = batch[i]!;
        if (r.status === 'rejected') {
          expect(r.reason).toBeInstanceOf(LedgerError);
          expect(['insufficient_points', 'idempotency_conflict']).toContain((r.reason as LedgerError).code);
        } else if (!r.value.duplicate) {
          const key = r.value.transfer.idempotencyKey;
          expect(written.has(key), `key ${key} applied twice`).toBe(false);
          written.set(key, r.value.transfer.id);
          if (w.kind === 'earn') inflow[w.member]! += w.points;
          if (w.kind === 'debit') inflow[w.member]! -= w.points;
        }
      }
      for (const r of results) {
        if (r.status === 'fulfilled' && r.value.duplicate) {
          expect(r.value.transfer.id).toBe(written.get(r.value.transfer.idempotencyKey));
        }
      }
      expect(await checkLedgerInvariants(store.db)).toEqual([]);
      for (const [m, memberId] of ids.entries()) {
        const bal = (await ledger.balance(memberId))!;
        expect(bal.available).toBeGreaterThanOrEqual(0);
        expect(bal.available + bal.locked + bal.pending + bal.spent + bal.expired).toBe(inflow[m]);
      }
    }
  } finally {
    await dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('ledger properties', () => {
  it(
    'any sequence of operations keeps the invariants and matches the model after every step',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ members, ops }) => runScenario(members, ops)),
        // Not fixed seeds: each run explores new sequences; a failure prints its seed and path.
        { numRuns: RUNS, interruptAfterTimeLimit: BUDGET, markInterruptAsFailure: true },
      );
    },
    BUDGET + 60_000,
  );

  describe('examples', () => {
    // References count back from the latest: `target: 0` is the latest reversible transfer.
    it('partial capture, then reversal of the capture and of the earn it came from', async () => {
      await runScenario(1, [
        { op: 'earn', member: 0, points: 100, activateInDays: undefined, expireInDays: 10 },
        { op: 'lock', member: 0, percent: 80, ttl: DAY },
        { op: 'capture', hold: 0, percent: 50 },
        { op: 'reverse', target: 0, percent: undefined, pool: 'reversible' }, // the capture
        { op: 'reverse', target: 1, percent: undefined, pool: 'reversible' }, // the earn
        { op: 'expire', advance: 30 * DAY },
        { op: 'replay', step: 2, conflict: false }, // the capture
        { op: 'replay', step: 2, conflict: true },
      ]);
    });

    it('a spend returned into an expired lot expires again at the next tick', async () => {
      await runScenario(1, [
        { op: 'earn', member: 0, points: 10, activateInDays: undefined, expireInDays: 1 },
        { op: 'spend', member: 0, percent: 40 },
        { op: 'expire', advance: 7 * DAY }, // the 6 left expire
        { op: 'reverse', target: 0, percent: undefined, pool: 'reversible' }, // the 4 spent come back…
        { op: 'expire', advance: MINUTE }, // …into a lot past its expiry: they expire too
      ]);
    });

    it('spends, holds and returns across more lots than one batch of takeFromLots (32)', async () => {
      const earns: Op[] = Array.from({ length: 40 }, (_, i) => ({
        op: 'earn',
        member: 0,
        points: 1 + (i % 3),
        activateInDays: undefined,
        expireInDays: i % 2 ? undefined : 1 + (i % 5),
      }));
      await runScenario(1, [
        ...earns,
        { op: 'spend', member: 0, percent: 90 },
        { op: 'reverse', target: 0, percent: 70, pool: 'reversible' },
        { op: 'lock', member: 0, percent: 100, ttl: HOUR },
        { op: 'capture', hold: 0, percent: 60 },
        { op: 'expire', advance: 7 * DAY },
      ]);
    });
  });

  /**
   * Writes issued concurrently (without awaiting each other), including twins sharing an
   * idempotency key: whatever the interleaving, each key is applied at most once, refusals are
   * LedgerErrors, and the invariants and conservation hold after each batch.
   */
  it(
    'concurrent batches of writes never double-apply a key nor overdraw',
    async () => {
      const batchArb = fc.array(writeArb, { minLength: 1, maxLength: 6, size: 'max' });
      await fc.assert(
        fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 8, size: 'max' }), runConcurrentBatches),
        { numRuns: Math.ceil(RUNS * 0.4), interruptAfterTimeLimit: BUDGET / 2, markInterruptAsFailure: true },
      );
    },
    BUDGET / 2 + 60_000,
  );
});
