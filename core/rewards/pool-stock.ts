/**
 * How many uploaded codes a pool reward has left (docs/api.md, "Rewards, redemption and
 * checkout"): the count only, never the codes — an unused code is a discount anyone holding it
 * can spend. Counted on the partial index of free codes (`voucher_pool_free_idx`) and stopped at
 * `POOL_COUNT_CAP`, so the answer costs the same however large a pool grows.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { requireReward } from './catalog.js';

/** Counts stop here: one upload is at most this many codes (POST /v1/rewards/{id}/codes). */
export const POOL_COUNT_CAP = 10_000;

export interface PoolStock {
  rewardId: string;
  /** Unused codes, at most POOL_COUNT_CAP. */
  unused: number;
  /** More than `unused` are left (the count stopped at the cap). */
  more: boolean;
}

export async function poolStock(db: Db, rewardId: string): Promise<PoolStock> {
  await requireReward(db, rewardId);
  const { voucherPool } = tablesOf(db);
  const free = db
    .select({ one: sql`1`.as('one') })
    .from(voucherPool)
    .where(and(eq(voucherPool.rewardId, rewardId), isNull(voucherPool.redemptionId)))
    .limit(POOL_COUNT_CAP + 1)
    .as('free');
  const [row] = await db.select({ n: sql<number | string>`count(*)` }).from(free);
  const n = Number(row?.n ?? 0);
  return { rewardId, unused: Math.min(n, POOL_COUNT_CAP), more: n > POOL_COUNT_CAP };
}
