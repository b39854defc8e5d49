/**
 * (f) Expiring a million lots: what `loyalty-hub expire` does after a yearly expiry date, when
 * every member's points fall due at once. A fresh database is seeded by direct bulk inserts with
 * N members and their active, already-expired lots (what `ledgerOps.earn` writes for an earn with
 * an expiry date), then `ledger.runDue(2000)` — the CLI's call — is looped until it expires
 * nothing, and timed. Two shapes: 1M lots over 100k members (10 each) and over 1M members (1 each).
 * Afterwards every lot must be closed and fully expired, every balance at 0 available with the
 * seeded points in `expired`, and one `expire` transfer written per member; on the smaller runs
 * `checkLedgerInvariants` also replays the whole ledger.
 */
import { FILL_EXPIRING_POINTS_SQL } from '../core/ledger/expiring-points.js';
import Database from 'better-sqlite3';
import { count, eq, gt, ne, or, sum } from 'drizzle-orm';
import os from 'node:os';
import pg from 'pg';
import { memberAccount, PROGRAM } from '../core/ledger/accounts.js';
import { ensureAggregates } from '../core/analytics/backfill.js';
import { checkLedgerInvariants, Ledger } from '../core/ledger/index.js';
import { fingerprint } from '../core/ledger/record-transfer.js';
import { tablesOf } from '../core/storage/prepared.js';
import { openStore } from '../core/storage/open-store.js';
import type { Store } from '../core/storage/store.js';
import { startPg, type RunningPg } from '../tests/helpers/pg-server.js';
import { seedId } from './seed-history.js';
import { tempDir } from './temp-dir.js';
import { createWriteBoundary } from '../core/commit/commit.js';

export const EXPIRY_TARGET_SECONDS = 10;
/** The target is stated for this many lots; smaller runs are scaled to it. */
export const EXPIRY_TARGET_LOTS = 1_000_000;
/** What `loyalty-hub expire` passes to `runDue` (core/cli/expire.ts). */
export const RUN_DUE_LIMIT = 2_000;
const DAY = 86_400_000;
const POINTS = 10;

export interface ExpiryShapeSpec {
  members: number;
  lotsPerMember: number;
}

export interface ExpiryCheck {
  lots: number;
  /** Lots not closed, or with anything left but `expired` (should be 0). */
  lotsNotExpired: number;
  balances: number;
  available: number;
  expired: number;
  /** Points the seed credited, = what should now be in `expired`. */
  seededPoints: number;
  expireTransfers: number;
  expireMovements: number;
  expiredEvents: number;
  ok: boolean;
}

export type ExpiryRole = 'target' | 'invariants' | 'pg';

export interface ExpiryRun {
  /** target: the timed 1M-lot runs; invariants: small runs replayed by the checker; pg: PostgreSQL. */
  role: ExpiryRole;
  backend: 'sqlite' | 'pg';
  members: number;
  lotsPerMember: number;
  lots: number;
  seedSeconds: number;
  /** The `runDue` loop, from the first call to the end of the one that expired nothing. */
  seconds: number;
  /** Lots expired by the loop (all of them unless it hit its time limit). */
  expired: number;
  /** false when the loop was stopped by its time limit. */
  complete: boolean;
  perSecond: number;
  /** Seconds extrapolated to EXPIRY_TARGET_LOTS at this run's rate (= seconds when lots is the target). */
  secondsPerMillion: number;
  calls: number;
  /** Per `runDue` call that expired something, ms. */
  callMs: { median: number; max: number };
  /** 1-minute load average when the loop started and when it ended (the machine is shared). */
  load: [number, number];
  check?: ExpiryCheck;
  invariants?: { violations: string[]; transfers: number; seconds: number };
}

export interface LedgerExpiryResult {
  lots: number;
  runDueLimit: number;
  loopLimitSeconds: number;
  runs: ExpiryRun[];
  /** Why PostgreSQL was not run, if it was asked for and could not be. */
  pgSkipped?: string;
}

