/**
 * `loyalty-hub import members.csv` through the real command (docs/operating.md, "Moving members
 * in"), on the project's backend: the hub's own columns and Smile.io / LoyaltyLion exports, a
 * refused row named by its line in the rejects file while the others go in, a second run that
 * changes nothing, a dry run that writes nothing, refusals before anything is read, and an import
 * killed half way (a real process, SIGKILL) that the next run completes without doubling a line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../core/cli/main.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { BIN } from '../helpers/hub-process.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { memberByAlias } from '../inbound/webhook-helpers.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');

describe('loyalty-hub import <file.csv>', () => {
  const h = hubHarness();
  const saved = { ...process.env };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'import-csv-'));
    process.env.DATABASE_URL = h.database.url;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['import', ...args]);
    vi.restoreAllMocks();
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  const balance = async (alias: string) => {
    const member = await memberByAlias(h, alias);
    expect(member, alias).toBeDefined();
    return json<{ available: number; pending: number; spent: number; lifetimeEarned: number }>(await h.call('GET', `/v1/members/${member!.id}/balance`, { scope: 'read' }));
  };
  const countOf = async (table: 'transfers' | 'members' | 'memberHistory') => {
    const [row] = await h.hub.store.db.select({ n: count() }).from(tablesOf(h.hub.store.db)[table]);
    return Number(row!.n);
  };

  it('opens every good row, names each refused row by its line and reason, and a second run changes nothing', async () => {
    const rejects = join(dir, 'rejects.csv');
    const first = await run([join(FIXTURES, 'members.csv'), '--rejects', rejects]);
    expect(first.code).toBe(1);
    expect(first.out).toContain('9 rows read: 4 members enrolled, 0 already in the hub, 6 points lines written, 5 refused');
    expect(readFileSync(rejects, 'utf8')).toBe(
      [
        'line,id,field,reason',
        '6,m-4,birth_date,"birth_date must be a date (YYYY-MM-DD), not ""1990-02-30"""',
        '7,m-5,tier,"tier ""platinum"" is not a tier of the program (bronze, silver, gold)"',
        '8,m-6,points,"points must be a whole number of points (digits only), not ""1,200"""',
        '10,m-8,consent_email,"consent_email must be true or false (yes/no, 1/0), not ""maybe"""',
        '11,,row,the row has 14 fields where the header has 15',
        '',
      ].join('\n'),
    );
    expect(await balance('csv:m-1')).toMatchObject({ available: 1200, spent: 300, lifetimeEarned: 1500 });
    const ann = (await memberByAlias(h, 'shopify:1001'))!;
    expect(ann).toMatchObject({ email: 'ann@example.com', firstName: 'Ann', birthDate: '1990-04-12', consent: { email: true, sms: false }, tier: 'silver' });
    expect(ann.aliases).toEqual(['csv:m-1', 'email:ann@example.com', 'shopify:1001', 'stripe:cus_1']);
    // Quoted fields: a comma, a doubled quote, a line break inside a field (CRLF file with a BOM).
    expect(await memberByAlias(h, 'csv:m-2')).toMatchObject({ firstName: 'Bob, Jr.', lastName: 'O"Brien' });
    expect(await memberByAlias(h, 'csv:m-3')).toMatchObject({ lastName: 'Multi\r\nLine', tier: 'gold' });
    // No external id: the e-mail finds the member and keys the lines; no csv: alias is made.
    expect((await memberByAlias(h, 'email:gil@example.com'))!.aliases).toEqual(['email:gil@example.com']);
    expect(await balance('email:gil@example.com')).toMatchObject({ available: 75 });
    expect(await memberByAlias(h, 'csv:m-4')).toBeUndefined();

    const transfers = await countOf('transfers');
    const history = await countOf('memberHistory');
    const second = await run([join(FIXTURES, 'members.csv'), '--rejects', rejects]);
    expect(second.out).toContain('9 rows read: 0 members enrolled, 4 already in the hub, 0 points lines written, 5 refused');
    expect(await countOf('transfers')).toBe(transfers);
    expect(await countOf('memberHistory')).toBe(history);
    expect(await balance('csv:m-1')).toMatchObject({ available: 1200, spent: 300, lifetimeEarned: 1500 });
  });

  it('recognizes a Smile.io and a LoyaltyLion customer export by their headers', async () => {
    const smile = await run([join(FIXTURES, 'smile-customers.csv'), '--rejects', join(dir, 'r.csv')]);
    expect(smile.code).toBe(0);
    expect(smile.out).toContain('a Smile.io customer export, members keyed smile:<id>; columns skipped: Member Status, Referral URL, Created At');
    expect(await balance('smile:304169228')).toMatchObject({ available: 300 });
    expect(await memberByAlias(h, 'smile:304169228')).toMatchObject({ email: 'jane@doe.com', firstName: 'Jane', tier: 'silver', birthDate: '1004-05-27' });

    const lion = await run([join(FIXTURES, 'loyaltylion-customers.csv'), '--rejects', join(dir, 'r.csv')]);
    expect(lion.code).toBe(0);
    expect(lion.out).toContain('a LoyaltyLion customer export, members keyed loyaltylion:<id>');
    // points_pending stay pending (30 days from the first run), points_spent read as earned and spent.
    expect(await balance('loyaltylion:8812001')).toMatchObject({ available: 420, pending: 60, spent: 100, lifetimeEarned: 520 });
    const again = await run([join(FIXTURES, 'loyaltylion-customers.csv'), '--rejects', join(dir, 'r.csv')]);
    expect(again.out).toContain('2 rows read: 0 members enrolled, 2 already in the hub, 0 points lines written, 0 refused');
  });

  it('matches a member already in the hub by e-mail and links the file\'s aliases', async () => {
    const existing = await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'Ann@Example.com' } }));
    await run([join(FIXTURES, 'members.csv'), '--rejects', join(dir, 'r.csv')]);
    const ann = (await memberByAlias(h, 'csv:m-1'))!;
    expect(ann.id).toBe(existing.id);
    expect(ann.aliases).toContain('shopify:1001');
    expect(await balance('csv:m-1')).toMatchObject({ available: 1200, spent: 300 });
  });

  it('counts opening points in the analytics under the command line (bySource cli), not the API', async () => {
    const file = join(dir, 'opening.csv');
    writeFileSync(file, 'external_id,email,points,points_spent\nold-1,erin@example.com,300,40\nold-2,frank@example.com,70,0\n');
    expect((await run([file])).code).toBe(0);
    const res = await h.call('GET', '/v1/analytics/summary', { scope: 'read' });
    expect(res.status).toBe(200);
    const s = await json<{ points: { issued: number; redeemed: number }; members: { active: number; new: number }; bySource: { source: string; issued: number; redeemed: number }[] }>(res);
    expect(s.points).toMatchObject({ issued: 410, redeemed: 40 });
    expect(s.bySource.map((r) => [r.source, r.issued, r.redeemed])).toEqual([['cli', 410, 40]]);
    // Moving in is not activity: two new members, neither active for it (docs/api.md, "Analytics").
    expect(s.members).toMatchObject({ new: 2, active: 0 });
  });

  it('a dry run reports the same refusals and writes nothing', async () => {
    const rejects = join(dir, 'rejects.csv');
    const dry = await run([join(FIXTURES, 'members.csv'), '--dry-run', '--rejects', rejects]);
    expect(dry.code).toBe(1);
    expect(dry.out).toContain('dry run: 9 rows read, 4 would go in, 5 refused; nothing written');
    expect(readFileSync(rejects, 'utf8').split('\n').slice(1, -1).map((l) => l.split(',')[0])).toEqual(['6', '7', '8', '10', '11']);
    expect(await countOf('members')).toBe(0);
    expect(await countOf('transfers')).toBe(0);
  });

  it('refuses with exit code 1 and the reason a file it cannot read or whose header it does not know', async () => {
    expect(await run([join(dir, 'missing.csv')])).toMatchObject({ code: 1, err: expect.stringMatching(/missing\.csv: cannot read the file \(ENOENT\)/) });
    const odd = join(dir, 'odd.csv');
    writeFileSync(odd, 'customer,balance\nann@example.com,10\n');
    expect(await run([odd])).toMatchObject({ code: 1, err: expect.stringContaining("odd.csv: the header row (customer, balance) is neither the hub's layout") });
    writeFileSync(odd, 'email,pointz\nann@example.com,10\n');
    expect(await run([odd])).toMatchObject({ code: 1, err: expect.stringContaining('column "pointz" is not one the import understands') });
    writeFileSync(odd, '');
    expect(await run([odd])).toMatchObject({ code: 1, err: expect.stringContaining('the file is empty') });
    expect(await countOf('members')).toBe(0);
  });

  it('an import killed half way is completed by the next run, and no line is doubled', { timeout: 60_000 }, async () => {
    const rows = 12_000;
    const file = join(dir, 'big.csv');
    const lines = ['external_id,email,points,pending_points,pending_until'];
    for (let i = 1; i <= rows; i++) lines.push(`k${i},k${i}@example.com,${i % 500},${i % 3 === 0 ? 7 : ''},${i % 3 === 0 ? '2030-01-01' : ''}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const expectedLines = lines.slice(1).reduce((n, l) => n + (l.split(',')[2] !== '0' ? 1 : 0) + (l.split(',')[3] ? 1 : 0), 0);

    const { DATABASE_URL: _d, ...base } = process.env;
    const child = spawn(process.execPath, [BIN, 'import', file, '--rejects', join(dir, 'r.csv')], { env: { ...base, DATABASE_URL: h.database.url }, cwd: dir });
    let progress = '';
    child.stderr!.on('data', (d: Buffer) => (progress += d.toString()));
    child.stdout!.on('data', () => {});
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // Killed once some pages are in (a progress line per thousand rows), well before the end.
    const deadline = Date.now() + 45_000;
    while (!/^[3-9]\d{3} of \d+ rows read/m.test(progress) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    // Killing the command stops the import, though it runs itself once more (bin/loyalty-hub.mjs):
    // the page being written when it died may still commit, then nothing goes on writing.
    await new Promise((r) => setTimeout(r, 1_000));
    const before = await countOf('members');
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(rows);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await countOf('members')).toBe(before);

    const resumed = await run([file, '--rejects', join(dir, 'r.csv')]);
    expect(resumed.code).toBe(0);
    const read = Number(/(\d+) rows read:/.exec(resumed.out)![1]);
    expect(read).toBeLessThan(rows); // carried on from the last page written, not from the top
    expect(await countOf('members')).toBe(rows);
    expect(await countOf('transfers')).toBe(expectedLines);
    const [sum] = await h.hub.store.db.select({ points: sql<string>`sum(${tablesOf(h.hub.store.db).balances.available})` }).from(tablesOf(h.hub.store.db).balances);
    expect(Number(sum!.points)).toBe(lines.slice(1).reduce((n, l) => n + Number(l.split(',')[2]), 0));
  });
});

