/**
 * A big write's analytics (core/analytics/tally.ts, `underTiers`): an import page of hundreds of
 * members is added up per tier before the `ledger_daily` upsert instead of joined member by
 * member. Its figures must be the ones a small write gives: a Gold member's opening points are
 * counted under Gold, a new member's under the program's first tier (docs/api.md, "Analytics"),
 * and the invariants (I6: every line counted once) hold.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { MemberPage } from '../../core/connectors/definition.js';
import type { ImportedMember } from '../../core/members/import-member.js';
import { earnMany } from '../../core/ledger/index.js';
import { runImport } from '../../core/members/import-run.js';
import { parseProgram } from '../../core/program/load-program.js';
import { allRows } from '../../core/storage/dialect.js';
import { hubHarness, json } from '../helpers/test-hub.js';

const program = parseProgram(
  `name: Big write test
defaults: { pendingDays: 0 }
tiers:
  basis: { window: rolling, days: 365 }
  levels:
    - { id: bronze, name: Bronze, threshold: 0 }
    - { id: gold, name: Gold, threshold: 1000 }
rules:
  - id: order-points
    on: order.paid
    award: { perCurrencyUnit: 1, rounding: down }
`,
  'big-write-test.yaml',
);

describe('analytics of a big write', () => {
  const h = hubHarness({ program });

  it('counts a page of 400 imported members under each member\'s tier, as small writes do', async () => {
    const gold = (await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'gold@example.com' } }))).id;
    const order = await h.call('POST', '/v1/events', { scope: 'write', body: { type: 'order.paid', customer: { memberId: gold }, order: { id: 'o1', currency: 'USD', amount: 1500_00 } } });
    expect(order.status).toBe(201);
    expect((await json<{ tier: string }>(await h.call('GET', `/v1/members/${gold}/balance`))).tier).toBe('gold');

    const byTier = async () =>
      new Map(
        (
          await allRows<{ tier: string; lines: unknown; points: unknown }>(
            h.hub.store.db,
            sql`select tier, sum(lines) as lines, sum(points) as points from ledger_daily where flow = 'earn' group by tier`,
          )
        ).map((r) => [r.tier, [Number(r.lines), Number(r.points)]]),
      );
    const enrolledCount = async () => Number((await allRows<{ n: unknown }>(h.hub.store.db, sql`select sum(lines) as n from ledger_daily where flow = 'enrolled'`))[0]!.n);
    const before = await byTier();
    const enrolledBefore = await enrolledCount();

    // One page: the Gold member (matched by e-mail) and 399 new members — over a thousand sums.
    const members: ImportedMember[] = [
      { sourceId: 'g', email: 'gold@example.com', points: { available: 70 } },
      ...Array.from({ length: 399 }, (_, i) => ({ sourceId: `n${i}`, email: `n${i}@example.com`, points: { available: 10, availableExpiresAt: h.clock() + 30 * 86_400_000 } })),
    ];
    const read = async function* (): AsyncIterable<MemberPage> {
      yield { members };
    };
    expect(await runImport(h.hub.commit, 'old', read, { actor: 'import:old' })).toMatchObject({ enrolled: 399, matched: 1, lines: 400 });

    const after = await byTier();
    const added = (tier: string) => [(after.get(tier)?.[0] ?? 0) - (before.get(tier)?.[0] ?? 0), (after.get(tier)?.[1] ?? 0) - (before.get(tier)?.[1] ?? 0)];
    expect(added('')).toEqual([399, 3990]);
    expect(added('gold')).toEqual([1, 70]);
    expect(added('bronze')).toEqual([0, 0]);
    expect((await enrolledCount()) - enrolledBefore).toBe(399);
    const activeCount = async () => Number((await allRows<{ n: unknown }>(h.hub.store.db, sql`select count(*) as n from member_activity`))[0]!.n);
    // Moving in is not activity (docs/api.md, "Analytics"): only the Gold member's order counted.
    expect(await activeCount()).toBe(1);

    // A big write that does earn (400 earns in one batch) marks its members in one multi-row upsert.
    const ids = (await allRows<{ id: string }>(h.hub.store.db, sql`select id from members where email like 'n%@example.com' or email = 'gold@example.com'`)).map((r) => String(r.id));
    expect(ids).toHaveLength(400);
    await h.hub.commit('batch', (w) => w.postMany(earnMany, ids.map((memberId) => ({ memberId, points: 5, idempotencyKey: `batch:${memberId}`, why: { source: 'api' as const } }))));
    expect(await activeCount()).toBe(400);
  });
});
