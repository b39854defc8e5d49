/**
 * Connectors' scheduled work (docs/adding-a-connector.md, "Scheduled work"): each enabled
 * connector's `createJobs` jobs, run by the scheduler's tick. A job's last successful run is kept
 * in the connector's state (under a key of the core's, `core:job:<name>`), so a restart or a
 * second hub process does not run it again before `everyMs` has passed; the scheduler's tick
 * already runs in one process at a time (core/scheduler.ts).
 */
import type { Logger } from '../observability/logger.js';
import { describeError } from '../observability/describe-error.js';
import type { ConnectorDefinition, ConnectorJob, ConnectorState, InboundServices } from './definition.js';

export interface ConnectorJobs {
  /** `<connector>/<job>` for every job of an enabled connector. */
  readonly names: string[];
  /** Runs every job that is due; answers how many ran and succeeded. A failure is logged, not thrown. */
  runDue(now: number): Promise<number>;
}

interface BoundJob {
  connector: string;
  job: ConnectorJob;
  state: ConnectorState;
}

const lastRunKey = (job: ConnectorJob): string => `core:job:${job.name}`;

export function createConnectorJobs(
  definitions: readonly ConnectorDefinition[],
  env: Record<string, string | undefined>,
  servicesOf: (def: ConnectorDefinition) => InboundServices | undefined,
  logger: Logger,
): ConnectorJobs {
  const jobs: BoundJob[] = [];
  for (const def of definitions) {
    const services = def.createJobs && servicesOf(def);
    if (!services) continue;
    for (const job of def.createJobs!(env, services)) {
      if (!(Number.isSafeInteger(job.everyMs) && job.everyMs > 0)) throw new Error(`connectors/${def.name}: job "${job.name}" needs everyMs, a positive whole number of milliseconds`);
      if (jobs.some((j) => j.connector === def.name && j.job.name === job.name)) throw new Error(`connectors/${def.name}: two jobs named "${job.name}"`);
      jobs.push({ connector: def.name, job, state: services.state });
    }
  }
  return {
    names: jobs.map((j) => `${j.connector}/${j.job.name}`),
    async runDue(now) {
      let ran = 0;
      for (const { connector, job, state } of jobs) {
        const last = Number(await state.get(lastRunKey(job)));
        if (Number.isFinite(last) && now - last < job.everyMs) continue;
        try {
          await job.run(now);
          await state.set(lastRunKey(job), String(now));
          ran++;
        } catch (error) {
          // Tried again on the next tick; the connector's own log lines say what it was doing.
          logger.error('connector job failed', { connector, job: job.name, error: describeError(error) });
        }
      }
      return ran;
    },
  };
}
