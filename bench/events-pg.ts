/**
 * (d) `POST /v1/events` throughput on PostgreSQL with 1 and 2 hub processes, next to SQLite. The
 * scale-out issue asks for webhook throughput; inbound webhooks do not exist yet, so this loads
 * `POST /v1/events`, the same write path (resolve the member, one ledger earn).
 *
 * One throwaway PostgreSQL server (tests/helpers/pg-server.ts: the machine's initdb/pg_ctl, or
 * TEST_DATABASE_URL) holds one database per PostgreSQL configuration. Three configurations, each
 * enrolled with the same members through `POST /v1/members` and loaded by autocannon with the
 * same requests as (c):
 *
 * - **sqlite**: one hub process on a SQLite file (as in (c));
 * - **pg1**: one hub process on PostgreSQL;
 * - **pg2**: two hub processes on the same PostgreSQL database, the load split between them (two
 *   autocannon instances run at once, half the connections each; their throughputs add up, the
 *   p99 is the worse of the two).
 *
 * Each is warmed up, then measured in rounds (sqlite, pg1, pg2, then pg2, pg1, sqlite, …);
 * figures are medians over the rounds. Afterwards every database is checked: each event answered
 * 201 is there exactly once, any other earn is a request cut off when a run's clock stopped, and
 * `checkLedgerInvariants` replays the whole ledger.
 */
import Database from 'better-sqlite3';
import os from 'node:os';
import pg from 'pg';
import { checkLedgerInvariants } from '../core/ledger/index.js';
import { openStore } from '../core/storage/open-store.js';
import { startPg, type RunningPg } from '../tests/helpers/pg-server.js';
import { API_KEY, enrollMembers, figures, statusCodes, type ServerFigures } from './events-http.js';
import { runLoad, type LoadResult } from './load.js';
import { freePort, startServer, type Server } from './processes.js';
import { median } from './stats.js';
import { tempDir } from './temp-dir.js';

export type PgConfigKind = 'sqlite' | 'pg1' | 'pg2';
export const PG_CONFIGS: readonly PgConfigKind[] = ['sqlite', 'pg1', 'pg2'];

/**
 * Set on each benchmark database (ALTER DATABASE): every commit writes its WAL to the operating
 * system before answering, as SQLite in WAL mode with synchronous=NORMAL (the hub's setting) does.
 * The test server's own default (synchronous_commit=off) would answer before that write. Neither
 * side syncs to disk on commit: the test server runs with fsync=off, SQLite NORMAL syncs only at
 * checkpoints.
 */
const SYNCHRONOUS_COMMIT = 'on';

export interface ConfigCheck {
  processes: number;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  answered201: number;
  /** Requests written (bodies made), and of those the ones autocannon saw no answer to (cut off at the end of a run). */
  sent: number;
  unanswered: number;
  /** `transfers` rows of kind 'earn' in the database afterwards. */
  earnRows: number;
  /** Events answered 201 whose earn is not in the database (should be 0). */
  acknowledgedMissing: number;
  /** Event ids answered 201 more than once, earn rows sharing an event id, earn rows for no event we sent (all should be 0). */
  acknowledgedTwice: number;
  duplicateRows: number;
  unknownRows: number;
  /** Earns applied without a 201 seen: requests in flight when a run's clock stopped (at most `unanswered`). */
  cutOff: number;
  invariants: { violations: string[]; transfers: number; seconds: number };
  ok: boolean;
}

export interface EventsPgResult {
  connections: number;
  members: number;
  warmupSeconds: number;
  runSeconds: number;
  runsPerConfig: number;
  postgres: { version: string; external: boolean; settings: Record<string, string> };
  /**
   * Warm-ups, then the measured runs in the order they ran; a pg2 run's `parts` are its two
   * autocannon instances. `cpuBusy`: share of the whole machine's CPU time not idle during the run
   * (every process on it, neighbours included), 0–1.
   */
  runs: (LoadResult & { config: PgConfigKind; warmup: boolean; cpuBusy: number; parts?: LoadResult[] })[];
  sqlite: PgFigures;
  pg1: PgFigures;
  pg2: PgFigures;
  /** median pg1 / median sqlite and median pg2 / median pg1, and the same within each round. */
  pg1VsSqlite: number;
  pg2VsPg1: number;
  roundRatios: { pg1VsSqlite: number; pg2VsPg1: number }[];
  checks: Record<PgConfigKind, ConfigCheck>;
}

