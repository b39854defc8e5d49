/**
 * Reversing a redemption: the points go back to the very lots they were spent from, with their
 * original expiry (the ledger's spend reversal), the stock is restored and the voucher is
 * voided — all or nothing. A voucher already used cannot be reversed: the customer has had the
 * reward.
 */
import type { Writer } from '../commit/writer.js';
import { and, eq, sql } from 'drizzle-orm';
import { reverse, type Posted } from '../ledger/index.js';
import { transferByKey } from '../ledger/record-transfer.js';
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
  if (row.voucherCode) {
    const [voucher] = await tx.select().from(vouchers).where(eq(vouchers.code, row.voucherCode));
    if (voucher?.status === 'used') throw new RewardError('voucher_used', `voucher ${row.voucherCode} was used; the redemption cannot be reversed`, { code: row.voucherCode });
    await tx.update(vouchers).set({ status: 'void' }).where(and(eq(vouchers.code, row.voucherCode), eq(vouchers.status, 'active')));
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
  const posted = await w.post(reverse, {
    transferId: row.transferId,
    idempotencyKey: key,
    why: { source: 'redemption', redemptionId, reason: why.reason ?? 'redemption reversed' },
  });
  return { posted, redemptionId, alreadyReversed: false };
}
