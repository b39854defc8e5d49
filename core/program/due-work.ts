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
import type { Ledger } from '../ledger/index.js';
import { emitEvent } from '../outbox/emit.js';
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

export async function runProgramDue(store: Store, ledger: Ledger, program: Program, limit = 500): Promise<ProgramDueWork> {
  const work: ProgramDueWork = { expiringNotices: 0, tierReviews: 0, refundExceptions: 0 };
  const days = program.config.notices.expiringDays;
  if (days > 0) work.expiringNotices = await noticeExpiring(store, ledger, days, limit);

  const { memberStanding } = tablesOf(store.db);
  const now = ledger.clock();
  const due = await store.db
    .select({ memberId: memberStanding.memberId })
    .from(memberStanding)
    .where(lte(memberStanding.reviewAt, now))
    .orderBy(asc(memberStanding.reviewAt))
    .limit(limit);
  for (const { memberId } of due) {
    await ledger.write((tx, t) => reviewTier(tx, t, program, memberId));
    work.tierReviews++;
  }
  work.refundExceptions = await ledger.write((tx, t) => expireParkedRefunds(tx, t, program, limit));
  return work;
}

async function noticeExpiring(store: Store, ledger: Ledger, days: number, limit: number): Promise<number> {
  const now = ledger.clock();
  const { lots, expiryNotices } = tablesOf(store.db);
  const batches = await store.db
    .select({ memberId: lots.memberId, expiresAt: lots.spendOrder, points: sql<number>`sum(${lots.remaining} + ${lots.locked})` })
    .from(lots)
    .leftJoin(expiryNotices, and(sql`${expiryNotices.memberId} = ${lots.memberId}`, sql`${expiryNotices.expiresAt} = ${lots.spendOrder}`))
    .where(and(sql`${lots.status} = 'active'`, gt(lots.expiresAt, now), lte(lots.expiresAt, now + days * DAY_MS), isNull(expiryNotices.memberId)))
    .groupBy(lots.memberId, lots.spendOrder)
    .limit(limit);
  let sent = 0;
  await ledger.write(async (tx, t) => {
    for (const b of batches) {
      const points = Number(b.points);
      if (points <= 0) continue;
      const inserted = await tx
        .insert(tablesOf(tx).expiryNotices)
        .values({ memberId: b.memberId, expiresAt: b.expiresAt, notifiedAt: t })
        .onConflictDoNothing()
        .returning({ m: tablesOf(tx).expiryNotices.memberId });
      if (!inserted.length) continue;
      await emitEvent(tx, t, {
        type: 'points.expiring',
        memberId: b.memberId,
        data: { points, expiresAt: new Date(b.expiresAt).toISOString(), days: Math.ceil((b.expiresAt - t) / DAY_MS) },
      });
      sent++;
    }
  });
  return sent;
}