export type PgFigures = ServerFigures & { cpuBusy: number };

export interface EventsPgOptions {
  connections?: number;
  members?: number;
  warmupSeconds?: number;
  runSeconds?: number;
  /** Measured runs per configuration (rounds). */
  runs?: number;
}

/** Several autocannon instances run at once, as one run: throughputs add up, latencies are the worst. */
function combine(label: string, parts: LoadResult[]): LoadResult {
  const sum = (f: (p: LoadResult) => number) => parts.reduce((a, p) => a + f(p), 0);
  const worst = (f: (p: LoadResult) => number) => Math.max(...parts.map(f));
  return {
    label,
    seconds: worst((p) => p.seconds),
    sent: sum((p) => p.sent),
    responses: sum((p) => p.responses),
    perSecond: sum((p) => p.perSecond),
    p50: worst((p) => p.p50),
    p99: worst((p) => p.p99),
    max: worst((p) => p.max),
    non2xx: sum((p) => p.non2xx),
    errors: sum((p) => p.errors),
    timeouts: sum((p) => p.timeouts),
    statusCodes: statusCodes(parts),
  };
}

/** CPU time of all cores so far (ms), idle and in all. */
function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** What one configuration's runs sent and were answered, for the check afterwards. */
interface Tally {
  /** Run label → bodies made (event ids `<label>-0` … `<label>-<n-1>`). */
  sent: Map<string, number>;
  acknowledged: Set<string>;
  acknowledgedTwice: number;
}

function verifyEarns(eventIds: (string | null)[], tally: Tally): Pick<ConfigCheck, 'earnRows' | 'acknowledgedMissing' | 'duplicateRows' | 'unknownRows' | 'cutOff'> {
  const seen = new Set<string>();
  let duplicateRows = 0;
  let unknownRows = 0;
  for (const id of eventIds) {
    if (id === null) {
      unknownRows++;
      continue;
    }
    if (seen.has(id)) duplicateRows++;
    seen.add(id);
    const m = /^api:(.+)-(\d+)$/.exec(id);
    if (!m || Number(m[2]) >= (tally.sent.get(m[1]!) ?? 0)) unknownRows++;
  }
  let acknowledgedMissing = 0;
  for (const id of tally.acknowledged) if (!seen.has(id)) acknowledgedMissing++;
  return {
    earnRows: eventIds.length,
    acknowledgedMissing,
    duplicateRows,
    unknownRows,
    cutOff: seen.size - (tally.acknowledged.size - acknowledgedMissing),
  };
}

async function replayInvariants(url: string, transfers: number): Promise<ConfigCheck['invariants']> {
  const t = performance.now();
  const store = await openStore(url, { migrate: false });
  try {
    const violations = await checkLedgerInvariants(store.db);
    return { violations, transfers, seconds: (performance.now() - t) / 1000 };
  } finally {
    await store.close();
  }
}

