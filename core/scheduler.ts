import type { Ledger } from './ledger/index.js';
import type { Logger } from './observability/logger.js';
import type { Store } from './storage/store.js';

/**
 * Runs the ledger's due work (activation, hold release, expiry) every `intervalMs`, in one
 * process at a time when several share a PostgreSQL database (an advisory lock; the others skip
 * the tick). Each change is its own idempotent transaction besides, so an overlap would be
 * harmless, only wasted work.
 */
export function startScheduler(store: Store, ledger: Ledger, logger: Logger, intervalMs: number): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = store
      .exclusive('loyalty-hub:scheduler', () => ledger.runDue())
      .then((work) => {
        if (work && (work.activated || work.released || work.expired)) logger.info('scheduler tick', { ...work });
      })
      .catch((error: unknown) => logger.error('scheduler tick failed', { error: String(error) }))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
