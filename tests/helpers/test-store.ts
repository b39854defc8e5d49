import { afterEach, beforeEach, expect } from 'vitest';
import { createWriteBoundary, type Commit } from '../../core/commit/commit.js';
import { Ledger, checkLedgerInvariants } from '../../core/ledger/index.js';
import { enrollMember, type MemberProfile } from '../../core/members/members.js';
import { openStore } from '../../core/storage/open-store.js';
import type { Store } from '../../core/storage/store.js';
import { ledgerWrites, type LedgerWrites } from './ledger-writes.js';
import { tempDatabase } from './temp-database.js';

/**
 * Opens a real, migrated, empty database of the project's backend: a SQLite file in a fresh
 * temporary directory, or a fresh PostgreSQL database on the test server.
 */
export async function openTempStore(): Promise<{ store: Store; url: string; dispose: () => Promise<void> }> {
  const db = await tempDatabase();
  const store = await openStore(db.url);
  return {
    store,
    url: db.url,
    dispose: async () => {
      await store.close();
      await db.dispose();
    },
  };
}

export interface TestClock {
  (): number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function testClock(start = Date.parse('2026-01-01T00:00:00Z')): TestClock {
  let now = start;
  const clock = (() => now) as TestClock;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.set = (ms) => {
    now = ms;
  };
  return clock;
}

export interface LedgerHarness {
  store: Store;
  clock: TestClock;
  /** The write boundary, on the test clock. */
  commit: Commit;
  /** Reads and the scheduler's due work. */
  ledger: Ledger;
  /** One operation per commit (actor `test`). */
  write: LedgerWrites;
  enroll(profile?: MemberProfile & { aliases?: string[] }): ReturnType<typeof enrollMember>;
}

/**
 * Per test: a ledger on a fresh real SQLite file, with a controllable clock. After each test
 * the ledger invariants are checked over the whole database, so a scenario that leaves the
 * ledger inconsistent fails even if its own assertions pass.
 */
export function ledgerHarness(): LedgerHarness {
  const h = {} as LedgerHarness;
  let dispose: () => Promise<void> = async () => {};
  beforeEach(async () => {
    const temp = await openTempStore();
    dispose = temp.dispose;
    h.store = temp.store;
    h.clock = testClock();
    h.commit = createWriteBoundary(h.store, h.clock).commit;
    h.ledger = new Ledger(h.store, h.commit, h.clock);
    h.write = ledgerWrites(h.commit);
    h.enroll = (profile = {}) => h.commit('test', (w) => enrollMember(w, profile));
  });
  afterEach(async () => {
    try {
      expect(await checkLedgerInvariants(h.store.db)).toEqual([]);
    } finally {
      await dispose();
    }
  });
  return h;
}

export const DAY = 24 * 60 * 60 * 1000;
