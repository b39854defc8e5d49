/**
 * (b) Balance read latency: a member with 1,000 history rows against one with 1,000,000, read
 * through `ledger.balance()` (the balance row) and through the API's
 * `GET /v1/members/{id}/balance` in-process (`hub.app.request`, which also lists the batches of
 * points due to expire). Reads of the two members are interleaved, so noise hits both alike.
 *
 * Two shapes of history:
 * - typical: the seeded lots never expire, and each member has the same 10 ledger-written lots
 *   with an expiry date, so both API answers list the same 10 batches;
 * - worst case: afterwards every active lot of both members gets an expiry date (spread over
 *   365 days), so the members have 1,000 vs 1,000,000 active lots due to expire, listed from the
 *   per-day aggregate (docs/architecture.md, "Expiring points").
 */
import { inArray, sql } from 'drizzle-orm';
import { createHub, type Hub } from '../core/hub.js';
import { enrollMember } from '../core/members/members.js';
import { silentLogger } from '../core/observability/logger.js';
import { tablesOf } from '../core/storage/prepared.js';
import { openStore } from '../core/storage/open-store.js';
import { seedEarnHistory, verifySeedShape } from './seed-history.js';
import { summarize, type Summary } from './stats.js';
import { tempDir } from './temp-dir.js';
import { createWriteBoundary } from '../core/commit/commit.js';
import { earn } from '../core/ledger/index.js';
import { expiryDay, rebuildExpiringDays } from '../core/ledger/expiring-points.js';

export const BALANCE_RATIO_TARGET = 1.5;

export interface ReadComparison {
  small: Summary;
  big: Summary;
  /** big / small, on medians and on p99s. */
  ratioMedian: number;
  ratioP99: number;
}

export interface BalanceReadResult {
  smallRows: number;
  bigRows: number;
  seedSeconds: number;
  seedCheckViolations: string[];
  typical: { ledger: ReadComparison; api: ReadComparison };
  worstCase?: { updateSeconds: number; ledger: ReadComparison; api: ReadComparison };
}

export interface BalanceReadOptions {
  smallRows?: number;
  bigRows?: number;
  /** Time budget per comparison (ledger, API), warm-up included. */
  seconds?: number;
  worstCase?: boolean;
}

const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
/** Ledger-written expiring lots per member, on top of the seeded history. */
const EXPIRING_LOTS = 10;
const DAY = 86_400_000;

/**
 * Alternates reads of the two members (and which goes first). Warm-up pairs (at most a fifth of
 * the time) are discarded; then pairs are measured until the time is up or `maxPairs` is reached,
 * but at least `MIN_PAIRS` unless that would take more than twice the time.
 */
const MIN_PAIRS = 20;
async function compare(seconds: number, maxPairs: number, read: (which: 'small' | 'big') => Promise<void>): Promise<ReadComparison> {
  const small: number[] = [];
  const big: number[] = [];
  const pair = async (i: number, record: boolean) => {
    for (const which of i % 2 ? (['small', 'big'] as const) : (['big', 'small'] as const)) {
      const t = performance.now();
      await read(which);
      const elapsed = performance.now() - t;
      if (record) (which === 'small' ? small : big).push(elapsed);
    }
  };
  const start = performance.now();
  const warmupEnd = start + seconds * 200;
  for (let i = 0; i < Math.min(500, maxPairs / 10) && performance.now() < warmupEnd; i++) await pair(i, false);
  const deadline = start + seconds * 1000;
  const hardStop = start + seconds * 2000;
  for (let i = 0; i < maxPairs; i++) {
    const now = performance.now();
    if (now >= hardStop || (now >= deadline && small.length >= MIN_PAIRS)) break;
    await pair(i, true);
  }
  const s = summarize(small);
  const b = summarize(big);
  return { small: s, big: b, ratioMedian: b.median / s.median, ratioP99: b.p99 / s.p99 };
}

async function measure(hub: Hub, ids: { small: string; big: string }, seconds: number) {
  const ledger = await compare(seconds * 0.4, 50_000, async (which) => {
    const balance = await hub.ledger.balance(ids[which]);
    if (!balance) throw new Error(`no balance for ${which}`);
  });
  const headers = { authorization: `Bearer ${ADMIN_KEY}` };
  const api = await compare(seconds * 0.6, 20_000, async (which) => {
    const res = await hub.app.request(`/v1/members/${ids[which]}/balance`, { headers });
    if (res.status !== 200) throw new Error(`GET balance: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  });
  return { ledger, api };
}

export async function balanceRead(options: BalanceReadOptions = {}): Promise<BalanceReadResult> {
  const smallRows = options.smallRows ?? 1_000;
  const bigRows = options.bigRows ?? 1_000_000;
  const seconds = options.seconds ?? 10;
  const seedCheckViolations = await verifySeedShape();
  const tmp = tempDir('balance');
  const file = tmp.file('balance.db');
  try {
    const store = await openStore(file);
    const ids = await createWriteBoundary(store).commit('bench', async (w) => ({
      small: (await enrollMember(w, { firstName: 'Small' })).id,
      big: (await enrollMember(w, { firstName: 'Big' })).id,
    }));
    await store.close();

    const seeded =
      seedEarnHistory(file, { memberId: ids.small, count: smallRows - EXPIRING_LOTS, tag: 'small' }).seconds +
      seedEarnHistory(file, { memberId: ids.big, count: bigRows - EXPIRING_LOTS, tag: 'big' }).seconds;

    const hub = await createHub({ env: { DATABASE_URL: file, ADMIN_API_KEY: ADMIN_KEY }, logger: silentLogger, connectors: [] });
    try {
      const now = Date.now();
      for (const [which, memberId] of Object.entries(ids)) {
        for (let i = 0; i < EXPIRING_LOTS; i++) {
          const input = { memberId, points: 50, idempotencyKey: `expiring:${which}:${i}`, expiresAt: now + (30 + i) * DAY, why: { source: 'api' as const } };
          await hub.commit('bench', (w) => w.post(earn, input));
        }
      }
      const typical = await measure(hub, ids, seconds);

      let worstCase: BalanceReadResult['worstCase'];
      if (options.worstCase ?? true) {
        const t = performance.now();
        const { lots } = tablesOf(hub.store.db);
        await hub.store.transaction((tx) =>
          tx
            .update(lots)
            .set({ expiresAt: sql`${now + DAY} + (rowid % 365) * ${DAY}`, spendOrder: sql`${now + DAY} + (rowid % 365) * ${DAY}` })
            .where(inArray(lots.memberId, [ids.small, ids.big])),
        );
        // The lots changed behind the ledger's back: rebuild their per-day aggregate, as the
        // ledger keeps it (docs/architecture.md, "Expiring points").
        await hub.store.transaction((tx) => rebuildExpiringDays(tx, [ids.small, ids.big], expiryDay(now + 366 * DAY)));
        const updateSeconds = (performance.now() - t) / 1000;
        worstCase = { updateSeconds, ...(await measure(hub, ids, seconds)) };
      }
      return { smallRows, bigRows, seedSeconds: seeded, seedCheckViolations, typical, worstCase };
    } finally {
      await hub.close();
    }
  } finally {
    tmp.remove();
  }
}
