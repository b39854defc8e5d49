/**
 * Redeeming a reward, in ONE transaction: check the reward is live and the member eligible,
 * take one from stock (a conditional decrement: never below zero), spend the points (the
 * ledger refuses beyond `available`, I5), issue the voucher (generated, or claimed from the
 * pool) and announce `reward.redeemed`. Any refusal rolls all of it back, so 50 concurrent
 * redemptions against points for 10 give exactly 10 redemptions, 10 fewer in stock, and a
 * balance that never went below zero.
 */
import type { Writer } from '../commit/writer.js';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { newId } from '../ids.js';
import { requireNotSuspended } from '../members/member-status.js';
import { spend, type Posted } from '../ledger/index.js';
import { announcement } from '../ledger/operation.js';
import type { Program } from '../program/compiled-program.js';
import { memberContext } from '../program/member-standing.js';
import { tablesOf } from '../storage/prepared.js';
import { DAY_MS } from '../program/calendar.js';
import { requireReward, type Reward } from './catalog.js';
import { RewardError } from './reward-error.js';
import { generateVoucherCode } from './voucher-code.js';

export interface RedemptionRow {
  id: string;
  rewardId: string;
  memberId: string;
  points: number;
  transferId: string;
  voucherCode: string | null;
  voucherExpiresAt: number | null;
  status: string;
  createdAt: number;
}

export interface Redeemed {
  redemption: RedemptionRow;
  reward: Reward;
  posted: Posted;
  /** The same idempotency key redeemed earlier: nothing new was written. */
  duplicate: boolean;
}

/** The fields of a reward that mappings and store-code connectors see (`reward.*`). */
export function presentRewardForEvent(r: Reward) {
  return { id: r.id, name: r.name, kind: r.kind, cost: r.cost, points: r.cost, value: r.value, currency: r.currency, percent: r.percent, productSku: r.productSku };
}

