/**
 * The program's time-driven work, run by the scheduler beside the ledger's (activation, hold
 * release, expiry) and by `loyalty-hub expire`:
 * - `points.expiring`, `notices.expiringDays` ahead, once for every batch (member + expiry
 *   instant) that will expire — not only the next one;
 * - tier reviews: on a rolling window points age out with no event, so members above the base
 *   tier are looked at again daily, and pending downgrades take effect;
 * - refunds parked waiting for their order become exceptions after `refunds.parkHours`.
 */
import { and, asc, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Commit } from '../commit/commit.js';
import type { Clock } from '../ledger/types.js';
import { tablesOf } from '../storage/prepared.js';
import type { Store } from '../storage/store.js';
import { DAY_MS } from './calendar.js';
import type { Program } from './compiled-program.js';
import { reviewTier } from './member-standing.js';
import { expireParkedRefunds } from './refunds.js';

export interface ProgramDueWork {
  expiringNotices: number;
  tierReviews: number;
  refundExceptions: number;
}

/** What the program's due work writes with. */
export interface DueDeps {
  store: Store;
  commit: Commit;
  clock: Clock;
}

export async function runProgramDue(deps: DueDeps, program: Program, limit = 500): Promise<ProgramDueWork> {
  const { store, commit } = deps;
  const work: ProgramDueWork = { expiringNotices: 0, tierReviews: 0, refundExceptions: 0 };
  const days = program.config.notices.expiringDays;
  if (days > 0) work.expiringNotices = await noticeExpiring(deps, days, limit);

  const { memberStanding } = tablesOf(store.db);
  const now = deps.clock();
  const due = await store.db
    .select({ memberId: memberStanding.memberId })
    .from(memberStanding)
    .where(lte(memberStanding.reviewAt, now))
    .orderBy(asc(memberStanding.reviewAt))
    .limit(limit);
  for (const { memberId } of due) {
    await commit('scheduler', (w) => reviewTier(w, program, memberId));
    work.tierReviews++;
  }
  work.refundExceptions = await commit('scheduler', (w) => expireParkedRefunds(w, program, limit));
  return work;
}

async function noticeExpiring({ store, commit, clock }: DueDeps, days: number, limit: number): Promise<number> {
  const now = clock();
  const { lots, expiryNotices } = tablesOf(store.db);
  const batches = await store.db
    .select({ memberId: lots.memberId, expiresAt: lots.spendOrder, points: sql<number>`sum(${lots.remaining} + ${lots.locked})` })
    .from(lots)
    .leftJoin(expiryNotices, and(sql`${expiryNotices.memberId} = ${lots.memberId}`, sql`${expiryNotices.expiresAt} = ${lots.spendOrder}`))
    .where(and(sql`${lots.status} = 'active'`, gt(lots.expiresAt, now), lte(lots.expiresAt, now + days * DAY_MS), isNull(expiryNotices.memberId)))
    .groupBy(lots.memberId, lots.spendOrder)
    .limit(limit);
  let sent = 0;
  await commit('scheduler', async (w) => {
    const { tx, now: t } = w;
    for (const b of batches) {
      const points = Number(b.points);
      if (points <= 0) continue;
      const inserted = await tx
        .insert(tablesOf(tx).expiryNotices)
        .values({ memberId: b.memberId, expiresAt: b.expiresAt, notifiedAt: t })
        .onConflictDoNothing()
        .returning({ m: tablesOf(tx).expiryNotices.memberId });
      if (!inserted.length) continue;
      await w.emit({
        type: 'points.expiring',
        memberId: b.memberId,
        data: { points, expiresAt: new Date(b.expiresAt).toISOString(), days: Math.ceil((b.expiresAt - t) / DAY_MS) },
      });
      sent++;
    }
  });
  return sent;
}
