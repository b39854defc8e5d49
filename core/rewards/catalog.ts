/**
 * The reward catalog: what members can spend points on. A reward's cost is in points; its kind
 * says what the voucher is worth at checkout. Rewards are archived, never deleted, so every
 * redemption keeps naming the reward it bought.
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import { newId } from '../ids.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { RewardError } from './reward-error.js';

export type RewardRow = import('../storage/rows.js').Row<'rewards'>;
export type RewardKind = 'voucher' | 'fixed_discount' | 'percentage_discount' | 'free_product' | 'points_as_payment';

export interface RewardInput {
  name: string;
  description?: string | null;
  kind: RewardKind;
  cost: number;
  value?: number | null;
  currency?: string | null;
  percent?: number | null;
  productSku?: string | null;
  codeSource?: 'generated' | 'pool';
  stock?: number | null;
  perMemberLimit?: number | null;
  tiers?: string[];
  segments?: string[];
  validFrom?: number | null;
  validUntil?: number | null;
  voucherValidDays?: number | null;
  storeCodes?: string[];
  status?: 'active' | 'archived';
}

export interface Reward extends Omit<RewardRow, 'tiers' | 'segments' | 'storeCodes'> {
  tiers: string[];
  segments: string[];
  storeCodes: string[];
}

export function toReward(row: RewardRow): Reward {
  return {
    ...row,
    tiers: JSON.parse(row.tiers) as string[],
    segments: JSON.parse(row.segments) as string[],
    storeCodes: JSON.parse(row.storeCodes) as string[],
  };
}

function columns(input: Partial<RewardInput>) {
  const out: Record<string, unknown> = { ...input };
  if (input.tiers) out.tiers = JSON.stringify(input.tiers);
  if (input.segments) out.segments = JSON.stringify(input.segments);
  if (input.storeCodes) out.storeCodes = JSON.stringify(input.storeCodes);
  return out;
}

export async function createReward(tx: Db, now: number, input: RewardInput): Promise<Reward> {
  const { rewards } = tablesOf(tx);
  const id = newId('rwd', now);
  await tx.insert(rewards).values({
    id,
    name: input.name,
    description: input.description ?? null,
    kind: input.kind,
    cost: input.cost,
    value: input.value ?? null,
    currency: input.currency?.toUpperCase() ?? null,
    percent: input.percent ?? null,
    productSku: input.productSku ?? null,
    codeSource: input.codeSource ?? 'generated',
    stock: input.stock ?? null,
    perMemberLimit: input.perMemberLimit ?? null,
    tiers: JSON.stringify(input.tiers ?? []),
    segments: JSON.stringify(input.segments ?? []),
    validFrom: input.validFrom ?? null,
    validUntil: input.validUntil ?? null,
    voucherValidDays: input.voucherValidDays ?? null,
    storeCodes: JSON.stringify(input.storeCodes ?? []),
    status: input.status ?? 'active',
    createdAt: now,
    updatedAt: now,
  });
  return requireReward(tx, id);
}

export async function updateReward(tx: Db, now: number, id: string, input: Partial<RewardInput>): Promise<Reward> {
  await requireReward(tx, id);
  const { rewards } = tablesOf(tx);
  await tx
    .update(rewards)
    .set({ ...columns(input), ...(input.currency ? { currency: input.currency.toUpperCase() } : {}), updatedAt: now })
    .where(eq(rewards.id, id));
  return requireReward(tx, id);
}

export async function getReward(db: Db, id: string): Promise<Reward | undefined> {
  const { rewards } = tablesOf(db);
  const [row] = await db.select().from(rewards).where(eq(rewards.id, id));
  return row ? toReward(row) : undefined;
}

export async function requireReward(db: Db, id: string): Promise<Reward> {
  const reward = await getReward(db, id);
  if (!reward) throw new RewardError('reward_not_found', `no reward ${id}`, { rewardId: id });
  return reward;
}

export async function listRewards(db: Db, page: { limit: number; after?: string; status?: string }): Promise<Reward[]> {
  const { rewards } = tablesOf(db);
  const rows = await db
    .select()
    .from(rewards)
    .where(and(page.after ? gt(rewards.id, page.after) : undefined, page.status ? eq(rewards.status, page.status) : undefined))
    .orderBy(asc(rewards.id))
    .limit(page.limit);
  return rows.map(toReward);
}

/** Adds uploaded codes to a pool reward; codes already present are skipped. */
export async function addPoolCodes(tx: Db, now: number, rewardId: string, codes: string[]): Promise<number> {
  const reward = await requireReward(tx, rewardId);
  if (reward.codeSource !== 'pool') throw new RewardError('reward_unavailable', `reward ${rewardId} generates its codes; it has no pool`, { rewardId });
  const { voucherPool } = tablesOf(tx);
  // Set-based, a chunk per statement (within both dialects' bound-parameter limits): a 10,000-code
  // upload is a few statements, not 10,000 round trips.
  const unique = [...new Set(codes)];
  let added = 0;
  for (let i = 0; i < unique.length; i += 1000) {
    const rows = unique.slice(i, i + 1000).map((code) => ({ code, rewardId, redemptionId: null, addedAt: now }));
    added += (await tx.insert(voucherPool).values(rows).onConflictDoNothing().returning({ c: voucherPool.code })).length;
  }
  return added;
}
