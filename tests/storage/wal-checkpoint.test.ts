import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { tablesOf } from '../../core/storage/prepared.js';
import { CHECKPOINT_THREAD_AFTER_COMMITS, openSqlite } from '../../core/storage/open-sqlite.js';

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
    // A gap between bursts, as real traffic has: the checkpoint thread (started at the store's
    // 32nd commit) gets it to catch up. It is waited for rather than timed, since a loaded
    // machine may take a second to start the thread.
    if ((i + 1) % CHECKPOINT_THREAD_AFTER_COMMITS === 0) await checkpointCaughtUp(file);
  }
  // 8 MB went through the WAL. The writer's own checkpoint now waits for ~40 MB, so without the
  // thread the WAL would hold all of it and checkpointCaughtUp would time out; with it, the WAL
  // restarts from its beginning after each gap.
  expect(largestWal).toBeLessThan(4 * 1024 * 1024);
  await store.close();

  const reopened = openSqlite(file);
  const rows = await reopened.db.select({ id: tablesOf(reopened.db).apiKeys.id }).from(tablesOf(reopened.db).apiKeys);
  expect(rows).toHaveLength(256);
  await reopened.close();
});

/**
 * Waits until every frame in the WAL has been copied into the database, as SQLite's shared-memory
 * index records it: `mxFrame` (offset 16 of the WAL-index header) against `nBackfill` (offset 96,
 * after the header's two 48-byte copies), in the machine's byte order. Reading the index changes
 * nothing; only the checkpoint thread can make the two meet, since the writer's backstop is far off.
 */
async function checkpointCaughtUp(file: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const header = Buffer.alloc(100);
  for (;;) {
    const fd = openSync(`${file}-shm`, 'r');
    try {
      readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
    const read = (offset: number) => (endianness() === 'LE' ? header.readUInt32LE(offset) : header.readUInt32BE(offset));
    if (read(96) >= read(16)) return;
    if (Date.now() > deadline) throw new Error(`the WAL is ${read(16)} frames, only ${read(96)} checkpointed after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
