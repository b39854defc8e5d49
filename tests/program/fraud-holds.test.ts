/**
 * Fraud review (docs/program.md, "Fraud velocity and fraud.flagged"; docs/api.md, "Fraud holds";
 * core/program/fraud-holds.ts): points the velocity check held are listed, stay pending however
 * long the review takes, and are approved (they activate) or rejected (they are voided) exactly
 * once by an admin with a reason.
 */
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tablesOf } from '../../core/storage/prepared.js';
import { json } from '../helpers/test-hub.js';
import { DAY, MINUTE, iso, programHarness, type ProgramHarness } from './program-harness.js';

interface Hold {
  id: string;
  memberId: string;
  status: string;
  points: number;
  reason: string;
  eventId: string;
  heldAt: string;
  heldUntil: string;
  overdue: boolean;
  decidedBy: string | null;
  decisionReason: string | null;
  link: string;
}
interface Tx {
  kind: string;
  amount: number;
  source: string;
  actor: string;
  reason: string;
  metadata: Record<string, unknown> | null;
}

/** Three reviews within ten minutes: the third one's 25 points are held for review. */
async function flagged(p: ProgramHarness, before: { available: number; pending: number } = { available: 50, pending: 25 }) {
  const id = await p.enroll();
  await p.activity(id, 'review.posted');
  p.clock.advance(MINUTE);
  await p.activity(id, 'review.posted');
  p.clock.advance(MINUTE);
  const heldAt = p.clock();
  const third = await p.activity(id, 'review.posted');
  expect(await p.balance(id)).toMatchObject(before);
  return { memberId: id, heldAt, eventId: third.eventId };
}

async function holds(p: ProgramHarness, status = 'open'): Promise<Hold[]> {
  const res = await p.h.call('GET', `/v1/fraud-holds?status=${status}`);
  expect(res.status).toBe(200);
  return (await json<{ data: Hold[] }>(res)).data;
}

const decide = (p: ProgramHarness, id: string, decision: 'approve' | 'reject', reason: string) => p.h.call('POST', `/v1/fraud-holds/${id}/${decision}`, { body: { reason } });

async function reviewHistory(p: ProgramHarness, memberId: string) {
  const { memberHistory: mh } = tablesOf(p.h.hub.store.db);
  const rows = await p.h.hub.store.db.select().from(mh).where(eq(mh.memberId, memberId)).orderBy(asc(mh.seq));
  return rows.filter((r) => r.kind.startsWith('points.')).map((r) => [r.kind, JSON.parse(r.detail) as Record<string, unknown>] as const);
}

const VELOCITY = { velocity: { events: 3, minutes: 10, holdDays: 7 } };

