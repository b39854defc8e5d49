/**
 * Seeds a long earn history for one member by direct inserts (better-sqlite3, prepared
 * statements, big transactions), bypassing the ledger: through the ledger a million transfers
 * take minutes, too slow for a benchmark run. The rows are what `ledgerOps.earn` writes for an
 * active, never-expiring earn — a transfer, its lot, the lot's `earn` movement — and the member's
 * balance row is moved by the same totals; `verifySeedShape` checks that with the ledger's own
 * invariant checker. Call it while no `Store` has the file open.
 */
import Database from 'better-sqlite3';
import { NEVER } from '../core/ledger/lots.js';
import { memberAccount, PROGRAM } from '../core/ledger/accounts.js';
import { ensureAggregates } from '../core/analytics/backfill.js';
import { checkLedgerInvariants, earn, spend } from '../core/ledger/index.js';
import { fingerprint } from '../core/ledger/record-transfer.js';
import { enrollMember } from '../core/members/members.js';
import { openStore } from '../core/storage/open-store.js';
import { tempDir } from './temp-dir.js';
import { createWriteBoundary } from '../core/commit/commit.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Same shape as `newId` (prefix, 10 chars of time, 16 more), with a counter for the random part. */
export function seedId(prefix: string, at: number, n: number): string {
  let time = '';
  let t = at;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let tail = '';
  let c = n;
  for (let i = 0; i < 16; i++) {
    tail = ALPHABET[c % 32] + tail;
    c = Math.floor(c / 32);
  }
  return `${prefix}_${time}${tail}`;
}

export interface SeedOptions {
  memberId: string;
  count: number;
  points?: number;
  /** created_at of the last row; rows are `stepMs` apart, oldest first. */
  endAt?: number;
  stepMs?: number;
  /** Makes ids and idempotency keys unique across several seeded members. */
  tag: string;
}

export function seedEarnHistory(file: string, options: SeedOptions): { seconds: number } {
  const started = performance.now();
  const { memberId, count, tag } = options;
  const points = options.points ?? 5;
  const stepMs = options.stepMs ?? 1_000;
  const endAt = options.endAt ?? Date.now() - 60_000;
  const print = fingerprint(['earn', memberId, points, null, null]);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -262144'); // 256 MiB: keeps the indexes being appended to in memory
    const insertTransfer = db.prepare(
      `INSERT INTO transfers (id, idempotency_key, fingerprint, kind, debit_account, credit_account, amount, member_id,
         pending, lot_id, source, actor, reason, created_at)
       VALUES (?, ?, ?, 'earn', ?, ?, ?, ?, 0, ?, 'system', 'bench-seed', 'seeded history', ?)`,
    );
    const insertLot = db.prepare(
      `INSERT INTO lots (id, member_id, transfer_id, amount, remaining, locked, spent, expired, reversed, status, activates_at, expires_at, spend_order, created_at)
       VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 'active', ?, NULL, ${NEVER}, ?)`,
    );
    const insertMovement = db.prepare(`INSERT INTO lot_movements (transfer_id, lot_id, member_id, kind, amount) VALUES (?, ?, ?, 'earn', ?)`);
    const bumpBalance = db.prepare(
      `UPDATE balances SET available = available + ?, lifetime_earned = lifetime_earned + ?, version = version + ?, updated_at = ?
       WHERE member_id = ?`,
    );
    const credit = memberAccount(memberId);
    const seedRange = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const at = endAt - (count - 1 - i) * stepMs;
        const transferId = seedId('tr', at, i);
        const lotId = seedId('lot', at, i);
        insertTransfer.run(transferId, `seed:${tag}:${i}`, print, PROGRAM.issued, credit, points, memberId, lotId, at);
        insertLot.run(lotId, memberId, transferId, points, points, at, at);
        insertMovement.run(transferId, lotId, memberId, points);
      }
      const changed = bumpBalance.run((to - from) * points, (to - from) * points, to - from, endAt, memberId).changes;
      if (changed !== 1) throw new Error(`seed: member ${memberId} has no balance row`);
    });
    const batch = 50_000;
    for (let from = 0; from < count; from += batch) seedRange.immediate(from, Math.min(count, from + batch));
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return { seconds: (performance.now() - started) / 1000 };
}

/**
 * Seeds a small history into a scratch database next to real ledger writes (earns with expiry,
 * a spend that crosses seeded lots) and runs the ledger's invariant checker over it.
 */
export async function verifySeedShape(): Promise<string[]> {
  const tmp = tempDir('seedcheck');
  try {
    const file = tmp.file('check.db');
    let store = await openStore(file);
    const member = await createWriteBoundary(store).commit('bench', (w) => enrollMember(w, {}));
    await store.close();
    seedEarnHistory(file, { memberId: member.id, count: 200, tag: 'check' });
    store = await openStore(file);
    try {
      const { commit } = createWriteBoundary(store);
      // Seeded rows went in behind the boundary's back: count them into the analytics aggregates as
      // an upgraded database does (core/analytics/backfill.ts), so invariant I6 judges the real writes.
      await ensureAggregates(store, commit, 'UTC');
      const why = { source: 'api' } as const;
      await commit('bench', (w) => w.post(earn, { memberId: member.id, points: 7, idempotencyKey: 'check:e1', expiresAt: Date.now() + 86_400_000, why }));
      await commit('bench', (w) => w.post(spend, { memberId: member.id, points: 12, idempotencyKey: 'check:s1', why }));
      return await checkLedgerInvariants(store.db);
    } finally {
      await store.close();
    }
  } finally {
    tmp.remove();
  }
}
