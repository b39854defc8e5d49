/**
 * (c) `POST /v1/events` over HTTP at 50 concurrent connections: the real server
 * (`loyalty-hub serve`, its own process) next to a bare Hono handler doing comparable minimal work
 * (bare-server.ts, its own process), both loaded by autocannon from this process. Both are warmed
 * up, then measured alternately (bare, hub, bare, hub, …); the figures are medians of the runs.
 * Every request carries its own event id, spread over 1,000 members enrolled through the API.
 */
import Database from 'better-sqlite3';
import { runLoad, type LoadResult } from './load.js';
import { freePort, startServer, type Server } from './processes.js';
import { median } from './stats.js';
import { tempDir } from './temp-dir.js';

export const HTTP_RATIO_TARGET = 0.5;
export const HTTP_P99_TARGET_MS = 50;

export interface EventsHttpResult {
  connections: number;
  members: number;
  warmupSeconds: number;
  runSeconds: number;
  runs: LoadResult[];
  bare: { perSecond: number; p99: number };
  hub: { perSecond: number; p99: number; worstP99: number };
  /** median hub / median bare, and the median of hub/bare within each adjacent pair of runs. */
  ratio: number;
  pairRatios: number[];
  check: {
    hubStatusCodes: Record<string, number>;
    hubNon2xx: number;
    hubErrors: number;
    hub201: number;
    hubEventTransfers: number;
    bare201: number;
    bareRows: number;
  };
}

export interface EventsHttpOptions {
  connections?: number;
  members?: number;
  warmupSeconds?: number;
  runSeconds?: number;
  /** Runs per server. */
  runs?: number;
}

const API_KEY = 'bench-admin-key-0123456789abcdef';

async function enrollMembers(hub: Server, count: number): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const res = await fetch(`${hub.url}/v1/members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: `bench-${i}@example.com`, firstName: 'Bench', lastName: `Member ${i}` }),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status !== 201 || !body.id) throw new Error(`enroll ${i}: ${res.status} ${JSON.stringify(body)}`);
      ids[i] = body.id;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

function countRows(file: string, query: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(query).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function eventsHttp(options: EventsHttpOptions = {}): Promise<EventsHttpResult> {
  const connections = options.connections ?? 50;
  const memberCount = options.members ?? 1_000;
  const warmupSeconds = options.warmupSeconds ?? 3;
  const runSeconds = options.runSeconds ?? 8;
  const runCount = options.runs ?? 3;
  const tmp = tempDir('http');
  const hubDb = tmp.file('hub.db');
  const bareDb = tmp.file('bare.db');
  const servers: Server[] = [];
  try {
    const [barePort, hubPort] = [await freePort(), await freePort()];
    const bare = await startServer('bare server', ['--import', 'tsx', 'bench/bare-server.ts'], { PORT: String(barePort), BARE_DB: bareDb, BARE_KEY: API_KEY }, barePort);
    servers.push(bare);
    const hub = await startServer(
      'hub',
      ['--import', './bench/loopback-only.mjs', 'bin/loyalty-hub.mjs', 'serve', '--port', String(hubPort)],
      { DATABASE_URL: hubDb, ADMIN_API_KEY: API_KEY },
      hubPort,
    );
    servers.push(hub);

    const members = await enrollMembers(hub, memberCount);
    const eventBody = (tag: string) => (n: number) =>
      JSON.stringify({
        id: `${tag}-${n}`,
        type: 'activity',
        name: 'review.posted',
        customer: { memberId: members[n % members.length] },
        points: 10,
        attributes: { channel: 'bench' },
      });
    const load = (server: Server, tag: string, seconds: number) =>
      runLoad({ label: tag, url: server.url, path: '/v1/events', apiKey: API_KEY, connections, seconds, body: eventBody(tag) });

    const warmups = [await load(bare, 'warmup-bare', warmupSeconds), await load(hub, 'warmup-hub', warmupSeconds)];
    const runs: LoadResult[] = [];
    for (let i = 0; i < runCount; i++) {
      runs.push(await load(bare, `bare-${i + 1}`, runSeconds));
      runs.push(await load(hub, `hub-${i + 1}`, runSeconds));
    }
    await hub.stop();
    await bare.stop();

    const hubRuns = runs.filter((r) => r.label.startsWith('hub'));
    const bareRuns = runs.filter((r) => r.label.startsWith('bare'));
    const hubAll = [...warmups, ...runs].filter((r) => r.label.includes('hub'));
    const bareAll = [...warmups, ...runs].filter((r) => r.label.includes('bare'));
    const hubStatusCodes: Record<string, number> = {};
    for (const r of hubAll) for (const [code, count] of Object.entries(r.statusCodes)) hubStatusCodes[code] = (hubStatusCodes[code] ?? 0) + count;

    const bareMedian = median(bareRuns.map((r) => r.perSecond));
    const hubMedian = median(hubRuns.map((r) => r.perSecond));
    const pairRatios = hubRuns.map((h, i) => h.perSecond / bareRuns[i]!.perSecond);
    return {
      connections,
      members: memberCount,
      warmupSeconds,
      runSeconds,
      runs: [...warmups, ...runs],
      bare: { perSecond: bareMedian, p99: median(bareRuns.map((r) => r.p99)) },
      hub: { perSecond: hubMedian, p99: median(hubRuns.map((r) => r.p99)), worstP99: Math.max(...hubRuns.map((r) => r.p99)) },
      ratio: hubMedian / bareMedian,
      pairRatios,
      check: {
        hubStatusCodes,
        hubNon2xx: hubAll.reduce((a, r) => a + r.non2xx, 0),
        hubErrors: hubAll.reduce((a, r) => a + r.errors + r.timeouts, 0),
        hub201: hubStatusCodes['201'] ?? 0,
        hubEventTransfers: countRows(hubDb, "SELECT count(*) AS n FROM transfers WHERE source = 'event'"),
        bare201: bareAll.reduce((a, r) => a + (r.statusCodes['201'] ?? 0), 0),
        bareRows: countRows(bareDb, 'SELECT count(*) AS n FROM events'),
      },
    };
  } finally {
    for (const server of servers) await server.stop();
    tmp.remove();
  }
}
