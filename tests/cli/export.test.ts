/**
 * `loyalty-hub export` through the real command (docs/operating.md, "Moving members out"), on the
 * project's backend: more members and ledger lines than one page, so the cursor paging is
 * exercised; the CSV export parsed back equals the database row for row; NDJSON carries the same;
 * an erased member leaves no personal data in the file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../core/cli/main.js';
import { csvRecords } from '../../core/csv/parse-csv.js';
import { EXPORT_PAGE_SIZE, LEDGER_COLUMNS, MEMBER_COLUMNS } from '../../core/members/export-rows.js';
import { checkLedgerInvariants } from '../../core/ledger/index.js';
import { openStore } from '../../core/storage/open-store.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness } from '../helpers/test-hub.js';
import { memberByAlias } from '../inbound/webhook-helpers.js';

const MEMBERS = EXPORT_PAGE_SIZE + 150;

describe('loyalty-hub export', () => {
  const h = hubHarness();
  const saved = { ...process.env };
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'export-'));
    process.env.DATABASE_URL = h.database.url;
    // More members than one export page, with aliases, tiers, expiring and pending points.
    const lines = ['external_id,email,first_name,last_name,aliases,tier,points,points_expire_at,pending_points,pending_until,points_spent'];
    for (let i = 1; i <= MEMBERS; i++) {
      lines.push(`x${i},x${i}@example.com,First ${i},"Last, ""${i}""",shop:${i},${i % 7 === 0 ? 'gold' : ''},${i * 3},${i % 2 ? '2031-01-01' : ''},${i % 5 === 0 ? 9 : ''},${i % 5 === 0 ? '2031-01-01' : ''},${i % 11 === 0 ? 4 : ''}`);
    }
    writeFileSync(join(dir, 'in.csv'), lines.join('\n'));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['import', join(dir, 'in.csv'), '--rejects', join(dir, 'r.csv')])).toBe(0);
    vi.restoreAllMocks();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  });

  async function exported(args: string[]): Promise<string> {
    const out = join(dir, `out-${args.join('-')}`);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['export', ...args, '--out', out])).toBe(0);
    vi.restoreAllMocks();
    return out;
  }

  async function parsed(file: string): Promise<Record<string, string>[]> {
    const rows: Record<string, string>[] = [];
    let header: string[] | undefined;
    for await (const { fields } of csvRecords(createReadStream(file, 'utf8'))) {
      if (!header) header = fields;
      else rows.push(Object.fromEntries(header.map((h, i) => [h, fields[i]!])));
    }
    expect(header).toEqual(header?.[0] === 'seq' ? [...LEDGER_COLUMNS] : [...MEMBER_COLUMNS]);
    return rows;
  }

  it('members with their balances, more than one page, parse back to exactly the database', async () => {
    const erasedId = (await memberByAlias(h, 'csv:x3'))!.id;
    expect((await h.call('DELETE', `/v1/members/${erasedId}`)).status).toBeLessThan(300);

    const rows = await parsed(await exported(['members']));
    const db = h.hub.store.db;
    const t = tablesOf(db);
    const members = await db.select().from(t.members).orderBy(asc(t.members.id));
    const balances = new Map((await db.select().from(t.balances)).map((b) => [b.memberId, b]));
    expect(rows).toHaveLength(MEMBERS);
    expect(rows.map((r) => r.external_id)).toEqual(members.map((m) => m.id));
    for (const [i, m] of members.entries()) {
      const b = balances.get(m.id)!;
      const r = rows[i]!;
      expect([r.available, r.pending, r.locked, r.spent, r.expired, r.lifetime_earned].map(Number)).toEqual(
        [b.available, b.pending, b.locked, b.spent, b.expired, b.lifetimeEarned].map(Number),
      );
      expect(r.status).toBe(m.status);
      if (m.id === erasedId) continue;
      expect([r.email, r.first_name, r.last_name]).toEqual([m.email, m.firstName, m.lastName]);
      expect(r.tier).toBe(m.manualTier ?? 'bronze');
    }
    const x11 = rows.find((r) => r.email === 'x11@example.com')!;
    expect(x11).toMatchObject({ last_name: 'Last, "11"', aliases: 'csv:x11;email:x11@example.com;shop:11', available: '33', spent: '4', lifetime_earned: '37' });
    // Erased: id, status, tier and balances; nothing that names the person.
    const erased = rows.find((r) => r.external_id === erasedId)!;
    expect(erased).toMatchObject({ status: 'erased', email: '', phone: '', first_name: '', last_name: '', birth_date: '', aliases: '', consent_email: '', consent_sms: '' });
    expect(readFileSync(join(dir, 'out-members'), 'utf8')).not.toContain('x3@example.com');
  });

  it('the ledger, line by line in order, as CSV and as NDJSON', async () => {
    const db = h.hub.store.db;
    const t = tablesOf(db);
    const transfers = await db.select().from(t.transfers).orderBy(asc(t.transfers.seq));
    expect(transfers.length).toBeGreaterThan(EXPORT_PAGE_SIZE);

    const rows = await parsed(await exported(['ledger']));
    expect(rows.map((r) => [Number(r.seq), r.id, r.kind, Number(r.amount), r.member_id, r.source, r.actor, r.reason, Date.parse(r.time!)])).toEqual(
      transfers.map((x) => [Number(x.seq), x.id, x.kind, Number(x.amount), x.memberId, x.source, x.actor, x.reason, Number(x.createdAt)]),
    );
    const ndjson = readFileSync(await exported(['ledger', '--format', 'ndjson']), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ndjson).toHaveLength(transfers.length);
    expect(ndjson.map((r) => String(r.id))).toEqual(rows.map((r) => r.id));
    expect(ndjson[0]).toMatchObject({ kind: rows[0]!.kind, amount: Number(rows[0]!.amount), rule_id: null });
  });

  it('a members export moves into another hub: recognized by its columns, each balance as it was, a second run changes nothing', async () => {
    const out = await exported(['members']);
    const target = join(dir, 'target.db');
    process.env.DATABASE_URL = target;
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['import', out, '--rejects', join(dir, 'moved-rejects.csv')])).toBe(0);
    expect(await main(['import', out, '--rejects', join(dir, 'moved-rejects.csv')])).toBe(0);
    vi.restoreAllMocks();
    const store = await openStore(target);
    try {
      const t = tablesOf(store.db);
      const moved = new Map(
        (await store.db.select({ alias: t.memberAliases.alias, b: t.balances }).from(t.memberAliases).innerJoin(t.balances, eq(t.balances.memberId, t.memberAliases.memberId))).map((r) => [r.alias, r.b]),
      );
      const rows = await parsed(out);
      expect(rows).toHaveLength(MEMBERS);
      for (const r of rows) {
        const b = moved.get(`loyalty-hub:${r.external_id}`)!;
        expect([b.available, b.pending, b.spent].map(Number), r.external_id).toEqual([r.available, r.pending, r.spent].map(Number));
      }
      expect(moved.get('shop:11')).toBeDefined();
      expect(await checkLedgerInvariants(store.db)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('refuses an unknown export or format', async () => {
    const err: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...p: unknown[]) => void err.push(p.join(' ')));
    expect(await main(['export', 'orders'])).toBe(2);
    expect(await main(['export', 'members', '--format', 'xml'])).toBe(2);
    expect(err).toEqual(['Name what to export: loyalty-hub export members|ledger [--format csv|ndjson] [--out FILE]', '--format must be csv or ndjson, not "xml"']);
  });
});
