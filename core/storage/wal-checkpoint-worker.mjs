// The background WAL checkpointer's thread (core/storage/wal-checkpointer.ts). Plain JavaScript,
// so the worker loads without the TypeScript loader the main thread was started with.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, everyMs } = workerData;
const db = new Database(file, { fileMustExist: true });
// A checkpoint never waits for the writer: PASSIVE copies what it can and leaves the rest for
// the next round, and a busy database is simply tried again then.
db.pragma('busy_timeout = 0');
db.pragma('synchronous = NORMAL');

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY or a transient I/O error: the writer's own backstop checkpoint still runs.
  }
}, everyMs);

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
