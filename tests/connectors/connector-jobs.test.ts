/**
 * Connectors' scheduled work (docs/adding-a-connector.md, "Scheduled work"): a job runs when due,
 * not again before its interval — also after a restart on the same database —, a failure is
 * logged and tried again on the next tick, and a disabled connector's jobs never run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createHub, type Hub } from '../../core/hub.js';
import { createLogger } from '../../core/observability/logger.js';
import { startScheduler } from '../../core/scheduler.js';
import { tempDatabase, type TempDatabase } from '../helpers/temp-database.js';
import { testClock } from '../helpers/test-store.js';

const HOUR = 60 * 60 * 1000;

function renewingConnector(runs: number[], fail: { next: boolean }): ConnectorDefinition {
  return {
    name: 'renewer',
    title: 'Renewer',
    directions: ['inbound'],
    config: [{ env: 'RENEWER_TOKEN', secret: true, required: true, description: 'token' }],
    createJobs: (_env, services) => [
      {
        name: 'refresh-webhook',
        everyMs: 24 * HOUR,
        async run(now) {
          if (fail.next) {
            fail.next = false;
            throw new Error('platform answered 503');
          }
          runs.push(now);
          await services.state.set('expires', String(now + 7 * 24 * HOUR));
        },
      },
    ],
  };
}

describe('connector jobs', () => {
  let database: TempDatabase;
  const hubs: Hub[] = [];
  afterEach(async () => {
    for (const hub of hubs.splice(0)) await hub.close();
    await database?.dispose();
  });

  async function start(def: ConnectorDefinition, env: Record<string, string>, clock: () => number, lines: string[] = []) {
    const hub = await createHub({
      connectors: [def],
      clock,
      logger: createLogger({ write: (line) => lines.push(line) }),
      env: { DATABASE_URL: database.url, ADMIN_API_KEY: 'test-admin-key-0123456789', ...env },
    });
    hubs.push(hub);
    return hub;
  }

  it('runs a job when due, not again within its interval, also after a restart', async () => {
    database = await tempDatabase();
    const clock = testClock(Date.parse('2026-03-01T00:00:00Z'));
    const runs: number[] = [];
    const def = renewingConnector(runs, { next: false });
    const hub = await start(def, { RENEWER_TOKEN: 't' }, clock);
    expect(hub.connectorJobs.names).toEqual(['renewer/refresh-webhook']);

    expect(await hub.connectorJobs.runDue(clock())).toBe(1);
    clock.advance(23 * HOUR);
    expect(await hub.connectorJobs.runDue(clock())).toBe(0);

    // A second process (or a restart) on the same database knows the job ran.
    const restarted = await start(def, { RENEWER_TOKEN: 't' }, clock);
    expect(await restarted.connectorJobs.runDue(clock())).toBe(0);
    clock.advance(HOUR);
    expect(await restarted.connectorJobs.runDue(clock())).toBe(1);
    expect(runs).toEqual([Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-03-02T00:00:00Z')]);
  });

  it('logs a failed run and tries it again on the next tick', async () => {
    database = await tempDatabase();
    const clock = testClock(Date.parse('2026-03-01T00:00:00Z'));
    const runs: number[] = [];
    const lines: string[] = [];
    const hub = await start(renewingConnector(runs, { next: true }), { RENEWER_TOKEN: 't' }, clock, lines);

    expect(await hub.connectorJobs.runDue(clock())).toBe(0);
    const failure = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'connector job failed');
    expect(failure).toMatchObject({ level: 'error', connector: 'renewer', job: 'refresh-webhook', error: { message: 'platform answered 503' } });

    clock.advance(60_000);
    expect(await hub.connectorJobs.runDue(clock())).toBe(1);
    expect(runs).toEqual([clock()]);
  });

  it('is run by the scheduler: its first tick runs a due job, and says so in the tick line', async () => {
    database = await tempDatabase();
    const clock = testClock(Date.parse('2026-03-01T00:00:00Z'));
    const runs: number[] = [];
    const lines: string[] = [];
    const hub = await start(renewingConnector(runs, { next: false }), { RENEWER_TOKEN: 't' }, clock, lines);
    const stop = startScheduler(hub, 60_000);
    await expect.poll(() => runs.length).toBe(1);
    await stop();
    const tick = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'scheduler tick');
    expect(tick).toMatchObject({ connectorJobs: 1 });
    expect(await hub.connectorJobs.runDue(clock())).toBe(0);
  });

  it('never runs the jobs of a disabled connector', async () => {
    database = await tempDatabase();
    const clock = testClock();
    const runs: number[] = [];
    const hub = await start(renewingConnector(runs, { next: false }), {}, clock);
    expect(hub.connectorJobs.names).toEqual([]);
    expect(await hub.connectorJobs.runDue(clock())).toBe(0);
    expect(runs).toEqual([]);
  });
});
