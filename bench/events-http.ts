/**
 * (c) `POST /v1/events` over HTTP at 50 concurrent connections: the real server
 * (`loyalty-hub serve`, its own process) next to two bare Hono handlers (bare-server.ts, each its
 * own process): **bare** does comparable minimal work and inserts one row (the baseline);
 * **bare-ledger** persists the same rows a ledger earn persists (member status read, transfer,
 * lot, lot movement, balance update; one transaction per request). All three are loaded by
 * autocannon from this process, warmed up, then measured alternately (bare, bare-ledger, hub,
 * bare, …); the figures are medians of the runs. Every request carries its own event id, spread
 * over 1,000 members enrolled through the hub's API (and copied into the bare-ledger database).
 */
import Database from 'better-sqlite3';
import { runLoad, type LoadResult } from './load.js';
import { freePort, startServer, type Server } from './processes.js';
import { median } from './stats.js';
import { tempDir } from './temp-dir.js';

export const HTTP_RATIO_TARGET = 0.5;
export const HTTP_P99_TARGET_MS = 50;

export type HttpServerKind = 'bare' | 'bareLedger' | 'hub';

/** Medians over one server's measured runs. */
export interface ServerFigures {
  perSecond: number;
  p99: number;
  worstP99: number;
}

export interface EventsHttpResult {
  connections: number;
  members: number;
  warmupSeconds: number;
  runSeconds: number;
  /** Warm-ups, then the measured runs in the order they ran. */
  runs: (LoadResult & { server: HttpServerKind; warmup: boolean })[];
  bare: ServerFigures;
  bareLedger: ServerFigures;
  hub: ServerFigures;
  /** median hub / median bare (the target), and hub/bare within each round of runs. */
  ratio: number;
  pairRatios: number[];
  /** median hub / median bare-ledger (informational), and hub/bare-ledger within each round. */
  ledgerRatio: number;
  ledgerPairRatios: number[];
  check: {
    hubStatusCodes: Record<string, number>;
    hubNon2xx: number;
    hubErrors: number;
    hub201: number;
    hubEventTransfers: number;
    bare201: number;
    bareRows: number;
    bareLedgerStatusCodes: Record<string, number>;
    bareLedgerErrors: number;
    bareLedger201: number;
    /** Rows in the bare-ledger database afterwards. */
    bareLedgerRows: { transfers: number; lots: number; movements: number };
    /** Sum of balances.available and of lifetime_earned vs the sum of transfer amounts (all should agree). */
    bareLedgerPoints: { transfers: number; available: number; lifetimeEarned: number };
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

export const API_KEY = 'bench-admin-key-0123456789abcdef';

export async function enrollMembers(hub: Server, count: number): Promise<string[]> {
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

function query<T>(file: string, sql: string): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).get() as T;
  } finally {
    db.close();
  }
}

const countRows = (file: string, sql: string): number => query<{ n: number }>(file, sql).n;

export function statusCodes(runs: LoadResult[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const r of runs) for (const [code, count] of Object.entries(r.statusCodes)) codes[code] = (codes[code] ?? 0) + count;
  return codes;
}