export interface LedgerExpiryOptions {
  /** Lots per timed run (default 1,000,000). */
  lots?: number;
  /**
   * `checkLedgerInvariants` replays the ledger after runs of at most this many lots; when the
   * timed runs are bigger, both shapes are also run at this size for the checker (0: never).
   */
  invariantLots?: number;
  /** Also run on PostgreSQL, with this many lots per shape (0: not at all). */
  pgLots?: number;
  /** A `runDue` loop still going after this long is stopped and reported unfinished. */
  loopLimitSeconds?: number;
}

interface SeedPlan {
  members: number;
  lotsPerMember: number;
  now: number;
}

/** Steps through 0…lots−1 in a scrambled order (a prime step, coprime with any seeded count). */
const STEP = 1_000_003;

/**
 * The k-th earn of the seeded history, oldest first. Every lot expired at the same instant, a
 * day ago: a yearly expiry date, the case that puts a million lots due at once. The earns were
 * made over the year before it by members in no particular order, so — as in a real ledger —
 * the rows of one member are scattered over the tables, and lot and transfer ids (time-ordered)
 * are not in member order.
 */
function earnRow(plan: SeedPlan, lots: number, k: number) {
  const n = (k * STEP) % lots;
  const m = Math.floor(n / plan.lotsPerMember);
  const memberId = memberIdOf(plan, m);
  const expiresAt = plan.now - DAY;
  const createdAt = expiresAt - 365 * DAY + Math.floor((k * 365 * DAY) / lots);
  return {
    memberId,
    credit: memberAccount(memberId),
    expiresAt,
    createdAt,
    transferId: seedId('tr', createdAt, n),
    lotId: seedId('lot', createdAt, n),
    key: `seed:earn:${n}`,
    // What `ledgerOps.earn` fingerprints for this earn.
    print: fingerprint(['earn', memberId, POINTS, null, expiresAt]),
  };
}

const memberIdOf = (plan: SeedPlan, m: number) => seedId('mem', plan.now - 400 * DAY, m);
const ROWS_PER_TRANSACTION = 50_000;

/**
 * Rows as `enrollMember` + `ledgerOps.earn` (an active lot with an expiry date) write them, minus
 * the outbox events: the members and their balance rows (available = lifetime_earned = Σ their
 * lots), then per earn an `earn` transfer program:issued → member:<id> (source `rule`), the lot
 * (spend_order = expires_at) and its `earn` movement. Call while no Store has the file open.
 */
function seedSqlite(file: string, plan: SeedPlan): number {
  const started = performance.now();
  const lots = plan.members * plan.lotsPerMember;
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -524288'); // 512 MiB: the indexes being written stay in memory
    const insertMember = db.prepare(
      `INSERT INTO members (id, consent_email, consent_sms, attributes, status, created_at, updated_at) VALUES (?, 0, 0, '{}', 'active', ?, ?)`,
    );
    const insertBalance = db.prepare(
      `INSERT INTO balances (member_id, available, pending, locked, spent, expired, lifetime_earned, version, updated_at) VALUES (?, ?, 0, 0, 0, 0, ?, ?, ?)`,
    );
    const insertTransfer = db.prepare(
      `INSERT INTO transfers (id, idempotency_key, fingerprint, kind, debit_account, credit_account, amount, member_id,
         pending, lot_id, source, rule_id, actor, reason, created_at)
       VALUES (?, ?, ?, 'earn', ?, ?, ?, ?, 0, ?, 'rule', 'bench-seed', 'bench-seed', 'seeded earn', ?)`,
    );
    const insertLot = db.prepare(
      `INSERT INTO lots (id, member_id, transfer_id, amount, remaining, locked, spent, expired, reversed, status, activates_at, expires_at, spend_order, created_at)
       VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 'active', ?, ?, ?, ?)`,
    );
    const insertMovement = db.prepare(`INSERT INTO lot_movements (transfer_id, lot_id, member_id, kind, amount) VALUES (?, ?, ?, 'earn', ?)`);
    const enrolledAt = plan.now - 400 * DAY;
    const total = plan.lotsPerMember * POINTS;
    const seedMembers = db.transaction((from: number, to: number) => {
      for (let m = from; m < to; m++) {
        const memberId = memberIdOf(plan, m);
        insertMember.run(memberId, enrolledAt, enrolledAt);
        insertBalance.run(memberId, total, total, plan.lotsPerMember, enrolledAt);
      }
    });
    const seedEarns = db.transaction((from: number, to: number) => {
      for (let k = from; k < to; k++) {
        const r = earnRow(plan, lots, k);
        insertTransfer.run(r.transferId, r.key, r.print, PROGRAM.issued, r.credit, POINTS, r.memberId, r.lotId, r.createdAt);
        insertLot.run(r.lotId, r.memberId, r.transferId, POINTS, POINTS, r.createdAt, r.expiresAt, r.expiresAt, r.createdAt);
        insertMovement.run(r.transferId, r.lotId, r.memberId, POINTS);
      }
    });
    for (let from = 0; from < plan.members; from += ROWS_PER_TRANSACTION) seedMembers.immediate(from, Math.min(plan.members, from + ROWS_PER_TRANSACTION));
    for (let from = 0; from < lots; from += ROWS_PER_TRANSACTION) seedEarns.immediate(from, Math.min(lots, from + ROWS_PER_TRANSACTION));
    // The per-day aggregate of expiring points the ledger keeps with its lots (docs/architecture.md).
    db.exec(FILL_EXPIRING_POINTS_SQL);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return (performance.now() - started) / 1000;
}

