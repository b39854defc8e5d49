/**
 * A voucher is used once: a conditional update from `active` to `used` is the whole check, so
 * two tills scanning one code at the same instant get one success and one 409.
 */
import type { Writer } from '../commit/writer.js';
import { and, eq } from 'drizzle-orm';
import { tablesOf } from '../storage/prepared.js';
import { getReward } from './catalog.js';
import { presentRewardForEvent } from './redeem.js';
import type { Db } from '../storage/store.js';
import { RewardError } from './reward-error.js';
import { normalizeVoucherCode } from './voucher-code.js';

export type VoucherRow = import('../storage/rows.js').Row<'vouchers'>;

export async function findVoucher(db: Db, code: string): Promise<VoucherRow | undefined> {
  const { vouchers } = tablesOf(db);
  const [row] = await db.select().from(vouchers).where(eq(vouchers.code, normalizeVoucherCode(code)));
  return row;
}

export async function useVoucher(w: Writer, code: string, reference?: string): Promise<VoucherRow> {
  const { tx, now } = w;
  const voucher = await findVoucher(tx, code);
  if (!voucher) throw new RewardError('voucher_not_found', 'no such voucher', {});
  if (voucher.status === 'used') throw new RewardError('voucher_used', `voucher used at ${new Date(voucher.usedAt!).toISOString()}`, { usedAt: new Date(voucher.usedAt!).toISOString() });
  if (voucher.status === 'void') throw new RewardError('voucher_void', 'the voucher was cancelled (its redemption was reversed)', {});
  if (voucher.expiresAt !== null && voucher.expiresAt < now) throw new RewardError('voucher_expired', `the voucher expired at ${new Date(voucher.expiresAt).toISOString()}`, {});
  const used = await markVoucherUsed(w, voucher.code, reference ?? null);
  if (!used) throw new RewardError('voucher_used', 'the voucher was used a moment ago', {});
  return used;
}

/**
 * The one way a voucher becomes used (a till, or a store's order: ./store-vouchers.ts): a
 * conditional update from `active`, and `voucher.used` announced in the same write. `undefined`
 * when the voucher was not active any more (a concurrent use won).
 */
export async function markVoucherUsed(w: Writer, code: string, reference: string | null, data: Record<string, unknown> = {}): Promise<VoucherRow | undefined> {
  const { tx, now } = w;
  const { vouchers } = tablesOf(tx);
  const [used] = await tx
    .update(vouchers)
    .set({ status: 'used', usedAt: now, usedReference: reference })
    .where(and(eq(vouchers.code, code), eq(vouchers.status, 'active')))
    .returning();
  if (!used) return undefined;
  // `reward` in scope on voucher.used, as on reward.redeemed (docs/mappings.md, "What a mapping sees").
  const reward = await getReward(tx, used.rewardId);
  await w.emit({
    type: 'voucher.used',
    memberId: used.memberId,
    data: { code: used.code, rewardId: used.rewardId, redemptionId: used.redemptionId, reference, ...data, reward: reward ? presentRewardForEvent(reward) : null },
  });
  return used;
}
