/**
 * Reversing a redemption: the points go back to the very lots they were spent from, with their
 * original expiry (the ledger's spend reversal), the stock is restored and the voucher is
 * voided — all or nothing. A voucher already used cannot be reversed: the customer has had the
 * reward (at a till, or at a store's checkout: core/rewards/store-vouchers.ts). A reward that
 * asked for store codes gets its unused code deleted at those stores through the outbox: the
 * `points.reversed` event carries `voucherCode` and `storeCodes` for the core's store-code router
 * (core/rewards/store-code-router.ts; docs/api.md, "Rewards, redemption and checkout").
 */
import type { Writer } from '../commit/writer.js';
import { and, eq, sql } from 'drizzle-orm';
import { reverse, type Posted } from '../ledger/index.js';
import { transferByKey } from '../ledger/record-transfer.js';
import { orderKey } from '../triggers/order-identity.js';
import { tablesOf } from '../storage/prepared.js';
import { RewardError } from './reward-error.js';

export async function reverseRedemption(w: Writer, redemptionId: string, why: { reason?: string }): Promise<{ posted: Posted; redemptionId: string; alreadyReversed: boolean }> {
  const { tx, now } = w;
  const { redemptions, rewards, vouchers } = tablesOf(tx);
  const [row] = await tx.select().from(redemptions).where(eq(redemptions.id, redemptionId));
  if (!row) throw new RewardError('redemption_not_found', `no redemption ${redemptionId}`, { redemptionId });
  const key = `reverse-redemption:${redemptionId}`;
  if (row.status === 'reversed') {
    const posted = await transferByKey(tx, key);
    if (!posted) throw new RewardError('redemption_reversed', `redemption ${redemptionId} was reversed a moment ago`, { redemptionId });
    return { posted, redemptionId, alreadyReversed: true };
  }
  let voided: string | null = null;
  if (row.voucherCode) {
    const [voucher] = await tx.select().from(vouchers).where(eq(vouchers.code, row.voucherCode));
    if (voucher?.status === 'used') throw await usedVoucherError(w, voucher.code, voucher.usedReference);
    const flippedVoucher = await tx
      .update(vouchers)
      .set({ status: 'void' })
      .where(and(eq(vouchers.code, row.voucherCode), eq(vouchers.status, 'active')))
      .returning({ code: vouchers.code });
    if (flippedVoucher.length) voided = row.voucherCode;
  }
  const flipped = await tx.update(redemptions).set({ status: 'reversed', reversedAt: now }).where(and(eq(redemptions.id, redemptionId), eq(redemptions.status, 'issued'))).returning({ id: redemptions.id });
  if (!flipped.length) {
    // A concurrent twin reversed it and committed while this update waited for the row (read
    // committed on PostgreSQL): its reversal is the answer, as it is on SQLite where the twin
    // would simply have run first (docs/api.md, "Idempotency").
    const posted = await transferByKey(tx, key);
    if (!posted) throw new RewardError('redemption_reversed', `redemption ${redemptionId} was reversed a moment ago`, { redemptionId });
    return { posted, redemptionId, alreadyReversed: true };
  }
  await tx.update(rewards).set({ stock: sql`${rewards.stock} + 1`, updatedAt: now }).where(and(eq(rewards.id, row.rewardId), sql`${rewards.stock} is not null`));
  const [reward] = voided ? await tx.select({ storeCodes: rewards.storeCodes }).from(rewards).where(eq(rewards.id, row.rewardId)) : [];
  // The stores to delete the code at: the reward's as it is now (a code made at a store since
  // removed from the reward stays there; docs/api.md). Only a voucher voided by this reversal:
  // one already void or expired-and-void has nothing left to delete.
  const storeCodes = voided && reward ? (JSON.parse(reward.storeCodes) as string[]) : [];
  const posted = await w.post(reverse, {
    transferId: row.transferId,
    idempotencyKey: key,
    why: { source: 'redemption', redemptionId, reason: why.reason ?? 'redemption reversed' },
    ...(storeCodes.length ? { eventData: { voucherCode: voided, storeCodes } } : {}),
  });
  return { posted, redemptionId, alreadyReversed: false };
}

/**
 * 409 for a used voucher; when a store's order used it (its reference is an order the hub
 * recorded), saying so: the store honoured the code, so the points are not returned.
 */
async function usedVoucherError(w: Writer, code: string, reference: string | null): Promise<RewardError> {
  const { orders } = tablesOf(w.tx);
  const [order] = reference ? await w.tx.select({ key: orders.key, source: orders.source }).from(orders).where(eq(orders.key, reference)) : [];
  if (order) {
    const orderId = order.key.slice(orderKey(order.source, '').length);
    return new RewardError('voucher_used', `voucher ${code} was used at ${order.source} in order ${orderId}: the store honoured the code, so the redemption cannot be reversed`, {
      code,
      source: order.source,
      orderId,
    });
  }
  return new RewardError('voucher_used', `voucher ${code} was used; the redemption cannot be reversed`, { code, ...(reference ? { reference } : {}) });
}