/** The same rows on PostgreSQL, 20,000 per multi-row INSERT … SELECT FROM unnest(…), then VACUUM ANALYZE. */
async function seedPg(url: string, plan: SeedPlan): Promise<number> {
  const started = performance.now();
  const lots = plan.members * plan.lotsPerMember;
  const batch = 20_000;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const enrolledAt = plan.now - 400 * DAY;
    const total = plan.lotsPerMember * POINTS;
    for (let from = 0; from < plan.members; from += batch) {
      const ids = Array.from({ length: Math.min(plan.members, from + batch) - from }, (_, i) => memberIdOf(plan, from + i));
      await client.query('begin');
      await client.query(
        `insert into members (id, consent_email, consent_sms, attributes, status, created_at, updated_at)
         select id, false, false, '{}', 'active', $2, $2 from unnest($1::text[]) as u(id)`,
        [ids, enrolledAt],
      );
      await client.query(
        `insert into balances (member_id, available, pending, locked, spent, expired, lifetime_earned, version, updated_at)
         select id, $2, 0, 0, 0, 0, $2, $3, $4 from unnest($1::text[]) as u(id)`,
        [ids, total, plan.lotsPerMember, enrolledAt],
      );
      await client.query('commit');
    }
    for (let from = 0; from < lots; from += batch) {
      const rows = Array.from({ length: Math.min(lots, from + batch) - from }, (_, i) => earnRow(plan, lots, from + i));
      const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
      await client.query('begin');
      await client.query(
        `insert into transfers (id, idempotency_key, fingerprint, kind, debit_account, credit_account, amount, member_id,
           pending, lot_id, source, rule_id, actor, reason, created_at)
         select id, key, print, 'earn', $8, credit, $9, member, false, lot, 'rule', 'bench-seed', 'bench-seed', 'seeded earn', at
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
           with ordinality as u(id, key, print, credit, member, lot, at, n) order by n`,
        [col('transferId'), col('key'), col('print'), col('credit'), col('memberId'), col('lotId'), col('createdAt'), PROGRAM.issued, POINTS],
      );
      await client.query(
        `insert into lots (id, member_id, transfer_id, amount, remaining, locked, spent, expired, reversed, status, activates_at, expires_at, spend_order, created_at)
         select lot, member, id, $5, $5, 0, 0, 0, 0, 'active', at, exp, exp, at
         from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $6::bigint[]) with ordinality as u(id, member, lot, at, exp, n) order by n`,
        [col('transferId'), col('memberId'), col('lotId'), col('createdAt'), POINTS, col('expiresAt')],
      );
      await client.query(
        `insert into lot_movements (transfer_id, lot_id, member_id, kind, amount)
         select id, lot, member, 'earn', $4 from unnest($1::text[], $2::text[], $3::text[]) with ordinality as u(id, lot, member, n) order by n`,
        [col('transferId'), col('lotId'), col('memberId'), POINTS],
      );
      await client.query('commit');
    }
    await client.query(FILL_EXPIRING_POINTS_SQL);
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

async function checkExpired(store: Store, plan: SeedPlan): Promise<ExpiryCheck> {
  const { balances, lotMovements, lots, loyaltyEvents, transfers } = tablesOf(store.db);
  const db = store.db;
  const [l] = await db.select({ n: count() }).from(lots);
  const [bad] = await db
    .select({ n: count() })
    .from(lots)
    .where(or(ne(lots.status, 'closed'), gt(lots.remaining, 0), ne(lots.expired, lots.amount)));
  const [b] = await db.select({ n: count(), available: sum(balances.available), expired: sum(balances.expired) }).from(balances);
  const [tr] = await db.select({ n: count() }).from(transfers).where(eq(transfers.kind, 'expire'));
  const [mv] = await db.select({ n: count() }).from(lotMovements).where(eq(lotMovements.kind, 'expire'));
  const [ev] = await db.select({ n: count() }).from(loyaltyEvents).where(eq(loyaltyEvents.type, 'points.expired'));
  const lotsTotal = plan.members * plan.lotsPerMember;
  const c = {
    lots: Number(l!.n),
    lotsNotExpired: Number(bad!.n),
    balances: Number(b!.n),
    available: Number(b!.available ?? 0),
    expired: Number(b!.expired ?? 0),
    seededPoints: lotsTotal * POINTS,
    expireTransfers: Number(tr!.n),
    expireMovements: Number(mv!.n),
    expiredEvents: Number(ev!.n),
  };
  const ok =
    c.lots === lotsTotal &&
    c.lotsNotExpired === 0 &&
    c.balances === plan.members &&
    c.available === 0 &&
    c.expired === c.seededPoints &&
    c.expireTransfers === plan.members &&
    c.expireMovements === lotsTotal &&
    c.expiredEvents === plan.members;
  return { ...c, ok };
}

async function runShape(
  role: ExpiryRole,
  backend: 'sqlite' | 'pg',
  url: string,
  shape: ExpiryShapeSpec,
  seed: (plan: SeedPlan) => Promise<number>,
  options: { invariants: boolean; loopLimitSeconds: number },
): Promise<ExpiryRun> {
  const plan: SeedPlan = { ...shape, now: Date.now() };
  const lots = shape.members * shape.lotsPerMember;
  // Tables and indexes from the migrations, then the rows behind the ledger's back.
  await (await openStore(url)).close();
  const seedSeconds = await seed(plan);
  const store = await openStore(url, { migrate: false });
  try {
    const { commit } = createWriteBoundary(store);
    // The seed wrote lines behind the boundary's back, so the analytics aggregates have not counted
    // them: build them as an upgraded database does (core/analytics/backfill.ts) before the checked
    // runs, whose invariants include I6 (the aggregates count every line). Not timed.
    if (options.invariants) await ensureAggregates(store, commit, 'UTC');
    const ledger = new Ledger(store, commit);
    const callMs: number[] = [];
    let calls = 0;
    let expired = 0;
    let complete = true;
    const loadBefore = os.loadavg()[0]!;
    const started = performance.now();
    const deadline = started + options.loopLimitSeconds * 1000;
    // What `loyalty-hub expire` does (core/cli/expire.ts), minus the program's due work.
    for (;;) {
      const t = performance.now();
      const work = await ledger.runDue(RUN_DUE_LIMIT);
      calls++;
      if (work.expired === 0) break;
      callMs.push(performance.now() - t);
      expired += work.expired;
      if (performance.now() > deadline) {
        complete = false;
        break;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const load: [number, number] = [loadBefore, os.loadavg()[0]!];
    if (complete && expired !== lots) throw new Error(`runDue expired ${expired} lots, ${lots} were due`);
    const check = complete ? await checkExpired(store, plan) : undefined;
    let inv: ExpiryRun['invariants'];
    if (complete && options.invariants) {
      const t = performance.now();
      const violations = await checkLedgerInvariants(store.db);
      inv = { violations, transfers: lots + shape.members, seconds: (performance.now() - t) / 1000 };
    }
    callMs.sort((a, b) => a - b);
    return {
      role,
      backend,
      ...shape,
      lots,
      seedSeconds,
      seconds,
      expired,
      complete,
      perSecond: expired / seconds,
      secondsPerMillion: (seconds * EXPIRY_TARGET_LOTS) / Math.max(1, expired),
      calls,
      callMs: { median: callMs[callMs.length >> 1] ?? 0, max: callMs.at(-1) ?? 0 },
      load,
      check,
      invariants: inv,
    };
  } finally {
    await store.close();
  }
}

function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const shapesFor = (lots: number): ExpiryShapeSpec[] => [
  { members: Math.max(1, Math.round(lots / 10)), lotsPerMember: 10 },
  { members: lots, lotsPerMember: 1 },
];

export async function ledgerExpiry(options: LedgerExpiryOptions = {}, log: (msg: string) => void = () => {}): Promise<LedgerExpiryResult> {
  const lots = options.lots ?? EXPIRY_TARGET_LOTS;
  const invariantLots = options.invariantLots ?? 50_000;
  const loopLimitSeconds = options.loopLimitSeconds ?? 300;
  const runs: ExpiryRun[] = [];
  const sqlite = async (role: ExpiryRole, shape: ExpiryShapeSpec, invariants: boolean) => {
    const tmp = tempDir('expiry');
    try {
      const file = tmp.file('expiry.db');
      const run = await runShape(role, 'sqlite', file, shape, async (plan) => seedSqlite(file, plan), { invariants, loopLimitSeconds });
      log(describe(run));
      runs.push(run);
    } finally {
      tmp.remove();
    }
  };
  for (const shape of shapesFor(lots)) await sqlite('target', shape, lots <= invariantLots);
  if (invariantLots > 0 && lots > invariantLots) {
    for (const shape of shapesFor(invariantLots)) await sqlite('invariants', shape, true);
  }
  let pgSkipped: string | undefined;
  const pgLots = options.pgLots ?? 0;
  if (pgLots > 0) {
    let server: RunningPg | undefined;
    try {
      server = await startPg();
      for (const shape of shapesFor(pgLots)) {
        const name = `bench_expiry_${process.pid}_${shape.lotsPerMember}`;
        const url = databaseUrl(server.adminUrl, name);
        await admin(server.adminUrl, async (c) => {
          await c.query(`drop database if exists ${name} with (force)`);
          await c.query(`create database ${name}`);
          // As in (d): each commit hands its WAL to the OS before answering, like SQLite's WAL + synchronous=NORMAL.
          await c.query(`alter database ${name} set synchronous_commit = on`);
        });
        try {
          const run = await runShape('pg', 'pg', url, shape, (plan) => seedPg(url, plan), { invariants: pgLots <= invariantLots, loopLimitSeconds });
          log(describe(run));
          runs.push(run);
        } finally {
          await admin(server.adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
        }
      }
    } catch (error) {
      pgSkipped = (error as Error).message.split('\n')[0];
      log(`(f) PostgreSQL not run: ${pgSkipped}`);
    } finally {
      server?.stop();
    }
  }
  return { lots, runDueLimit: RUN_DUE_LIMIT, loopLimitSeconds, runs, pgSkipped };
}

export function describe(r: ExpiryRun): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return (
    `(f) ${r.backend} ${n(r.lots)} lots / ${n(r.members)} members: seeded in ${r.seedSeconds.toFixed(1)} s, ` +
    (r.complete ? `expired in ${r.seconds.toFixed(1)} s` : `STOPPED after ${r.seconds.toFixed(0)} s with ${n(r.expired)} expired`) +
    ` (${n(r.perSecond)} lots/s, ${r.calls} runDue calls, load ${r.load.map((x) => x.toFixed(1)).join('→')})` +
    (r.check ? `; check ${r.check.ok ? 'ok' : 'FAILED'}` : '') +
    (r.invariants ? `; invariants ${r.invariants.violations.length === 0 ? 'ok' : `${r.invariants.violations.length} violations`} in ${r.invariants.seconds.toFixed(1)} s` : '')
  );
}
