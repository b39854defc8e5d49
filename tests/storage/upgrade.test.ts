import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { asc, eq } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { getMember } from '../../core/members/members.js';
import { migrationsFolder } from '../../core/storage/migrations-folder.js';
import { openStore } from '../../core/storage/open-store.js';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Store } from '../../core/storage/store.js';
import { backend } from '../helpers/temp-database.js';

/**
 * The migrations a database made by the released hub has applied (the journal as it was before
 * the schema was declared once for both dialects). Later migrations must apply on top of them
 * and leave every existing row readable.
 */
const RELEASED = ['0000_init', '0001_outbox', '0002_webhook_endpoints', '0003_program_and_inbox', '0004_rewards', '0005_security'];

const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A copy of the dialect's migrations folder whose journal stops at the migration tagged `last`. */
function migrationsUpTo(dir: string, last: string): string {
  const folder = join(dir, 'migrations');
  cpSync(join(migrationsFolder, backend), folder, { recursive: true });
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const end = journal.entries.findIndex((e) => e.tag === last) + 1;
  expect(end).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, end);
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
}

/** A copy of the dialect's migrations folder whose journal stops at the released migrations. */
function releasedMigrations(dir: string): string {
  const folder = migrationsUpTo(dir, RELEASED.at(-1)!);
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  expect(journal.entries.map((e) => e.tag)).toEqual(RELEASED);
  return folder;
}

interface OldDatabase {
  url: string;
  /** Runs one statement with `?` placeholders on a connection of its own. */
  run(text: string, ...params: unknown[]): Promise<void>;
  dispose(): Promise<void>;
}

