/**
 * The invariant checker is not vacuous: on a small valid ledger it reports nothing, and each
 * corruption written straight into the database (bypassing the ledger) is reported under the
 * invariant it breaks. Corruptions go through a second, raw better-sqlite3 connection to the same
 * file, or through `store.transaction` with Drizzle — never through the ledger's own operations.
 *
 * This file does not use `ledgerHarness()`: its after-each check expects a clean ledger.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkLedgerInvariants, type TransferRow } from '../../core/ledger/index.js';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Store } from '../../core/storage/store.js';
import { rawSql } from '../helpers/temp-database.js';
import { DAY, openTempStore, testClock, type TestClock } from '../helpers/test-store.js';
import { testLedger } from '../helpers/ledger-writes.js';

const why = { source: 'api' as const };

/** The fixture: what each test may corrupt. */
interface Fixture {
  ann: string;
  bob: string;
  earn: TransferRow; // 100 to Ann, expires in 30 days
  pendingEarn: TransferRow; // 50 to Ann, pending for 14 days
  spend: TransferRow; // Ann spends 30 …
  spendReversal: TransferRow; // … and 10 of them come back
  openHold: TransferRow; // 20 held, still open
  capturedHold: TransferRow; // 10 held …
  capture: TransferRow; // … of which 6 captured, 4 released
  bobEarn: TransferRow; // 40 to Bob
}

let store: Store;
let clock: TestClock;
let dispose: () => Promise<void>;
let url: string;
let f: Fixture;

beforeEach(async () => {
  ({ store, url, dispose } = await openTempStore());
  clock = testClock();
  const ledger = testLedger(store, clock);
  const enroll = async () => (await ledger.enroll()).id;
  const ann = await enroll();
  const bob = await enroll();
  const now = clock();
  const earn = await ledger.earn({ memberId: ann, points: 100, expiresAt: now + 30 * DAY, idempotencyKey: 'earn', why });
  const pendingEarn = await ledger.earn({ memberId: ann, points: 50, activatesAt: now + 14 * DAY, idempotencyKey: 'pending', why });
  const spend = await ledger.spend({ memberId: ann, points: 30, idempotencyKey: 'spend', why });
  const spendReversal = await ledger.reverse({ transferId: spend.transfer.id, points: 10, idempotencyKey: 'reverse', why });
  const openHold = await ledger.lock({ memberId: ann, points: 20, expiresAt: now + DAY, idempotencyKey: 'hold-open', why });
  const capturedHold = await ledger.lock({ memberId: ann, points: 10, expiresAt: now + DAY, idempotencyKey: 'hold-captured', why });
  const capture = await ledger.capture({ lockId: capturedHold.transfer.id, points: 6, idempotencyKey: 'capture', why });
  await ledger.adjust({ memberId: ann, points: 5, idempotencyKey: 'adjust+', why: { source: 'admin', reason: 'goodwill' } });
  await ledger.adjust({ memberId: ann, points: -5, idempotencyKey: 'adjust-', why: { source: 'admin', reason: 'undo goodwill' } });
  const bobEarn = await ledger.earn({ memberId: bob, points: 40, idempotencyKey: 'bob-earn', why });
  f = {
    ann,
    bob,
    earn: earn.transfer,
    pendingEarn: pendingEarn.transfer,
    spend: spend.transfer,
    spendReversal: spendReversal.transfer,
    openHold: openHold.transfer,
    capturedHold: capturedHold.transfer,
    capture: capture.transfer,
    bobEarn: bobEarn.transfer,
  };
  // The corruptions below are only meaningful if the fixture itself is clean.
  expect(await checkLedgerInvariants(store.db)).toEqual([]);
});

afterEach(async () => {
  await dispose();
});

/** Runs SQL on a separate raw connection to the store's file, outside the ledger. */
function raw(sql: string, ...params: unknown[]): Promise<void> {
  return rawSql(url, sql, ...params);
}

/** A copy of `t` as a new transfer row, with `changes` applied (for raw inserts). */
function copyOf(t: TransferRow, changes: Partial<TransferRow>): Omit<TransferRow, 'seq'> {
  const { seq: _seq, ...rest } = t;
  return { ...rest, id: `${t.id}-copy`, idempotencyKey: `${t.idempotencyKey}-copy`, ...changes };
}

async function violations(): Promise<string[]> {
  return checkLedgerInvariants(store.db);
}