export async function redeem(
  w: Writer,
  program: Program,
  input: { memberId: string; rewardId: string; idempotencyKey: string },
): Promise<Redeemed> {
  const { tx, now } = w;
  const { redemptions, rewards, vouchers, voucherPool } = tablesOf(tx);
  let reward = await requireReward(tx, input.rewardId);
  const spendKey = `redeem:${input.idempotencyKey}`;

  // A retry with the same key returns the first redemption.
  const [earlier] = await tx.select().from(tablesOf(tx).transfers).where(eq(tablesOf(tx).transfers.idempotencyKey, spendKey));
  if (earlier) {
    const [row] = await tx.select().from(redemptions).where(eq(redemptions.transferId, earlier.id));
    const voucher = row?.voucherCode ? (await tx.select().from(vouchers).where(eq(vouchers.code, row.voucherCode)))[0] : undefined;
    if (row) return { redemption: { ...row, voucherExpiresAt: voucher?.expiresAt ?? null }, reward, posted: { transfer: earlier, duplicate: true }, duplicate: true };
  }

  await requireNotSuspended(tx, input.memberId, 'redeem');
  if (reward.status !== 'active') throw new RewardError('reward_unavailable', `reward ${reward.id} is archived`, { rewardId: reward.id });
  if ((reward.validFrom !== null && now < reward.validFrom) || (reward.validUntil !== null && now > reward.validUntil)) {
    throw new RewardError('reward_unavailable', `reward ${reward.id} is not available now`, { rewardId: reward.id });
  }
  if (reward.tiers.length || reward.segments.length) {
    const member = await memberContext(tx, program, input.memberId);
    if (reward.tiers.length && !(member.tier && reward.tiers.includes(member.tier))) {
      throw new RewardError('not_eligible', `reward ${reward.id} is for tiers ${reward.tiers.join(', ')}; the member is ${member.tier ?? 'in none'}`, { tiers: reward.tiers });
    }
    if (reward.segments.length && !reward.segments.some((s) => member.segments.includes(s))) {
      throw new RewardError('not_eligible', `reward ${reward.id} is for segments ${reward.segments.join(', ')}`, { segments: reward.segments });
    }
  }
  if (reward.perMemberLimit !== null) {
    const [used] = await tx
      .select({ n: sql<number>`count(*)` })
      .from(redemptions)
      .where(and(eq(redemptions.memberId, input.memberId), eq(redemptions.rewardId, reward.id), ne(redemptions.status, 'reversed')));
    if (Number(used?.n ?? 0) >= reward.perMemberLimit) {
      throw new RewardError('member_limit_reached', `the member has redeemed reward ${reward.id} ${reward.perMemberLimit} time(s), its limit`, { perMemberLimit: reward.perMemberLimit });
    }
  }
  if (reward.stock !== null) {
    const taken = await tx
      .update(rewards)
      .set({ stock: sql`${rewards.stock} - 1`, updatedAt: now })
      .where(and(eq(rewards.id, reward.id), sql`${rewards.stock} > 0`))
      .returning({ stock: rewards.stock });
    if (!taken.length) throw new RewardError('out_of_stock', `reward ${reward.id} is out of stock`, { rewardId: reward.id });
    // The answer shows the reward as this redemption left it, not the stock before it.
    reward = { ...reward, stock: Number(taken[0]!.stock) };
  }

  const redemptionId = newId('rdm', now);
  const posted = await w.post(spend, {
    memberId: input.memberId,
    points: reward.cost,
    idempotencyKey: spendKey,
    why: { source: 'redemption', redemptionId, reason: `reward: ${reward.name}` },
    // A store that redeems the reward itself (Square's till locks its own points for it) needs
    // its points mirror to leave this spend alone: mappings see the stores (docs/mappings.md).
    ...(reward.storeCodes.length ? { eventData: { storeCodes: reward.storeCodes } } : {}),
  });

  let code: string | null = null;
  if (reward.kind !== 'points_as_payment') {
    if (reward.codeSource === 'pool') {
      const [free] = await tx
        .select({ code: voucherPool.code })
        .from(voucherPool)
        .where(and(eq(voucherPool.rewardId, reward.id), isNull(voucherPool.redemptionId)))
        .limit(1);
      const claimed = free
        ? await tx.update(voucherPool).set({ redemptionId }).where(and(eq(voucherPool.code, free.code), isNull(voucherPool.redemptionId))).returning({ code: voucherPool.code })
        : [];
      if (!claimed.length) throw new RewardError('pool_empty', `reward ${reward.id} has no voucher codes left; upload more`, { rewardId: reward.id });
      code = claimed[0]!.code;
    } else {
      code = generateVoucherCode();
    }
  }
  const validDays = reward.voucherValidDays ?? program.config.redemption.voucherValidDays;
  const voucherExpiresAt = code ? now + validDays * DAY_MS : null;
  const row: RedemptionRow = { id: redemptionId, rewardId: reward.id, memberId: input.memberId, points: reward.cost, transferId: posted.transfer.id, voucherCode: code, voucherExpiresAt, status: 'issued', createdAt: now };
  w.tally.redemption(row.rewardId, row.points);
  await tx.insert(redemptions).values({ id: row.id, rewardId: row.rewardId, memberId: row.memberId, points: row.points, transferId: row.transferId, voucherCode: code, status: 'issued', createdAt: now, reversedAt: null });
  if (code) {
    await tx.insert(vouchers).values({ code, redemptionId, rewardId: reward.id, memberId: input.memberId, status: 'active', expiresAt: voucherExpiresAt, usedAt: null, usedReference: null, createdAt: now });
  }
  const { balances } = tablesOf(tx);
  const [balance] = await tx.select().from(balances).where(eq(balances.memberId, input.memberId));
  const { memberId: _m, version: _v, updatedAt: _u, ...snapshot } = balance!;
  // All the points event fields of the spend, plus the reward's (docs/mappings.md, "reward.redeemed"):
  // without them `when: kind == 'spend'` passed `mappings check` (its sample has them) and never held.
  // Its points, transferId, redemptionId and balance are the spend's (points = reward.cost).
  const announced = announcement(posted.transfer, snapshot, 'reward.redeemed');
  await w.emit({
    ...announced,
    data: {
      ...announced.data,
      rewardId: reward.id,
      voucherCode: code,
      voucherExpiresAt: voucherExpiresAt === null ? null : new Date(voucherExpiresAt).toISOString(),
      reward: presentRewardForEvent(reward),
      storeCodes: reward.storeCodes,
    },
  });
  return { redemption: row, reward, posted, duplicate: false };
}