async function releasedDatabase(dir: string, folder = releasedMigrations(dir)): Promise<OldDatabase> {
  if (backend === 'sqlite') {
    const url = join(dir, 'loyalty.db');
    const conn = new Database(url);
    migrateSqlite(drizzleSqlite(conn), { migrationsFolder: folder });
    return {
      url,
      async run(text, ...params) {
        conn.prepare(text).run(...params.map((p) => (typeof p === 'boolean' ? Number(p) : p)));
      },
      async dispose() {
        conn.close();
      },
    };
  }
  const adminUrl = inject('pgAdminUrl');
  const name = `upgrade_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await migratePg(drizzlePg(client), { migrationsFolder: folder });
  return {
    url: url.toString(),
    async run(text, ...params) {
      let n = 0;
      await client.query(
        text.replace(/\?/g, () => `$${++n}`),
        params,
      );
    },
    async dispose() {
      await client.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

describe('a database made by the released hub, opened by this one', () => {
  let dir: string;
  let old: OldDatabase;
  let store: Store | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loyalty-hub-upgrade-'));
    old = await releasedDatabase(dir);
    // One of each kind of row an operator has by then, written as the released hub's SQL would.
    await old.run(
      `insert into members (id, email, first_name, consent_email, consent_sms, attributes, status, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      'mem_ann', 'ann@example.com', 'Ann', true, false, '{"vip":true}', 'active', T0, T0 + 1,
    );
    await old.run('insert into member_aliases (alias, member_id, created_at) values (?, ?, ?)', 'shopify:101', 'mem_ann', T0);
    await old.run(
      `insert into balances (member_id, available, pending, locked, spent, expired, lifetime_earned, version, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      'mem_ann', 150, 0, 0, 0, 0, 150, 1, T0,
    );
    await old.run(
      `insert into transfers (id, idempotency_key, fingerprint, kind, debit_account, credit_account, amount, member_id, pending, lot_id, source, event_id, metadata, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      'tr_1', 'shopify:order:1:earn', 'fp1', 'earn', 'program:issued', 'member:mem_ann', 150, 'mem_ann', false, 'lot_1', 'event', 'shopify:order:1', '{"orderId":"1"}', T0,
    );
    await old.run(
      `insert into lots (id, member_id, transfer_id, amount, remaining, status, activates_at, expires_at, spend_order, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      'lot_1', 'mem_ann', 'tr_1', 150, 150, 'active', T0, T0 + 365 * 86_400_000, T0 + 365 * 86_400_000, T0,
    );
    await old.run('insert into loyalty_events (id, type, member_id, data, occurred_at) values (?, ?, ?, ?, ?)', 'evt_1', 'points.earned', 'mem_ann', '{"points":150}', T0);
    await old.run(
      `insert into inbox (id, source, delivery_id, topic, status, raw_body, headers, events, outcome, received_at, processed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      'ibx_1', 'shopify', 'd-1', 'orders/paid', 'accepted', '{"id":1}', '{"x-shopify-topic":"orders/paid"}', '[]', '{"applied":1}', T0, T0 + 5,
    );
    await old.run('insert into api_keys (id, name, hash, scopes, created_at) values (?, ?, ?, ?, ?)', 'key_1', 'shop', 'ab'.repeat(32), '["members:read"]', T0);
  });

  afterEach(async () => {
    await store?.close();
    store = undefined;
    await old.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates to the current schema, reports ready, and reads every row back unchanged', async () => {
    store = await openStore(old.url);
    expect(await store.ready()).toMatchObject({ ok: true });
    const t = tablesOf(store.db);

    expect(await getMember(store.db, 'mem_ann')).toMatchObject({ id: 'mem_ann', email: 'ann@example.com', firstName: 'Ann', consentEmail: true, consentSms: false });
    expect(await store.db.select().from(t.members)).toEqual([
      {
        id: 'mem_ann', email: 'ann@example.com', phone: null, firstName: 'Ann', lastName: null, birthDate: null, locale: null,
        consentEmail: true, consentSms: false, manualTier: null, attributes: '{"vip":true}', status: 'active',
        createdAt: T0, updatedAt: T0 + 1, erasedAt: null,
      },
    ]);
    expect(await store.db.select().from(t.memberAliases)).toEqual([{ alias: 'shopify:101', memberId: 'mem_ann', createdAt: T0 }]);
    expect(await store.db.select().from(t.balances)).toEqual([
      { memberId: 'mem_ann', available: 150, pending: 0, locked: 0, spent: 0, expired: 0, lifetimeEarned: 150, version: 1, updatedAt: T0 },
    ]);
    expect(await store.db.select().from(t.transfers)).toEqual([
      {
        seq: 1, id: 'tr_1', idempotencyKey: 'shopify:order:1:earn', fingerprint: 'fp1', kind: 'earn', debitAccount: 'program:issued',
        creditAccount: 'member:mem_ann', amount: 150, memberId: 'mem_ann', pending: false, pendingId: null, reversesId: null,
        lotId: 'lot_1', timeoutAt: null, source: 'event', ruleId: null, eventId: 'shopify:order:1', redemptionId: null, actor: null,
        reason: null, metadata: '{"orderId":"1"}', createdAt: T0,
      },
    ]);
    expect(await store.db.select().from(t.lots)).toEqual([
      {
        id: 'lot_1', memberId: 'mem_ann', transferId: 'tr_1', amount: 150, remaining: 150, locked: 0, spent: 0, expired: 0, reversed: 0,
        status: 'active', activatesAt: T0, expiresAt: T0 + 365 * 86_400_000, spendOrder: T0 + 365 * 86_400_000, createdAt: T0,
      },
    ]);
    // Migration 0006 builds the per-day aggregate of expiring points from the lots already there.
    const expiry = T0 + 365 * 86_400_000;
    expect(await store.db.select().from(t.expiringPoints)).toEqual([
      { memberId: 'mem_ann', day: Math.floor(expiry / 86_400_000), points: 150, expiresAt: expiry },
    ]);
    expect(await store.db.select().from(t.loyaltyEvents)).toEqual([
      { seq: 1, id: 'evt_1', type: 'points.earned', memberId: 'mem_ann', data: '{"points":150}', occurredAt: T0, routedAt: null },
    ]);
    expect(await store.db.select().from(t.inbox)).toEqual([
      {
        seq: 1, id: 'ibx_1', source: 'shopify', deliveryId: 'd-1', topic: 'orders/paid', status: 'accepted', rawBody: '{"id":1}',
        headers: '{"x-shopify-topic":"orders/paid"}', events: '[]', outcome: '{"applied":1}', receivedAt: T0, processedAt: T0 + 5, erasedAt: null,
      },
    ]);
    expect(await store.db.select().from(t.apiKeys)).toEqual([
      { id: 'key_1', name: 'shop', hash: 'ab'.repeat(32), scopes: '["members:read"]', createdAt: T0, revokedAt: null },
    ]);
  });

  it('keeps writing after the rows it found: sequences continue, unique keys still refuse a duplicate', async () => {
    store = await openStore(old.url);
    const t = tablesOf(store.db);
    const [event] = await store.transaction((tx) =>
      tx.insert(t.loyaltyEvents).values({ id: 'evt_2', type: 'points.spent', memberId: 'mem_ann', data: '{}', occurredAt: T0 + 10 }).returning(),
    );
    expect(event!.seq).toBe(2);
    await expect(
      store.transaction((tx) => tx.insert(t.loyaltyEvents).values({ id: 'evt_1', type: 'points.spent', memberId: 'mem_ann', data: '{}', occurredAt: T0 })),
    ).rejects.toThrow();
    expect((await store.db.select({ id: t.loyaltyEvents.id }).from(t.loyaltyEvents).orderBy(asc(t.loyaltyEvents.seq))).map((e) => e.id)).toEqual(['evt_1', 'evt_2']);
    const [ann] = await store.db.select({ email: t.members.email }).from(t.members).where(eq(t.members.id, 'mem_ann'));
    expect(ann).toEqual({ email: 'ann@example.com' });
  });
});