/** The checker reports at least one violation that starts with `invariant` and matches `detail`. */
async function expectViolation(invariant: 'I1' | 'I2' | 'I3' | 'I4' | 'I5', detail: RegExp): Promise<void> {
  const found = await violations();
  expect(found.some((v) => v.startsWith(`${invariant} `) && detail.test(v)), `${invariant} ${detail} in ${JSON.stringify(found, null, 2)}`).toBe(true);
}

describe('checkLedgerInvariants', () => {
  it('reports nothing on a valid ledger, also after activation, release and expiry', async () => {
    expect(await violations()).toEqual([]);
    clock.advance(40 * DAY);
    const work = await testLedger(store, clock).runDue();
    expect(work).toEqual({ activated: 1, released: 1, expired: 1 });
    expect(await violations()).toEqual([]);
  });

  describe('I1 every transfer balances', () => {
    it('a transfer of zero points', async () => {
      await store.transaction((tx) => tx.insert(tablesOf(tx).transfers).values(copyOf(f.bobEarn, { kind: 'adjust', amount: 0, lotId: null })));
      await expectViolation('I1', /: amount 0 is not a positive integer/);
    });

    it('a negative transfer', async () => {
      await raw('UPDATE transfers SET amount = -40 WHERE id = ?', f.bobEarn.id);
      await expectViolation('I1', /: amount -40 is not a positive integer/);
    });

    it("a transfer that moves points out of another member's account", async () => {
      await raw('UPDATE transfers SET debit_account = ? WHERE id = ?', `member:${f.bob}`, f.spend.id);
      await expectViolation('I1', new RegExp(`account member:${f.bob} is not a program account nor member ${f.ann}'s`));
    });

    it('a transfer that debits and credits the same account', async () => {
      await raw('UPDATE transfers SET credit_account = debit_account WHERE id = ?', f.spend.id);
      await expectViolation('I1', /debits and credits the same account/);
    });

    it('a capture of more than the hold held', async () => {
      await raw('UPDATE transfers SET amount = 11 WHERE id = ?', f.capture.id);
      await expectViolation('I1', /captures 11 of a 10-point hold/);
    });

    it('a transfer of an unknown kind', async () => {
      await raw("UPDATE transfers SET kind = 'gift' WHERE id = ?", f.bobEarn.id);
      await expectViolation('I1', /unknown kind gift/);
    });

    it('a reversal of a transfer that does not exist', async () => {
      await raw("UPDATE transfers SET reverses_id = 'tr_nowhere' WHERE id = ?", f.spendReversal.id);
      await expectViolation('I1', /reverses unknown transfer tr_nowhere/);
    });
  });

  describe('I2 balances and lots equal the replay of history', () => {
    it("a balance's available bumped by one", async () => {
      await raw('UPDATE balances SET available = available + 1 WHERE member_id = ?', f.ann);
      await expectViolation('I2', new RegExp(`member ${f.ann}: available is \\d+, its history says \\d+`));
    });

    it("a balance's lifetimeEarned changed (a field no lot holds)", async () => {
      await store.transaction((tx) => tx.update(tablesOf(tx).balances).set({ lifetimeEarned: 1 }).where(eq(tablesOf(tx).balances.memberId, f.bob)));
      await expectViolation('I2', new RegExp(`member ${f.bob}: lifetimeEarned is 1, its history says 40`));
    });

    it("a lot's remaining changed", async () => {
      await raw('UPDATE lots SET remaining = remaining + 7 WHERE id = ?', f.bobEarn.lotId);
      await expectViolation('I2', new RegExp(`lot ${f.bobEarn.lotId}: parts do not add up to 40`));
    });

    it("a lot's parts shuffled (the sum still adds up, the movements do not)", async () => {
      await raw('UPDATE lots SET remaining = remaining - 1, spent = spent + 1 WHERE id = ?', f.bobEarn.lotId);
      await expectViolation('I2', new RegExp(`lot ${f.bobEarn.lotId}: remaining is 39, its movements say 40`));
    });

    it('a lot movement deleted', async () => {
      await raw('DELETE FROM lot_movements WHERE transfer_id = ?', f.spend.id);
      await expectViolation('I2', new RegExp(`lot ${f.earn.lotId}: spent is \\d+, its movements say -?\\d+`));
    });

    it("a lot's creating movement deleted", async () => {
      await raw("DELETE FROM lot_movements WHERE lot_id = ? AND kind = 'earn'", f.bobEarn.lotId);
      await expectViolation('I2', new RegExp(`lot ${f.bobEarn.lotId} has no creating movement`));
    });

    it('a lot whose status contradicts its movements', async () => {
      await raw("UPDATE lots SET status = 'closed' WHERE id = ?", f.bobEarn.lotId);
      await expectViolation('I2', new RegExp(`lot ${f.bobEarn.lotId}: status closed, its movements say active`));
    });

    it('a member with transfers but no balance row', async () => {
      await raw('DELETE FROM balances WHERE member_id = ?', f.bob);
      await expectViolation('I2', new RegExp(`member ${f.bob} has transfers but no balance row`));
    });
  });

  describe('I3 a reversal never takes back more than the original moved', () => {
    it('a second reversal that, with the first, returns more than was spent', async () => {
      // 30 spent, 10 already returned; another 25 would return 35.
      await store.transaction((tx) => tx.insert(tablesOf(tx).transfers).values(copyOf(f.spendReversal, { amount: 25 })));
      await expectViolation('I3', new RegExp(`${f.spend.id}: reversed 35 of 30`));
    });

    it('a reversal enlarged beyond its original', async () => {
      await raw('UPDATE transfers SET amount = 31 WHERE id = ?', f.spendReversal.id);
      await expectViolation('I3', new RegExp(`${f.spend.id}: reversed 31 of 30`));
    });
  });

  describe('I4 applied once, resolved once, open or resolved', () => {
    it('the open_holds row of an open hold deleted', async () => {
      await raw('DELETE FROM open_holds WHERE transfer_id = ?', f.openHold.id);
      await expectViolation('I4', new RegExp(`hold ${f.openHold.id} is neither resolved nor open`));
    });

    it('a captured hold open again', async () => {
      await store.transaction((tx) =>
        tx.insert(tablesOf(tx).openHolds).values({ transferId: f.capturedHold.id, memberId: f.ann, amount: 10, expiresAt: clock() + DAY }),
      );
      await expectViolation('I4', new RegExp(`hold ${f.capturedHold.id} is resolved but still open`));
    });

    it('a hold resolved twice (with the unique index on pending_id gone)', async () => {
      await raw('DROP INDEX transfers_pending_id_uq');
      await store.transaction((tx) => tx.insert(tablesOf(tx).transfers).values(copyOf(f.capture, { kind: 'unlock', amount: 10 })));
      await expectViolation('I4', new RegExp(`pending transfer ${f.capturedHold.id} resolved twice`));
    });

    it('an idempotency key applied twice (with its unique index gone)', async () => {
      await raw('DROP INDEX transfers_idempotency_key_uq');
      await store.transaction((tx) => tx.insert(tablesOf(tx).transfers).values(copyOf(f.bobEarn, { idempotencyKey: f.bobEarn.idempotencyKey })));
      await expectViolation('I4', /idempotency key bob-earn applied twice/);
    });
  });

  describe('I5 no balance field is negative', () => {
    it('a negative balance field', async () => {
      await raw('UPDATE balances SET expired = -3 WHERE member_id = ?', f.bob);
      await expectViolation('I5', new RegExp(`member ${f.bob}: expired is negative \\(-3\\)`));
    });

    it('an overdraft recorded consistently in the balance', async () => {
      // Bob's available goes below zero in the balance row as if a spend had ignored the check.
      await raw('UPDATE balances SET available = -10, spent = 50 WHERE member_id = ?', f.bob);
      await expectViolation('I5', new RegExp(`member ${f.bob}: available is negative \\(-10\\)`));
    });
  });

  it('I2: reports a movement of an unknown kind instead of crashing', async () => {
    await raw("UPDATE lot_movements SET kind = 'teleport' WHERE transfer_id = ?", f.spend.id);
    await expectViolation('I2', /unknown kind teleport/);
  });

  it('I2: reports a movement filed under another member', async () => {
    await raw('UPDATE lot_movements SET member_id = ? WHERE transfer_id = ?', f.bob, f.spend.id);
    await expectViolation('I2', new RegExp(`filed under member ${f.bob}`));
  });

  it('I2: reports a movement whose transfer does not exist', async () => {
    await raw("UPDATE lot_movements SET transfer_id = 'tr_missing' WHERE transfer_id = ?", f.spend.id);
    await expectViolation('I2', /unknown transfer tr_missing/);
  });
});
