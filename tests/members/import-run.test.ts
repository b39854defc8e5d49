/**
 * Members moving in (docs/operating.md, "Moving members in"), through the core's import run on a
 * real database: opening balances land exactly, a second run changes nothing, a refused row is
 * reported with its reason while its page's other rows go in, a page written without look-ups
 * still finds the members the hub holds, a dry run writes nothing, an interrupted run resumes
 * after the last page written, and an import announces nothing.
 */
import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { connectorState } from '../../core/connectors/connector-state.js';
import type { MemberPage } from '../../core/connectors/definition.js';
import type { ImportedMember } from '../../core/members/import-member.js';
import { IMPORT_CURSOR_KEY, runImport, type ImportRejection } from '../../core/members/import-run.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { loyaltyEvents, memberByAlias } from '../inbound/webhook-helpers.js';

const DAY = 86_400_000;

function customer(i: number, extra: Partial<ImportedMember> = {}): ImportedMember {
  return { sourceId: String(1000 + i), email: `c${i}@example.com`, firstName: `C${i}`, points: { available: i * 10, spent: i, pending: [] }, ...extra };
}

/** Pages of `size` from `members`; `failAfter` pages then the platform stops answering. */
function pagesOf(members: ImportedMember[], size: number, failAfter = Infinity) {
  const reads: (string | undefined)[] = [];
  const read = async function* (cursor?: string): AsyncIterable<MemberPage> {
    reads.push(cursor);
    let start = cursor ? Number(cursor) : 0;
    let served = 0;
    while (start < members.length) {
      if (served++ >= failAfter) throw new Error('platform answered 503');
      const end = Math.min(start + size, members.length);
      yield { members: members.slice(start, end), next: end < members.length ? String(end) : undefined };
      start = end;
    }
  };
  return { read, reads };
}