describe('a database whose active members were counted before the roll-up by month (migration 0014)', () => {
  let dir: string;
  let old: OldDatabase;
  let store: Store | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loyalty-hub-upgrade-'));
    old = await releasedDatabase(dir, migrationsUpTo(dir, '0013_adapter_outcomes'));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await old.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rolls the gaps already counted up by the month of the previous active day', async () => {
    const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
    // [day, previous active day (-1: never), members], as the hub before 0014 counted them.
    const gaps: [string, string | null, number][] = [
      ['2025-01-31', null, 3],
      ['2025-02-01', null, 1],
      ['2025-02-01', '2025-01-31', 2],
      ['2025-03-15', '2025-01-01', 1],
      ['2025-03-15', '2025-01-31', 4],
      ['2025-03-15', '2025-02-01', 5],
      ['2025-03-15', '2025-03-14', 6],
      ['2025-12-31', '2024-12-31', 7],
    ];
    for (const [d, prev, n] of gaps) await old.run('insert into activity_gaps (day, prev_day, members) values (?, ?, ?)', day(d), prev ? day(prev) : -1, n);

    store = await openStore(old.url);
    const t = tablesOf(store.db);
    // Months since 1970-01: 2025-01 is 660.
    const month = (y: number, m: number) => (y - 1970) * 12 + m - 1;
    const rows = await store.db.select().from(t.activityGapMonths).orderBy(asc(t.activityGapMonths.day), asc(t.activityGapMonths.prevMonth));
    expect(rows).toEqual([
      { day: day('2025-01-31'), prevMonth: -1, members: 3 },
      { day: day('2025-02-01'), prevMonth: -1, members: 1 },
      { day: day('2025-02-01'), prevMonth: month(2025, 1), members: 2 },
      { day: day('2025-03-15'), prevMonth: month(2025, 1), members: 5 },
      { day: day('2025-03-15'), prevMonth: month(2025, 2), members: 5 },
      { day: day('2025-03-15'), prevMonth: month(2025, 3), members: 6 },
      { day: day('2025-12-31'), prevMonth: month(2024, 12), members: 7 },
    ]);
  });
});
