/**
 * (a) Ledger transfers per second, through the ledger module on a real SQLite file: earns spread
 * over 1,000 members one transaction each, 50 concurrent callers (group commit), 100 `w.post`
 * per `commit`, the batched path (`w.postMany(earnMany, …)`, set-based statements for 1,000 earns
 * per `commit`: core/ledger/earn-batch.ts), and a mixed earn/spend workload. Each phase stops at a transfer count or a time limit, whichever is first.
 */
import { createWriteBoundary } from '../core/commit/commit.js';
import { LedgerError, checkLedgerInvariants, earn as earnOp, earnMany, spend as spendOp } from '../core/ledger/index.js';
import type { Applied, CreditOperation, LockingOperation } from '../core/ledger/operation.js';
import { enrollMember } from '../core/members/members.js';
import { openStore } from '../core/storage/open-store.js';
import { prng, summarize, type Summary } from './stats.js';
import { tempDir } from './temp-dir.js';

export const LEDGER_TARGET_PER_SECOND = 20_000;

export interface LedgerPhase {
  transfers: number;
  seconds: number;
  perSecond: number;
  /** Per transaction, ms (one transfer, or one batch when batched). */
  latency: Summary;
}

export interface LedgerThroughputResult {
  members: number;
  single: LedgerPhase;
  /** `callers` concurrent earn commits at a time, each its own transaction (group-committed). */
  concurrent: LedgerPhase & { callers: number };
  batched: LedgerPhase & { batchSize: number };
  /** `w.postMany(earnMany, inputs)`: `batchSize` earns in set-based statements per commit. */
  postMany: LedgerPhase & { batchSize: number };
  mixed: LedgerPhase & { earns: number; spends: number; refused: number };
  invariants: { violations: string[]; transfers: number; seconds: number };
}

export interface LedgerThroughputOptions {
  members?: number;
  /** Upper bound on each phase's duration. */
  phaseSeconds?: number;
  maxTransfers?: number;
  batchSize?: number;
  /** Earns per `w.postMany` (default 1,000). */
  postManySize?: number;
}

const why = { source: 'api', actor: 'bench' } as const;

/** Runs `step` until `max` transfers are done or the time is up; each call is one timed transaction. */
async function timed(max: number, seconds: number, perStep: number, step: (i: number) => Promise<void>): Promise<LedgerPhase> {
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let done = 0;
  while (done < max && performance.now() < deadline) {
    const t = performance.now();
    await step(done);
    latencies.push(performance.now() - t);
    done += perStep;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { transfers: done, seconds: elapsed, perSecond: done / elapsed, latency: summarize(latencies) };
}

export async function ledgerThroughput(options: LedgerThroughputOptions = {}): Promise<LedgerThroughputResult> {
  const memberCount = options.members ?? 1_000;
  const phaseSeconds = options.phaseSeconds ?? 5;
  const maxTransfers = options.maxTransfers ?? 200_000;
  const batchSize = options.batchSize ?? 100;
  const postManySize = options.postManySize ?? 1_000;
  const tmp = tempDir('ledger');
  const store = await openStore(tmp.file('ledger.db'));
  try {
    const { commit } = createWriteBoundary(store);
    const members = await commit('bench', async (w) => {
      const ids: string[] = [];
      for (let i = 0; i < memberCount; i++) ids.push((await enrollMember(w, { firstName: `m${i}` })).id);
      return ids;
    });
    const post = <I>(op: CreditOperation<I> | LockingOperation<I, Applied>, input: I) => commit('bench', (w) => w.post(op, input));
    const random = prng(42);
    const pick = () => members[Math.floor(random() * members.length)]!;
    let key = 0;
    const earn = (memberId: string, points = 10) => ({ memberId, points, idempotencyKey: `bench:${key++}`, why });

    // Warm-up (JIT, statement caches, page cache): two earns per member, not measured.
    for (let i = 0; i < 2 * memberCount; i++) await post(earnOp, earn(members[i % memberCount]!));

    const single = await timed(maxTransfers, phaseSeconds, 1, async () => {
      await post(earnOp, earn(pick()));
    });

    // What a server sees: many requests at once, each its own ledger transaction. The SQLite
    // store commits the ones that queue up together (group commit).
    const callers = 50;
    const concurrent = await timed(maxTransfers, phaseSeconds, callers, async () => {
      await Promise.all(Array.from({ length: callers }, () => post(earnOp, earn(pick()))));
    });

    const batched = await timed(maxTransfers, phaseSeconds, batchSize, async () => {
      await commit('bench', async (w) => {
        for (let j = 0; j < batchSize; j++) await w.post(earnOp, earn(pick()));
      });
    });

    // The batched path: one commit, one set of multi-row statements for the whole batch.
    const postMany = await timed(maxTransfers, phaseSeconds, postManySize, async () => {
      const inputs = Array.from({ length: postManySize }, () => earn(pick()));
      await commit('bench', (w) => w.postMany(earnMany, inputs));
    });

    // Half earns of 10, half spends of 3, on random members. Every member holds ≥ 20 points from
    // the warm-up, so a refused spend would be a surprise; it is counted, not hidden.
    let earns = 0;
    let spends = 0;
    let refused = 0;
    const mixed = await timed(maxTransfers, phaseSeconds, 1, async () => {
      const memberId = pick();
      if (random() < 0.5) {
        await post(earnOp, earn(memberId));
        earns++;
        return;
      }
      try {
        await post(spendOp, { memberId, points: 3, idempotencyKey: `bench:${key++}`, why });
        spends++;
      } catch (error) {
        if (!(error instanceof LedgerError) || error.code !== 'insufficient_points') throw error;
        refused++;
      }
    });

    // A fast ledger that breaks its invariants is not a result: replay the whole database.
    const t = performance.now();
    const violations = await checkLedgerInvariants(store.db);
    const invariants = { violations, transfers: key, seconds: (performance.now() - t) / 1000 };

    return { members: memberCount, single, concurrent: { ...concurrent, callers }, batched: { ...batched, batchSize }, postMany: { ...postMany, batchSize: postManySize }, mixed: { ...mixed, earns, spends, refused }, invariants };
  } finally {
    await store.close();
    tmp.remove();
  }
}
