import type { Ledger } from './ledger/index.js';
import type { Logger } from './observability/logger.js';

/**
 * Runs the ledger's due work (activation, hold release, expiry) every `intervalMs`. Each change
 * is its own idempotent transaction, so a tick that overlaps another process's tick is harmless.
 */
export function startScheduler(ledger: Ledger, logger: Logger, intervalMs: number): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = ledger
      .runDue()
      .then((work) => {
        if (work.activated || work.released || work.expired) logger.info('scheduler tick', { ...work });
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
