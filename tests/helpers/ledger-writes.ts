import { createWriteBoundary, type Commit } from '../../core/commit/commit.js';
import {
  adjust,
  capture,
  earn,
  lock,
  reverse,
  spend,
  unlock,
  type AdjustInput,
  type EarnInput,
  type LockInput,
  type Posted,
  type ResolveInput,
  type ReverseInput,
  type SpendInput,
  Ledger,
} from '../../core/ledger/index.js';
import type { Clock } from '../../core/ledger/types.js';
import { enrollMember, type MemberProfile } from '../../core/members/members.js';
import type { Store } from '../../core/storage/store.js';

/**
 * One ledger operation per commit, through the real write boundary — what a route does with
 * `commit(actor, (w) => w.post(op, input))`, named so a test reads as the scenario it is.
 */
export interface LedgerWrites {
  earn(input: EarnInput): Promise<Posted>;
  spend(input: SpendInput): Promise<Posted>;
  lock(input: LockInput): Promise<Posted>;
  capture(input: ResolveInput): Promise<Posted>;
  unlock(input: ResolveInput): Promise<Posted>;
  reverse(input: ReverseInput): Promise<Posted>;
  adjust(input: AdjustInput): Promise<Posted>;
}

export function ledgerWrites(commit: Commit, actor = 'test'): LedgerWrites {
  return {
    earn: (input) => commit(actor, (w) => w.post(earn, input)),
    spend: (input) => commit(actor, (w) => w.post(spend, input)),
    lock: (input) => commit(actor, (w) => w.post(lock, input)),
    capture: (input) => commit(actor, (w) => w.post(capture, input)),
    unlock: (input) => commit(actor, (w) => w.post(unlock, input)),
    reverse: (input) => commit(actor, (w) => w.post(reverse, input)),
    adjust: (input) => commit(actor, (w) => w.post(adjust, input)),
  };
}

/**
 * A ledger on `store` for tests that open their own database: the writes above plus the reads
 * and due work of `Ledger`, and `enroll`, all on the test's clock.
 */
export function testLedger(store: Store, clock: Clock) {
  const commit = createWriteBoundary(store, clock).commit;
  const ledger = new Ledger(store, commit, clock);
  return {
    ...ledgerWrites(commit),
    commit,
    balance: (memberId: string) => ledger.balance(memberId),
    expiring: (memberId: string) => ledger.expiring(memberId),
    history: (memberId: string, page: { limit: number; before?: number }) => ledger.history(memberId, page),
    runDue: (limit?: number) => ledger.runDue(limit),
    enroll: (profile: MemberProfile & { aliases?: string[] } = {}) => commit('test', (w) => enrollMember(w, profile)),
  };
}
export type TestLedger = ReturnType<typeof testLedger>;
