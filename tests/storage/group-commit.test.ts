import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Store } from '../../core/storage/store.js';
import { openTempStore } from '../helpers/test-store.js';

describe('SQLite store transactions', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => ({ store, dispose } = await openTempStore()));
  const apiKeys = () => tablesOf(store.db).apiKeys;
  afterEach(() => dispose());

  const insertKey = (id: string) => (tx: Parameters<Parameters<Store['transaction']>[0]>[0]) =>
    tx.insert(tablesOf(tx).apiKeys).values({ id, name: id, hash: id, scopes: 'read', createdAt: 0 });

  it('commits concurrent transactions together, rolling back only the one that failed', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        store.transaction(async (tx) => {
          await insertKey(`k${i}`)(tx);
          if (i % 7 === 3) throw new Error(`refused ${i}`);
          return i;
        }),
      ),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    expect(failed).toEqual([3, 10, 17, 24]);
    expect(results[5]).toEqual({ status: 'fulfilled', value: 5 });
    const rows = await store.db.select({ id: apiKeys().id }).from(apiKeys());
    expect(rows.map((r) => r.id).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `k${i}`)
        .filter((_, i) => !failed.includes(i))
        .sort(),
    );
  });

  it('rolls back the first transactions of a group when they fail, and commits the ones after them', async () => {
    // The first of a group runs without a savepoint (core/storage/open-sqlite.ts): its failure rolls
    // the SQLite transaction back whole, and the next begins again, as first.
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store.transaction(async (tx) => {
          await insertKey(`f${i}`)(tx);
          if (i < 2 || i === 5) throw new Error(`refused ${i}`);
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { message: 'refused 0' } });
    const rows = await store.db.select({ id: apiKeys().id }).from(apiKeys());
    expect(rows.map((r) => r.id).sort()).toEqual(['f2', 'f3', 'f4', 'f6', 'f7']);
    // And alone: a lone transaction that fails leaves nothing, the next one commits.
    await expect(store.transaction(async (tx) => { await insertKey('alone')(tx); throw new Error('no'); })).rejects.toThrow('no');
    await store.transaction(insertKey('after'));
    expect((await store.db.select({ id: apiKeys().id }).from(apiKeys())).map((r) => r.id).sort()).toEqual(['after', 'f2', 'f3', 'f4', 'f6', 'f7']);
  });

  it('shows a transaction the writes of those committed before it, and readers only committed data', async () => {
    let seenInside: number | undefined;
    let seenByReader: number | undefined;
    await Promise.all([
      store.transaction(insertKey('first')),
      store.transaction(async (tx) => {
        seenInside = (await tx.select().from(apiKeys()).where(eq(apiKeys().id, 'first'))).length;
        await insertKey('second')(tx);
        seenByReader = (await store.db.select().from(apiKeys()).where(eq(apiKeys().id, 'second'))).length;
      }),
    ]);
    expect(seenInside).toBe(1);
    expect(seenByReader).toBe(0);
    expect((await store.db.select().from(apiKeys())).length).toBe(2);
  });

  it('undoes every write of a failed transaction, even after a constraint error inside it', async () => {
    await store.transaction(insertKey('dup'));
    await expect(
      store.transaction(async (tx) => {
        await insertKey('new')(tx);
        await insertKey('dup')(tx); // primary key violation
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect((await store.db.select().from(apiKeys())).map((r) => r.id)).toEqual(['dup']);
  });
});
