/**
 * WAL checkpoints on their own thread. SQLite's automatic checkpoint runs inside the COMMIT that
 * fills the WAL past `wal_autocheckpoint` pages, so every few batches one request's commit also
 * copied 4 MB back into the database file and synced it — on the thread that serves every
 * request. Here a worker thread with its own connection runs `wal_checkpoint(PASSIVE)` every
 * `everyMs`: it never blocks the writer, and once it has copied every frame the next write
 * restarts the WAL from its beginning, so the file stays small. The writer keeps a backstop
 * (`BACKSTOP_PAGES`): if the worker falls behind or fails, the commit that passes it checkpoints
 * as before (docs/architecture.md, "Group commit").
 */
import { Worker } from 'node:worker_threads';

/** The writer's own `wal_autocheckpoint` while the worker runs: ~40 MB of WAL. */
export const BACKSTOP_PAGES = 10_000;

export interface WalCheckpointer {
  /** Stops the worker after its current round; resolves once its connection is closed. */
  stop(): Promise<void>;
}

export function startWalCheckpointer(file: string, everyMs = 50): WalCheckpointer {
  const worker = new Worker(new URL('./wal-checkpoint-worker.mjs', import.meta.url), { workerData: { file, everyMs } });
  // The process may exit while the worker idles between rounds (the writer's close checkpoints).
  worker.unref();
  // A worker that cannot open the file leaves the writer's backstop in charge; nothing is lost.
  worker.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Held again while stopping: an unref'd worker would let the loop end before it answers.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