describe('importing members', () => {
  const h = hubHarness();
  const balanceOf = async (alias: string) => json(await h.call('GET', `/v1/members/${(await memberByAlias(h, alias))!.id}/balance`, { scope: 'read' }));

  it('opens every member with the same balances, announces nothing, and a second run changes nothing', async () => {
    const inAWeek = h.clock() + 7 * DAY;
    const members = Array.from({ length: 25 }, (_, i) => customer(i + 1, i === 0 ? { points: { available: 500, spent: 120, pending: [{ points: 40, activatesAt: inAWeek }] } } : {}));
    const { read } = pagesOf(members, 10);
    const first = await runImport(h.hub.commit, 'oldprogram', read, { actor: 'import:oldprogram' });
    expect(first).toEqual({ read: 25, enrolled: 25, matched: 0, lines: 4 + 24 * 3, rejected: 0 });
    expect(await balanceOf('oldprogram:1001')).toMatchObject({ available: 500, pending: 40, spent: 120, lifetimeEarned: 620 });
    expect(await balanceOf('oldprogram:1025')).toMatchObject({ available: 250, pending: 0, spent: 25, lifetimeEarned: 275 });
    expect(await loyaltyEvents(h)).toEqual([]);
    // Every line says why it exists (SPEC §7): the import, by whom.
    const lines = await json<{ data: { kind: string; amount: number; source: string; reason: string | null; actor: string | null }[] }>(
      await h.call('GET', `/v1/members/${(await memberByAlias(h, 'oldprogram:1001'))!.id}/transactions`, { scope: 'read' }),
    );
    expect(lines.data.map((t) => [t.kind, t.amount, t.source, t.reason, t.actor]).sort()).toEqual(
      [
        ['earn', 120, 'system', 'opening balance imported from oldprogram', 'import:oldprogram'],
        ['spend', 120, 'system', 'opening balance imported from oldprogram', 'import:oldprogram'],
        ['earn', 500, 'system', 'opening balance imported from oldprogram', 'import:oldprogram'],
        ['earn', 40, 'system', 'opening balance imported from oldprogram', 'import:oldprogram'],
      ].sort(),
    );

    const second = await runImport(h.hub.commit, 'oldprogram', read, { actor: 'import:oldprogram' });
    expect(second).toEqual({ read: 25, enrolled: 0, matched: 25, lines: 0, rejected: 0 });
    expect(await balanceOf('oldprogram:1001')).toMatchObject({ available: 500, pending: 40, spent: 120 });
  });

  it('refuses a bad row with its position and reason while the rest of its page goes in', async () => {
    const members = [customer(1), customer(2, { points: { available: 12.5 } }), customer(3, { email: null, aliases: [] }), customer(4)];
    const rejected: ImportRejection[] = [];
    const summary = await runImport(h.hub.commit, 'oldprogram', pagesOf(members, 10).read, { actor: 'import:oldprogram', onReject: (r) => rejected.push(r) });
    expect(summary).toMatchObject({ read: 4, enrolled: 2, rejected: 2 });
    expect(rejected).toEqual([
      { position: 2, sourceId: '1002', field: 'points.available', reason: 'points.available must be a whole number of points from 0 to 1000000000, not 12.5' },
      { position: 3, sourceId: '1003', field: 'email', reason: 'the member has no e-mail and no alias' },
    ]);
    expect(await memberByAlias(h, 'oldprogram:1004')).toBeDefined();
    expect(await memberByAlias(h, 'oldprogram:1002')).toBeUndefined();
  });

  it('refuses a member whose figures changed since the first import instead of posting them twice', async () => {
    await runImport(h.hub.commit, 'oldprogram', pagesOf([customer(1)], 10).read, { actor: 'import:oldprogram' });
    const rejected: ImportRejection[] = [];
    const changed = customer(1, { points: { available: 999, spent: 1 } });
    await runImport(h.hub.commit, 'oldprogram', pagesOf([changed], 10).read, { actor: 'import:oldprogram', onReject: (r) => rejected.push(r) });
    expect(rejected).toEqual([expect.objectContaining({ sourceId: '1001', field: 'points', reason: expect.stringContaining("differ from those imported before") })]);
    expect(await balanceOf('oldprogram:1001')).toMatchObject({ available: 10, spent: 1 });
  });

  it('matches a member already in the hub by e-mail and links the source alias', async () => {
    const existing = await json(await h.call('POST', '/v1/members', { body: { email: 'c1@example.com' } }));
    const summary = await runImport(h.hub.commit, 'oldprogram', pagesOf([customer(1)], 10).read, { actor: 'import:oldprogram' });
    expect(summary).toMatchObject({ enrolled: 0, matched: 1 });
    expect((await memberByAlias(h, 'oldprogram:1001'))!.id).toBe(existing.id);
  });

  it('a page after an all-new one still finds the members the hub holds, by e-mail or by alias, and enrolls no twin', async () => {
    // Page 2 and page 4 follow all-new pages, so they are first written without look-ups
    // (core/members/import-bulk.ts, `assumeNew`); each names a member already in the hub.
    const byEmail = await json(await h.call('POST', '/v1/members', { body: { email: 'c15@example.com' } }));
    await runImport(h.hub.commit, 'oldprogram', pagesOf([customer(35, { email: null, aliases: ['shop:35'] })], 10).read, { actor: 'import:oldprogram' });
    const byAlias = (await memberByAlias(h, 'oldprogram:1035'))!;

    const summary = await runImport(h.hub.commit, 'oldprogram', pagesOf(Array.from({ length: 40 }, (_, i) => customer(i + 1)), 10).read, { actor: 'import:oldprogram' });
    expect(summary).toMatchObject({ read: 40, enrolled: 38, matched: 2, rejected: 0 });
    expect((await memberByAlias(h, 'oldprogram:1015'))!.id).toBe(byEmail.id);
    expect((await memberByAlias(h, 'oldprogram:1035'))!.id).toBe(byAlias.id);
    expect(await balanceOf('oldprogram:1015')).toMatchObject({ available: 150, spent: 15 });
    expect(await balanceOf('oldprogram:1035')).toMatchObject({ available: 350, spent: 35 });
    const [members] = await h.hub.store.db.select({ n: count() }).from(tablesOf(h.hub.store.db).members);
    expect(members!.n).toBe(40);
  });

  it('a dry run checks every row and writes nothing', async () => {
    const rejected: ImportRejection[] = [];
    const summary = await runImport(h.hub.commit, 'oldprogram', pagesOf([customer(1), customer(2, { birthDate: '12/31/1990' })], 10).read, {
      actor: 'import:oldprogram',
      dryRun: true,
      onReject: (r) => rejected.push(r),
    });
    expect(summary).toMatchObject({ read: 2, rejected: 1, enrolled: 0, lines: 0 });
    expect(rejected[0]).toMatchObject({ position: 2, field: 'birthDate' });
    expect((await json<{ data: unknown[] }>(await h.call('GET', '/v1/members', { scope: 'read' }))).data).toEqual([]);
  });

  it('an interrupted import resumes after the last page it wrote', async () => {
    const members = Array.from({ length: 30 }, (_, i) => customer(i + 1));
    const state = connectorState(h.hub.store, h.hub.commit, 'oldprogram');
    const broken = pagesOf(members, 10, 2);
    await expect(runImport(h.hub.commit, 'oldprogram', broken.read, { actor: 'import:oldprogram', state })).rejects.toThrow('platform answered 503');
    expect(await state.get(IMPORT_CURSOR_KEY)).toBe('20');

    const again = pagesOf(members, 10);
    const summary = await runImport(h.hub.commit, 'oldprogram', again.read, { actor: 'import:oldprogram', state });
    expect(again.reads).toEqual(['20']);
    expect(summary).toMatchObject({ read: 10, enrolled: 10 });
    expect(await memberByAlias(h, 'oldprogram:1030')).toBeDefined();
    expect(await state.get(IMPORT_CURSOR_KEY)).toBe('');
  });
});
