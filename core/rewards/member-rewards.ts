/**
 * A member's vouchers and redemptions as support reads them (GET /v1/members/{id}/vouchers and
 * /redemptions; docs/api.md, "Members"): newest first, paged by (created_at, id) on the indexes
 * `vouchers_member_created_idx` and `redemptions_member_created_idx`, each row with its reward's
 * name (and a redemption with its voucher's state) joined in the same statement.
 */
import { and, desc, eq, lt, or, type Column } from 'drizzle-orm';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';

export interface Page {
  /** The (created_at, id) of the last row of the previous page. */
  after?: { at: number; id: string };
  limit: number;
}

/** Rows strictly older than the cursor in (created_at desc, id desc) order. */
const olderThan = (createdAt: Column, id: Column, after: Page['after']) =>
  after ? or(lt(createdAt, after.at), and(eq(createdAt, after.at), lt(id, after.id))) : undefined;

export async function listMemberVouchers(db: Db, memberId: string, page: Page) {
  const { rewards, vouchers: v } = tablesOf(db);
  return db
    .select({
      code: v.code,
      status: v.status,
      redemptionId: v.redemptionId,
      rewardId: v.rewardId,
      rewardName: rewards.name,
      expiresAt: v.expiresAt,
      usedAt: v.usedAt,
      usedReference: v.usedReference,
      createdAt: v.createdAt,
    })
    .from(v)
    .leftJoin(rewards, eq(rewards.id, v.rewardId))
    .where(and(eq(v.memberId, memberId), olderThan(v.createdAt, v.code, page.after)))
    .orderBy(desc(v.createdAt), desc(v.code))
    .limit(page.limit);
}

export async function listMemberRedemptions(db: Db, memberId: string, page: Page) {
  const { redemptions: r, rewards, vouchers } = tablesOf(db);
  return db
    .select({
      id: r.id,
      status: r.status,
      points: r.points,
      rewardId: r.rewardId,
      rewardName: rewards.name,
      transferId: r.transferId,
      voucherCode: r.voucherCode,
      voucherStatus: vouchers.status,
      voucherExpiresAt: vouchers.expiresAt,
      createdAt: r.createdAt,
      reversedAt: r.reversedAt,
    })
    .from(r)
    .leftJoin(rewards, eq(rewards.id, r.rewardId))
    .leftJoin(vouchers, eq(vouchers.code, r.voucherCode))
    .where(and(eq(r.memberId, memberId), olderThan(r.createdAt, r.id, page.after)))
    .orderBy(desc(r.createdAt), desc(r.id))
    .limit(page.limit);
}
