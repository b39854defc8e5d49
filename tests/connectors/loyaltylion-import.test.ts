/**
 * `loyalty-hub import --from loyaltylion` end to end through the real CLI code, against msw standing
 * in for LoyaltyLion's `GET /v2/customers` (cursor pagination, 500 a page): an account of 10,000
 * customers generated deterministically is interrupted mid-way (LoyaltyLion keeps failing), resumed
 * at the page after the last one written, and then every member's hub balance — available, pending,
 * spent — equals LoyaltyLion's figures exactly; a second run writes no ledger line and enrolls nobody.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../core/cli/main.js';
import { allRows } from '../../core/storage/dialect.js';
import { openStore } from '../../core/storage/open-store.js';
import { backend, tempDatabase, type TempDatabase } from '../helpers/temp-database.js';

const API = 'http://loyaltylion.test';
const TOKEN = 'll-api-key-test';
// The account of the "done when" on SQLite; PostgreSQL runs the same path on a tenth of it
// (each member is a few round trips to the server, which a shared CI machine makes slow).
const TOTAL = backend === 'pg' ? 1_000 : 10_000;
const PAGE = 500;
/** The page LoyaltyLion keeps failing on the first run. */
const FAIL = backend === 'pg' ? 1 : 4;
const DAY_MS = 86_400_000;

/** LoyaltyLion's customer as the Customers API documents it, with figures derived from `i`. */
function customer(i: number) {
  const pending = i % 3 === 0 ? (i * 11) % 800 : 0;
  return {
    id: 100_000 + i,
    merchant_id: String(7_000_000 + i),
    email: i % 97 === 0 ? null : `customer${i}@example.com`,
    points_approved: (i * 37) % 5000,
    points_pending: pending,
    points_spent: (i * 13) % 2000,
    properties: { first_name: `First${i}`, last_name: `Last${i}` },
    metadata: {},
    rewards_claimed: 0,
    blocked: false,
    guest: false,
    enrolled: true,
    enrolled_at: '2023-05-12T20:46:40.377Z',
    referral_id: null,
    referred_by: null,
    birthday: i % 5 === 0 ? '1990-01-29' : null,
    created_at: '2020-11-23T17:28:25.362Z',
    updated_at: '2025-02-13T00:00:11.535Z',
  };
}

interface Seen { page: number; cursor: string | null; limit: string | null; authorization: string | null }

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The stub: newest first, as LoyaltyLion pages; `fail(page)` answers instead of serving that page. */
function customersApi(seen: Seen[], fail: (page: number) => Response | undefined = () => undefined) {
  server.use(
    http.get(`${API}/v2/customers`, ({ request }) => {
      const url = new URL(request.url);
      const cursor = url.searchParams.get('cursor');
      const page = cursor ? Number(Buffer.from(cursor, 'base64url').toString().replace('page:', '')) : 0;
      seen.push({ page, cursor, limit: url.searchParams.get('limit'), authorization: request.headers.get('authorization') });
      const failure = fail(page);
      if (failure) return failure;
      const size = cursor ? PAGE : Number(url.searchParams.get('limit'));
      const from = TOTAL - page * PAGE;
      const customers = Array.from({ length: Math.min(size, from) }, (_, k) => customer(from - k));
      const last = (page + 1) * PAGE >= TOTAL;
      return HttpResponse.json({
        customers,
        cursor: { prev: page ? Buffer.from(`page:${page - 1}`).toString('base64url') : null, next: last ? null : Buffer.from(`page:${page + 1}`).toString('base64url') },
      });
    }),
  );
}

