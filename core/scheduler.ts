import type { Hub } from './hub.js';
import { runProgramDue } from './program/due-work.js';
import { runCelebrations } from './program/celebrations.js';
import { emitFailureDigests } from './outbox/failure-digest.js';
import { describeError } from './observability/describe-error.js';

/**
 * Runs the ledger's due work (activation, hold release, expiry), the program's (expiring
 * notices, tier reviews, unmatched refunds, birthdays and anniversaries:
 * core/program/celebrations.ts), the hourly digests of failed deliveries
 * (core/outbox/failure-digest.ts) and the connectors' jobs (renewing a platform's
 * webhook subscription: core/connectors/connector-jobs.ts) every `intervalMs`, in one
 * process at a time when several share a PostgreSQL database (an advisory lock; the others skip
 * the tick). Each change is its own idempotent transaction besides, so an overlap would be
 * harmless, only wasted work.
 */
export function startScheduler(hub: Pick<Hub, 'store' | 'commit' | 'clock' | 'ledger' | 'program' | 'logger' | 'connectorJobs'>, intervalMs: number): () => Promise<void> {
  const { store, ledger, program, logger, connectorJobs } = hub;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = store
      .exclusive('loyalty-hub:scheduler', async () => ({
        ...(await ledger.runDue()),
        ...(await runProgramDue(hub, program)),
        failureDigests: await emitFailureDigests(hub, hub.clock()),
        // A day that cannot be swept (logged) must not hold up the connectors' jobs; it is tried
        // again next tick, and left behind once older than its catch-up window.
        ...(await runCelebrations(hub, program).catch((error: unknown) => {
          logger.error('birthdays and anniversaries failed', { error: describeError(error) });
          return { birthdays: 0, anniversaries: 0 };
        })),
        connectorJobs: await connectorJobs.runDue(hub.clock()),
      }))
      .then((work) => {
        if (work && Object.values(work).some((n) => n > 0)) logger.info('scheduler tick', { ...work });
      })
      .catch((error: unknown) => logger.error('scheduler tick failed', { error: describeError(error) }))
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
