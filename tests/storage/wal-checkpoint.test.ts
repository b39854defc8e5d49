import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { tablesOf } from '../../core/storage/prepared.js';
import { openSqlite } from '../../core/storage/open-sqlite.js';

// The WAL is checkpointed by a thread of its own once a store writes in earnest, not inside the
// commit of whichever request filled it (docs/architecture.md, "Group commit").
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

it('keeps the WAL small while writing 8 MB, with no commit checkpointing it, and loses nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loyalty-hub-wal-'));
  dirs.push(dir);
  const file = join(dir, 'loyalty.db');
  const store = openSqlite(file);
  const padding = 'x'.repeat(32 * 1024);
  let largestWal = 0;
  for (let i = 0; i < 256; i++) {
    await store.transaction((tx) =>
      tx.insert(tablesOf(tx).apiKeys).values({ id: `k${i}`, name: padding, hash: `h${i}`, scopes: 'read', createdAt: i }),
    );
    largestWal = Math.max(largestWal, statSync(`${file}-wal`).size);
    // Room for the checkpoint thread's 50 ms rounds, as the gaps between real requests give it.
    if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 60));
  }
  // 8 MB went through the WAL. The writer's own checkpoint now waits for ~40 MB, so without the
  // thread the WAL would hold all of it; with it, the WAL restarts from its beginning.
  expect(largestWal).toBeLessThan(4 * 1024 * 1024);
  await store.close();

  const reopened = openSqlite(file);
  const rows = await reopened.db.select({ id: tablesOf(reopened.db).apiKeys.id }).from(tablesOf(reopened.db).apiKeys);
  expect(rows).toHaveLength(256);
  await reopened.close();
});