describe('fraud holds', () => {
  const p = programHarness({ fraud: VELOCITY, rules: [{ id: 'review', on: 'review.posted', award: { fixed: 25 } }] });

  it('a held earn is listed and linked from fraud.flagged, never activates by itself, and is approved once', async () => {
    const { memberId, heldAt, eventId } = await flagged(p);
    const [hold, ...others] = await holds(p);
    expect(others).toEqual([]);
    expect(hold).toMatchObject({ memberId, status: 'open', points: 25, eventId, heldAt: iso(heldAt), heldUntil: iso(heldAt + 7 * DAY), overdue: false, link: `/v1/fraud-holds/${hold!.id}` });
    expect(hold!.reason).toContain('3 earning events within 10 minutes');
    expect((await p.loyaltyEvents('fraud.flagged', memberId)).map((e) => e.data)).toEqual([
      expect.objectContaining({ holdId: hold!.id, link: `/v1/fraud-holds/${hold!.id}`, points: 25, heldUntil: iso(heldAt + 7 * DAY), eventId }),
    ]);
    expect(await json(await p.h.call('GET', hold!.link))).toMatchObject({ id: hold!.id, status: 'open' });

    // The hold's own time passes: the points stay held while the review is open.
    p.clock.set(heldAt + 30 * DAY);
    expect((await p.tick()).activated).toBe(0);
    expect(await p.balance(memberId)).toMatchObject({ available: 50, pending: 25 });
    expect((await holds(p))[0]).toMatchObject({ overdue: true });

    const approved = await decide(p, hold!.id, 'approve', 'customer verified by phone');
    expect(approved.status).toBe(200);
    const body = await json<{ hold: Hold; transactions: Tx[] }>(approved);
    expect(body.hold).toMatchObject({ status: 'approved', decidedBy: 'ADMIN_API_KEY', decisionReason: 'customer verified by phone' });
    expect(body.transactions).toEqual([
      expect.objectContaining({ kind: 'activate', amount: 25, source: 'admin', actor: 'ADMIN_API_KEY', reason: 'fraud review approved: customer verified by phone', metadata: { holdId: hold!.id } }),
    ]);
    expect(await p.balance(memberId)).toMatchObject({ available: 75, pending: 0 });

    for (const again of ['approve', 'reject'] as const) {
      const res = await decide(p, hold!.id, again, 'second look');
      expect(res.status).toBe(409);
      expect(await json(res)).toMatchObject({ type: '/problems/fraud-hold-decided', holdStatus: 'approved' });
    }
    expect(await p.balance(memberId)).toMatchObject({ available: 75, pending: 0 });
    expect(await holds(p)).toEqual([]);
    expect((await holds(p, 'approved')).map((h) => h.id)).toEqual([hold!.id]);
    expect(await reviewHistory(p, memberId)).toEqual([
      ['points.held', expect.objectContaining({ holdId: hold!.id, points: 25, eventId })],
      ['points.approved', expect.objectContaining({ holdId: hold!.id, points: 25, reason: 'customer verified by phone' })],
    ]);
  });

  it('a rejected hold is voided: nothing of it becomes available, then or later', async () => {
    const { memberId } = await flagged(p);
    const [hold] = await holds(p);
    const rejected = await decide(p, hold!.id, 'reject', 'bot reviews');
    expect(rejected.status).toBe(200);
    expect((await json<{ transactions: Tx[] }>(rejected)).transactions).toEqual([
      expect.objectContaining({ kind: 'reverse', amount: 25, source: 'admin', reason: 'fraud review rejected: bot reviews' }),
    ]);
    expect(await p.balance(memberId)).toMatchObject({ available: 50, pending: 0, lifetimeEarned: 50 });
    expect((await decide(p, hold!.id, 'reject', 'again')).status).toBe(409);
    p.clock.advance(30 * DAY);
    expect((await p.tick()).activated).toBe(0);
    expect(await p.balance(memberId)).toMatchObject({ available: 50, pending: 0 });
    expect((await reviewHistory(p, memberId)).map(([kind]) => kind)).toEqual(['points.held', 'points.rejected']);
  });

  it('an approval and a rejection racing: one decides, the other gets 409', async () => {
    const { memberId } = await flagged(p);
    const [hold] = await holds(p);
    const answers = await Promise.all([decide(p, hold!.id, 'approve', 'fine'), decide(p, hold!.id, 'reject', 'not fine')]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const won = answers[0]!.status === 200 ? 'approved' : 'rejected';
    expect(await p.balance(memberId)).toMatchObject(won === 'approved' ? { available: 75, pending: 0 } : { available: 50, pending: 0 });
  });

  it("lists one member's holds with ?memberId= (the console's member page)", async () => {
    const first = await flagged(p);
    const second = await flagged(p);
    const mine = async (memberId: string, status = 'open') =>
      (await json<{ data: Hold[] }>(await p.h.call('GET', `/v1/fraud-holds?status=${status}&memberId=${memberId}`))).data.map((h) => h.memberId);
    expect((await holds(p)).map((h) => h.memberId)).toEqual([first.memberId, second.memberId]);
    expect(await mine(second.memberId)).toEqual([second.memberId]);
    expect(await mine(second.memberId, 'approved')).toEqual([]);
    expect(await mine('mem_nobody')).toEqual([]);
  });

  it('pages the holds oldest first, each once, with the cursor it hands out (or a bare hold id, as before)', async () => {
    for (let i = 0; i < 3; i++) await flagged(p);
    const all = await holds(p);
    expect(all).toHaveLength(3);
    const seen: Hold[] = [];
    let cursor: string | null = null;
    do {
      const res = await p.h.call('GET', `/v1/fraud-holds?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page: { data: Hold[]; nextCursor: string | null } = await json(res);
      seen.push(...page.data);
      cursor = page.nextCursor;
      if (cursor) expect(cursor).not.toBe(page.data.at(-1)!.id);
    } while (cursor);
    expect(seen).toEqual(all);
    expect((await json<{ data: Hold[] }>(await p.h.call('GET', `/v1/fraud-holds?cursor=${all[0]!.id}`))).data).toEqual(all.slice(1));
    const bad = await p.h.call('GET', '/v1/fraud-holds?cursor=garbage');
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ type: '/problems/invalid-cursor', errors: [{ pointer: '/cursor', in: 'query' }] });
  });

  it('refuses a decision without a reason, an unknown hold, and keys below admin', async () => {
    await flagged(p);
    const [hold] = await holds(p);
    const noReason = await p.h.call('POST', `/v1/fraud-holds/${hold!.id}/approve`, { body: { reason: ' ' } });
    expect(noReason.status).toBe(400);
    expect((await json<{ errors: { pointer: string }[] }>(noReason)).errors.map((e) => e.pointer)).toEqual(['/reason']);
    expect((await decide(p, 'fh_unknown', 'approve', 'x')).status).toBe(404);
    expect((await p.h.call('GET', '/v1/fraud-holds', { scope: 'write' })).status).toBe(403);
    expect((await p.h.call('POST', `/v1/fraud-holds/${hold!.id}/reject`, { scope: 'write', body: { reason: 'x' } })).status).toBe(403);
    expect((await p.h.call('GET', '/v1/fraud-holds?status=closed')).status).toBe(400);
    expect((await holds(p))[0]).toMatchObject({ id: hold!.id, status: 'open' });
  });
});

describe('fraud holds: an approved line keeps its returns window, and its expiry counts from activation', () => {
  const p = programHarness({
    fraud: VELOCITY,
    rules: [{ id: 'review', on: 'review.posted', award: { fixed: 25 }, pendingDays: 14, expiry: { afterDays: 30 } }],
  });

  it('approved within the window: pending until it ends; approved after it: available at once', async () => {
    const { memberId, heldAt } = await flagged(p, { available: 0, pending: 75 });
    const [hold] = await holds(p);
    p.clock.set(heldAt + 3 * DAY);
    const early = await json<{ transactions: Tx[] }>(await decide(p, hold!.id, 'approve', 'ok'));
    expect(early.transactions).toEqual([]);
    expect(await p.balance(memberId)).toMatchObject({ pending: 75 });
    p.clock.set(heldAt + 14 * DAY);
    expect((await p.tick()).activated).toBe(3);
    const balance = await p.balance(memberId);
    expect(balance).toMatchObject({ available: 75, pending: 0 });
    // Activated when its window ended, as if never held: the same UTC day as the other two.
    expect(balance.expiring).toEqual([{ points: 75, expiresAt: iso(heldAt - 2 * MINUTE + 44 * DAY) }]);

    // A second member, approved after its window: active now, expiring 30 days from now.
    const second = await flagged(p, { available: 0, pending: 75 });
    const [late] = await holds(p);
    p.clock.set(second.heldAt + 20 * DAY);
    expect((await json<{ transactions: Tx[] }>(await decide(p, late!.id, 'approve', 'ok'))).transactions).toMatchObject([{ kind: 'activate', amount: 25 }]);
    expect((await p.balance(second.memberId)).expiring).toContainEqual({ points: 25, expiresAt: iso(second.heldAt + 50 * DAY) });
  });
});

describe('fraud holds: rejected points no longer count toward tiers', () => {
  // Pending points count toward tiers (docs/program.md, "Tiers"), held ones too; voided ones must not.
  const p = programHarness({
    fraud: { velocity: { events: 2, minutes: 10, holdDays: 7 } },
    tiers: {
      basis: { window: 'rolling', days: 365 },
      downgrade: { mode: 'after_days', days: 0 },
      levels: [
        { id: 'bronze', name: 'Bronze', threshold: 0 },
        { id: 'silver', name: 'Silver', threshold: 1000, multiplier: '1.25' },
      ],
    },
    rules: [{ id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } }],
  });

  it('a rejection takes its points out of the tier window and reviews the tier', async () => {
    const memberId = await p.enroll();
    await p.order(memberId, { amount: 60_000 });
    p.clock.advance(MINUTE);
    // The second order within ten minutes is held; its 600 points lift the member to Silver.
    await p.order(memberId, { amount: 60_000 });
    expect(await p.balance(memberId)).toMatchObject({ available: 600, pending: 600, tier: 'silver', nextTier: null });
    const [hold] = await holds(p);

    expect((await decide(p, hold!.id, 'reject', 'card testing')).status).toBe(200);
    expect(await p.balance(memberId)).toMatchObject({
      available: 600,
      pending: 0,
      tier: 'bronze',
      nextTier: { id: 'silver', qualifyingPoints: 600, pointsNeeded: 400 },
    });
    expect((await p.loyaltyEvents('tier.downgraded', memberId)).map((e) => (e.data.tier as { id: string }).id)).toEqual(['bronze']);
  });
});