function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function eventsPg(options: EventsPgOptions = {}): Promise<EventsPgResult> {
  const connections = options.connections ?? 50;
  const memberCount = options.members ?? 1_000;
  const warmupSeconds = options.warmupSeconds ?? 3;
  const runSeconds = options.runSeconds ?? 8;
  const runCount = options.runs ?? 2;
  const tmp = tempDir('pg');
  const sqliteDb = tmp.file('hub.db');
  const servers: Server[] = [];
  const databases = { pg1: `loyalty_bench_pg1_${process.pid}`, pg2: `loyalty_bench_pg2_${process.pid}` };

  // pg_ctl detaches the server from this process: stop it on every way out, not only `finally`.
  let pgServer: RunningPg | undefined;
  const stopPg = () => {
    const s = pgServer;
    pgServer = undefined;
    s?.stop();
  };
  const onSignal = () => {
    stopPg();
    process.exit(130);
  };
  process.on('exit', stopPg);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let adminUrl = '';
  const created: string[] = [];
  try {
    pgServer = await startPg();
    adminUrl = pgServer.adminUrl;
    const urls = { pg1: databaseUrl(adminUrl, databases.pg1), pg2: databaseUrl(adminUrl, databases.pg2) };
    await withClient(adminUrl, async (admin) => {
      for (const name of Object.values(databases)) {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.query(`create database ${name}`);
        created.push(name);
        await admin.query(`alter database ${name} set synchronous_commit = ${SYNCHRONOUS_COMMIT}`);
      }
    });
    const postgres = await withClient(urls.pg1, async (c) => {
      const show = async (name: string) => (await c.query<Record<string, string>>(`show ${name}`)).rows[0]![name]!;
      const settings: Record<string, string> = {};
      for (const name of ['fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections']) settings[name] = await show(name);
      return { version: await show('server_version'), external: Boolean(process.env.TEST_DATABASE_URL), settings };
    });

    const hub = async (name: string, url: string) => {
      const port = await freePort();
      const server = await startServer(
        name,
        ['--import', './bench/loopback-only.mjs', 'bin/loyalty-hub.mjs', 'serve', '--port', String(port)],
        { DATABASE_URL: url, ADMIN_API_KEY: API_KEY },
        port,
      );
      servers.push(server);
      return server;
    };
    const sqliteHub = await hub('hub (sqlite)', sqliteDb);
    const pg1Hub = await hub('hub (pg1)', urls.pg1);
    // One after the other: each process migrates at start (under an advisory lock anyway).
    const pg2Hubs = [await hub('hub (pg2, a)', urls.pg2), await hub('hub (pg2, b)', urls.pg2)];
    const targets: Record<PgConfigKind, Server[]> = { sqlite: [sqliteHub], pg1: [pg1Hub], pg2: pg2Hubs };

    const members: Record<PgConfigKind, string[]> = {
      sqlite: await enrollMembers(sqliteHub, memberCount),
      pg1: await enrollMembers(pg1Hub, memberCount),
      pg2: await enrollMembers(pg2Hubs[0]!, memberCount),
    };

    const tallies = Object.fromEntries(PG_CONFIGS.map((k) => [k, { sent: new Map(), acknowledged: new Set(), acknowledgedTwice: 0 } satisfies Tally])) as Record<
      PgConfigKind,
      Tally
    >;
    const runs: EventsPgResult['runs'] = [];
    const load = async (config: PgConfigKind, label: string, seconds: number, warmup: boolean) => {
      const tally = tallies[config];
      const ids = members[config];
      const hubs = targets[config];
      const before = cpuTimes();
      const parts = await Promise.all(
        hubs.map(async (server, i) => {
          const part = hubs.length > 1 ? `${label}-${'ab'[i]}` : label;
          const r = await runLoad({
            label: part,
            url: server.url,
            path: '/v1/events',
            apiKey: API_KEY,
            connections: Math.round(connections / hubs.length),
            seconds,
            body: (n) =>
              JSON.stringify({
                id: `${part}-${n}`,
                type: 'activity',
                name: 'review.posted',
                customer: { memberId: ids[n % ids.length] },
                points: 10,
                attributes: { channel: 'bench' },
              }),
            onResponse: (status, body) => {
              if (status !== 201) return;
              const { eventId } = JSON.parse(body) as { eventId: string };
              if (tally.acknowledged.has(eventId)) tally.acknowledgedTwice++;
              tally.acknowledged.add(eventId);
            },
          });
          tally.sent.set(part, r.sent);
          return r;
        }),
      );
      const after = cpuTimes();
      const cpuBusy = after.total > before.total ? 1 - (after.idle - before.idle) / (after.total - before.total) : Number.NaN;
      const r = parts.length > 1 ? combine(label, parts) : parts[0]!;
      runs.push({ ...r, config, warmup, cpuBusy, ...(parts.length > 1 ? { parts } : {}) });
    };

    for (const config of PG_CONFIGS) await load(config, `warmup-${config}`, warmupSeconds, true);
    for (let i = 0; i < runCount; i++) {
      // ABC, CBA, …: a drift over time (a growing database, a neighbour's load) does not favour one side.
      const order = i % 2 === 0 ? PG_CONFIGS : [...PG_CONFIGS].reverse();
      for (const config of order) await load(config, `${config}-${i + 1}`, runSeconds, false);
    }
    // Stopped before the checks: requests cut off at the end of the last run have finished.
    for (const server of servers) await server.stop();

    type TransferRow = { kind: string; event_id: string | null };
    const transferRows = async (config: PgConfigKind): Promise<TransferRow[]> => {
      const sql = 'select kind, event_id from transfers';
      if (config === 'sqlite') {
        const db = new Database(sqliteDb, { readonly: true, fileMustExist: true });
        try {
          return db.prepare(sql).all() as TransferRow[];
        } finally {
          db.close();
        }
      }
      return withClient(urls[config], async (c) => (await c.query<TransferRow>(sql)).rows);
    };
    const checks = {} as Record<PgConfigKind, ConfigCheck>;
    for (const config of PG_CONFIGS) {
      const all = runs.filter((r) => r.config === config);
      const codes = statusCodes(all);
      const tally = tallies[config];
      const sent = all.reduce((a, r) => a + r.sent, 0);
      const responses = all.reduce((a, r) => a + r.responses, 0);
      const rows = await transferRows(config);
      const earns = verifyEarns(
        rows.filter((r) => r.kind === 'earn').map((r) => r.event_id),
        tally,
      );
      const invariants = await replayInvariants(config === 'sqlite' ? sqliteDb : urls[config], rows.length);
      const check: ConfigCheck = {
        processes: targets[config].length,
        statusCodes: codes,
        non2xx: all.reduce((a, r) => a + r.non2xx, 0),
        errors: all.reduce((a, r) => a + r.errors + r.timeouts, 0),
        answered201: codes['201'] ?? 0,
        sent,
        unanswered: sent - responses,
        ...earns,
        acknowledgedTwice: tally.acknowledgedTwice,
        invariants,
        ok: false,
      };
      check.ok =
        Object.keys(codes).every((c) => c === '201') &&
        check.non2xx === 0 &&
        check.errors === 0 &&
        check.answered201 === tally.acknowledged.size &&
        check.acknowledgedTwice === 0 &&
        check.acknowledgedMissing === 0 &&
        check.duplicateRows === 0 &&
        check.unknownRows === 0 &&
        check.cutOff >= 0 &&
        check.cutOff <= check.unanswered &&
        check.earnRows === check.answered201 + check.cutOff &&
        invariants.violations.length === 0;
      checks[config] = check;
    }

    const measured = (config: PgConfigKind) => runs.filter((r) => r.config === config && !r.warmup);
    const [sqliteRuns, pg1Runs, pg2Runs] = [measured('sqlite'), measured('pg1'), measured('pg2')];
    const withCpu = (rs: typeof runs): PgFigures => ({ ...figures(rs), cpuBusy: median(rs.map((r) => r.cpuBusy)) });
    const [sqliteFig, pg1Fig, pg2Fig] = [withCpu(sqliteRuns), withCpu(pg1Runs), withCpu(pg2Runs)];
    return {
      connections,
      members: memberCount,
      warmupSeconds,
      runSeconds,
      runsPerConfig: runCount,
      postgres,
      runs,
      sqlite: sqliteFig,
      pg1: pg1Fig,
      pg2: pg2Fig,
      pg1VsSqlite: pg1Fig.perSecond / sqliteFig.perSecond,
      pg2VsPg1: pg2Fig.perSecond / pg1Fig.perSecond,
      roundRatios: pg1Runs.map((p1, i) => ({ pg1VsSqlite: p1.perSecond / sqliteRuns[i]!.perSecond, pg2VsPg1: pg2Runs[i]!.perSecond / p1.perSecond })),
      checks,
    };
  } finally {
    for (const server of servers) await server.stop();
    try {
      // Matters with TEST_DATABASE_URL (a server that outlives the run); a throwaway one is removed anyway.
      if (pgServer && created.length > 0) {
        await withClient(adminUrl, async (admin) => {
          for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
        });
      }
    } catch (error) {
      console.error(`bench (d): could not drop the benchmark databases: ${(error as Error).message}`);
    } finally {
      stopPg();
      process.off('exit', stopPg);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      tmp.remove();
    }
  }
}
