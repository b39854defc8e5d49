import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../core/storage/open-store.js';
import type { Store } from '../../core/storage/store.js';
import { backend, tempDatabase, type TempDatabase } from '../helpers/temp-database.js';

describe('exclusive work (the scheduler runs in one process at a time)', () => {
  let database: TempDatabase;
  let a: Store;
  let b: Store;
  beforeEach(async () => {
    database = await tempDatabase();
    a = await openStore(database.url);
    // A second handle on the same database stands for a second hub process (its own pool).
    b = backend === 'pg' ? await openStore(database.url) : a;
  });
  afterEach(async () => {
    await a.close();
    if (b !== a) await b.close();
    await database.dispose();
  });

  it(backend === 'pg' ? 'lets one of two processes run it; the other skips' : 'always runs it: one process owns a SQLite file', async () => {
    let running = 0;
    let overlapped = false;
    const work = async () => {
      running++;
      if (running > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, 200));
      running--;
      return 'done';
    };
    const results = await Promise.all([a.exclusive('tick', work), b.exclusive('tick', work)]);
    if (backend === 'pg') {
      expect(results.filter((r) => r === 'done')).toHaveLength(1);
      expect(results).toContain(undefined);
      expect(overlapped).toBe(false);
      // Released afterwards: the next tick runs again.
      expect(await b.exclusive('tick', work)).toBe('done');
    } else {
      expect(results).toEqual(['done', 'done']);
    }
  });
});