export function figures(runs: LoadResult[]): ServerFigures {
  return { perSecond: median(runs.map((r) => r.perSecond)), p99: median(runs.map((r) => r.p99)), worstP99: Math.max(...runs.map((r) => r.p99)) };
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
  const bareLedgerDb = tmp.file('bare-ledger.db');
  const servers: Server[] = [];
  try {
    const [barePort, bareLedgerPort, hubPort] = [await freePort(), await freePort(), await freePort()];
    const bareScript = ['--import', 'tsx', 'bench/bare-server.ts'];
    const bare = await startServer('bare server', bareScript, { PORT: String(barePort), BARE_DB: bareDb, BARE_KEY: API_KEY, BARE_MODE: 'row' }, barePort);
    servers.push(bare);
    const hub = await startServer(
      'hub',
      ['--import', './bench/loopback-only.mjs', 'bin/loyalty-hub.mjs', 'serve', '--port', String(hubPort)],
      { DATABASE_URL: hubDb, ADMIN_API_KEY: API_KEY },
      hubPort,
    );
    servers.push(hub);

    const members = await enrollMembers(hub, memberCount);
    // Started after the enrolment: it copies the hub's `members` and `balances` rows.
    const bareLedger = await startServer(
      'bare-ledger server',
      bareScript,
      { PORT: String(bareLedgerPort), BARE_DB: bareLedgerDb, BARE_KEY: API_KEY, BARE_MODE: 'ledger', BARE_SEED_DB: hubDb },
      bareLedgerPort,
    );
    servers.push(bareLedger);
    const seeded = countRows(bareLedgerDb, 'SELECT count(*) AS n FROM members JOIN balances ON balances.member_id = members.id');
    if (seeded !== memberCount) throw new Error(`bare-ledger server: ${seeded} members seeded, expected ${memberCount}`);

    const eventBody = (tag: string) => (n: number) =>
      JSON.stringify({
        id: `${tag}-${n}`,
        type: 'activity',
        name: 'review.posted',
        customer: { memberId: members[n % members.length] },
        points: 10,
        attributes: { channel: 'bench' },
      });
    const order: [HttpServerKind, Server, string][] = [
      ['bare', bare, 'bare'],
      ['bareLedger', bareLedger, 'bare-ledger'],
      ['hub', hub, 'hub'],
    ];
    const runs: EventsHttpResult['runs'] = [];
    const load = async (server: HttpServerKind, target: Server, label: string, seconds: number, warmup: boolean) => {
      const r = await runLoad({ label, url: target.url, path: '/v1/events', apiKey: API_KEY, connections, seconds, body: eventBody(label) });
      runs.push({ ...r, server, warmup });
    };

    for (const [kind, target, name] of order) await load(kind, target, `warmup-${name}`, warmupSeconds, true);
    for (let i = 0; i < runCount; i++) {
      for (const [kind, target, name] of order) await load(kind, target, `${name}-${i + 1}`, runSeconds, false);
    }
    for (const server of servers) await server.stop();

    const measured = (kind: HttpServerKind) => runs.filter((r) => r.server === kind && !r.warmup);
    const all = (kind: HttpServerKind) => runs.filter((r) => r.server === kind);
    const [bareRuns, bareLedgerRuns, hubRuns] = [measured('bare'), measured('bareLedger'), measured('hub')];
    const [bareFig, bareLedgerFig, hubFig] = [figures(bareRuns), figures(bareLedgerRuns), figures(hubRuns)];
    const hubAll = all('hub');
    const hubStatusCodes = statusCodes(hubAll);
    const bareLedgerStatusCodes = statusCodes(all('bareLedger'));
    const points = query<{ transfers: number; available: number; lifetimeEarned: number }>(
      bareLedgerDb,
      `SELECT (SELECT coalesce(sum(amount), 0) FROM transfers) AS transfers,
              (SELECT coalesce(sum(available), 0) FROM balances) AS available,
              (SELECT coalesce(sum(lifetime_earned), 0) FROM balances) AS lifetimeEarned`,
    );
    return {
      connections,
      members: memberCount,
      warmupSeconds,
      runSeconds,
      runs,
      bare: bareFig,
      bareLedger: bareLedgerFig,
      hub: hubFig,
      ratio: hubFig.perSecond / bareFig.perSecond,
      pairRatios: hubRuns.map((h, i) => h.perSecond / bareRuns[i]!.perSecond),
      ledgerRatio: hubFig.perSecond / bareLedgerFig.perSecond,
      ledgerPairRatios: hubRuns.map((h, i) => h.perSecond / bareLedgerRuns[i]!.perSecond),
      check: {
        hubStatusCodes,
        hubNon2xx: hubAll.reduce((a, r) => a + r.non2xx, 0),
        hubErrors: hubAll.reduce((a, r) => a + r.errors + r.timeouts, 0),
        hub201: hubStatusCodes['201'] ?? 0,
        hubEventTransfers: countRows(hubDb, "SELECT count(*) AS n FROM transfers WHERE source = 'event'"),
        bare201: all('bare').reduce((a, r) => a + (r.statusCodes['201'] ?? 0), 0),
        bareRows: countRows(bareDb, 'SELECT count(*) AS n FROM events'),
        bareLedgerStatusCodes,
        bareLedgerErrors: all('bareLedger').reduce((a, r) => a + r.errors + r.timeouts, 0),
        bareLedger201: bareLedgerStatusCodes['201'] ?? 0,
        bareLedgerRows: {
          transfers: countRows(bareLedgerDb, "SELECT count(*) AS n FROM transfers WHERE source = 'event'"),
          lots: countRows(bareLedgerDb, 'SELECT count(*) AS n FROM lots'),
          movements: countRows(bareLedgerDb, 'SELECT count(*) AS n FROM lot_movements'),
        },
        bareLedgerPoints: points,
      },
    };
  } finally {
    for (const server of servers) await server.stop();
    tmp.remove();
  }
}