let db: TempDatabase;
let dir: string;
beforeEach(async () => {
  db = await tempDatabase();
  dir = mkdtempSync(join(tmpdir(), 'loyaltylion-import-'));
});
afterEach(async () => {
  await db.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI as an operator would, with the connector's variables in the environment. */
async function runImport(...args: string[]): Promise<{ code: number; out: string }> {
  return runImportWith({ LOYALTYLION_STORE_PLATFORM: 'shopify' }, ...args);
}

async function runImportWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, { DATABASE_URL: db.url, LOYALTYLION_TOKEN: TOKEN, LOYALTYLION_SECRET: 'site-secret', LOYALTYLION_API_URL: API, ...env });
  delete process.env.LOYALTY_CONFIG;
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  const progress = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await main(['import', '--from', 'loyaltylion', '--rejects', join(dir, 'rejects.csv'), ...args]), out: lines.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    progress.mockRestore();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

interface Row { alias: string; available: number; pending: number; spent: number; lifetime: number; email: string | null; first: string | null }

async function hubState(): Promise<{ rows: Map<string, Row>; lines: number; members: number; storeAliases: number; pendingDue: number[]; anchor: number }> {
  const store = await openStore(db.url);
  try {
    const rows = await allRows<Record<string, unknown>>(
      store.db,
      sql`select a.alias as alias, b.available as available, b.pending as pending, b.spent as spent, b.lifetime_earned as lifetime, m.email as email, m.first_name as first
          from member_aliases a join balances b on b.member_id = a.member_id join members m on m.id = a.member_id where a.alias like 'loyaltylion:%'`,
    );
    const [lines] = await allRows<{ n: number }>(store.db, sql`select count(*) as n from transfers`);
    const [members] = await allRows<{ n: number }>(store.db, sql`select count(*) as n from members`);
    const due = await allRows<{ at: number }>(store.db, sql`select distinct activates_at as at from lots where status = 'pending'`);
    const [anchor] = await allRows<{ value: string }>(store.db, sql`select value from connector_state where connector = 'loyaltylion' and key = 'import:pending-from'`);
    const [shop] = await allRows<{ n: number }>(store.db, sql`select count(*) as n from member_aliases where alias like 'shopify:%'`);
    return {
      rows: new Map(
        rows.map((r) => [
          String(r.alias),
          { alias: String(r.alias), available: Number(r.available), pending: Number(r.pending), spent: Number(r.spent), lifetime: Number(r.lifetime), email: (r.email as string | null) ?? null, first: (r.first as string | null) ?? null },
        ]),
      ),
      lines: Number(lines!.n),
      members: Number(members!.n),
      storeAliases: Number(shop!.n),
      pendingDue: due.map((d) => Number(d.at)),
      anchor: Number(anchor?.value),
    };
  } finally {
    await store.close();
  }
}

describe('loyalty-hub import --from loyaltylion', () => {
  it(`imports ${TOTAL} customers with exactly their balances, resumes after an interruption, and a second run changes nothing`, async () => {
    // First run: a 429 (waited out) on the page before FAIL, then LoyaltyLion fails page FAIL on every attempt.
    const first: Seen[] = [];
    let limited = false;
    customersApi(first, (page) => {
      if (page === FAIL - 1 && !limited) {
        limited = true;
        return HttpResponse.json({ error: { message: 'Too many requests' } }, { status: 429, headers: { 'Retry-After': '0' } });
      }
      return page === FAIL ? HttpResponse.json({ error: { message: 'Service unavailable' } }, { status: 503, headers: { 'Retry-After': '0' } }) : undefined;
    });
    const stopped = await runImport();
    expect(stopped.code).toBe(1);
    expect(stopped.out).toContain('import from loyaltylion stopped: LoyaltyLion answered HTTP 503 Service unavailable 5 times; run the import again later to carry on');
    expect(stopped.out).toContain('Run the same command again to carry on after the last page written.');
    expect(first[0]).toEqual({ page: 0, cursor: null, limit: '500', authorization: `Bearer ${TOKEN}` });
    expect(first.filter((s) => s.page === FAIL - 1)).toHaveLength(2);
    const interrupted = await hubState();
    expect(interrupted.rows.size).toBe(FAIL * PAGE);

    // Second run: resumes at page FAIL — the pages written are not read again — and finishes.
    const second: Seen[] = [];
    customersApi(second);
    const resumed = await runImport();
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(new RegExp(`^${TOTAL - FAIL * PAGE} members read: ${TOTAL - FAIL * PAGE} enrolled, 0 already in the hub, \\d+ points lines written, 0 refused$`));
    expect(second.map((s) => s.cursor)).toEqual(Array.from({ length: TOTAL / PAGE - FAIL }, (_, k) => Buffer.from(`page:${FAIL + k}`).toString('base64url')));

    const imported = await hubState();
    expect(imported.rows.size).toBe(TOTAL);
    expect(imported.members).toBe(TOTAL);
    expect(imported.storeAliases).toBe(TOTAL);
    const wrong: string[] = [];
    for (let i = 1; i <= TOTAL; i++) {
      const c = customer(i);
      const row = imported.rows.get(`loyaltylion:${c.id}`);
      const expected = { available: c.points_approved, pending: c.points_pending, spent: c.points_spent, lifetime: c.points_approved + c.points_spent };
      if (!row || row.available !== expected.available || row.pending !== expected.pending || row.spent !== expected.spent || row.lifetime !== expected.lifetime) {
        wrong.push(`${c.id}: ${JSON.stringify(row)} ≠ ${JSON.stringify(expected)}`);
      }
      if (row && (row.email !== c.email || row.first !== `First${i}`)) wrong.push(`${c.id}: profile ${row.email} ${row.first}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);

    // The pending points become spendable LOYALTYLION_PENDING_DAYS (30) after the first run started.
    expect(imported.pendingDue).toEqual([imported.anchor + 30 * DAY_MS]);
    // Third run, from the first page again (the last run finished): nothing is written.
    const third: Seen[] = [];
    customersApi(third);
    expect(await runImport()).toEqual({ code: 0, out: `${TOTAL} members read: 0 enrolled, ${TOTAL} already in the hub, 0 points lines written, 0 refused` });
    expect(third[0]!.cursor).toBeNull();
    const again = await hubState();
    expect(again.lines).toBe(imported.lines);
    expect(again.members).toBe(TOTAL);
  }, 120_000);

  it('a dry run reads every customer and writes nothing, not even the date pending points are counted from', async () => {
    server.use(http.get(`${API}/v2/customers`, () => HttpResponse.json({ customers: [customer(1), customer(2), customer(3)], cursor: { prev: null, next: null } })));
    const dry = await runImport('--dry-run');
    expect(dry).toEqual({ code: 0, out: 'dry run: 3 members read, 3 would open, 0 refused; nothing written' });
    const after = await hubState();
    expect({ members: after.members, lines: after.lines, anchor: after.anchor }).toEqual({ members: 0, lines: 0, anchor: Number.NaN });
  });

  it('refuses, in the rejects file, a customer whose figures are not whole numbers and one nobody could find again', async () => {
    server.use(
      http.get(`${API}/v2/customers`, () =>
        HttpResponse.json({
          customers: [
            { ...customer(1), points_approved: 'lots' },
            { ...customer(2), email: null },
            customer(3),
          ],
          cursor: { prev: null, next: null },
        }),
      ),
    );
    // Without LOYALTYLION_STORE_PLATFORM, a customer without e-mail has nothing but LoyaltyLion's id.
    const run = await runImportWith({});
    expect(run).toEqual({ code: 1, out: `3 members read: 1 enrolled, 0 already in the hub, 4 points lines written, 2 refused\nrefused members and why: ${join(dir, 'rejects.csv')}` });
    expect(readFileSync(join(dir, 'rejects.csv'), 'utf8')).toBe(
      [
        'position,id,field,reason',
        '1,100001,points.available,"points.available must be a whole number of points from 0 to 1000000000, not NaN"',
        '2,100002,email,the member has no e-mail and no alias',
        '',
      ].join('\n'),
    );
  });

  it('stops at once with LoyaltyLion\'s reason when the key is refused, and writes nothing', async () => {
    server.use(http.get(`${API}/v2/customers`, () => HttpResponse.json({ error: { message: 'Invalid API key' } }, { status: 401 })));
    const refused = await runImport();
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(
      'LoyaltyLion refused GET /v2/customers: HTTP 401 Invalid API key (LOYALTYLION_TOKEN must be an API key with the read_customers scope)',
    );
    expect((await hubState()).members).toBe(0);
  });
});
