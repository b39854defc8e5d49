/**
 * Time-driven lot changes: a pending lot becomes active, an active lot past its expiry loses its
 * unspent part. Keys are derived from the lot's state, so a scheduler running twice (or in two
 * processes) applies each change once.
 */
import { eq } from 'drizzle-orm';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { PROGRAM, memberAccount, memberPendingAccount } from './accounts.js';
import { moveWithinLot, recordMovements } from './lots.js';
import { lockBalance } from './member-balance.js';
import { settle } from './settle.js';
import { findApplied, fingerprint, recordTransfer } from './record-transfer.js';
import type { Posted } from './types.js';

const SCHEDULER = { source: 'system', actor: 'scheduler' } as const;

/** Activates a pending lot whose activation time has come. Returns undefined if nothing to do. */
export async function activateLot(tx: Db, now: number, lotId: string, memberId: string): Promise<Posted | undefined> {
  const key = `activate:${lotId}`;
  const print = fingerprint(['activate', lotId]);
  const applied = await findApplied(tx, key, print);
  if (applied) return applied;

  const { lots } = tablesOf(tx);
  const balance = await lockBalance(tx, memberId, now);
  const [lot] = await tx.select().from(lots).where(eq(lots.id, lotId));
  if (!lot || lot.status !== 'pending' || lot.activatesAt > now) return undefined;
  if (lot.remaining === 0) {
    await tx.update(lots).set({ status: 'closed' }).where(eq(lots.id, lot.id));
    return undefined;
  }
  const transfer = await recordTransfer(tx, now, {
    idempotencyKey: key,
    fingerprint: print,
    kind: 'activate',
    debitAccount: memberPendingAccount(memberId),
    creditAccount: memberAccount(memberId),
    amount: lot.remaining,
    memberId,
    lotId: lot.id,
    why: { ...SCHEDULER, reason: 'returns window passed' },
  });
  await tx.update(lots).set({ status: 'active' }).where(eq(lots.id, lot.id));
  await recordMovements(tx, transfer.id, memberId, [{ lotId: lot.id, kind: 'activate', amount: lot.remaining }]);
  return settle(tx, now, transfer, {
    ...balance,
    pending: balance.pending - lot.remaining,
    available: balance.available + lot.remaining,
    lifetimeEarned: balance.lifetimeEarned + lot.remaining,
  }, 'points.activated');
}

/** Expires the unspent, unlocked part of a lot past its expiry. Locked points expire once released. */
export async function expireLot(tx: Db, now: number, lotId: string, memberId: string): Promise<Posted | undefined> {
  const { lots } = tablesOf(tx);
  const balance = await lockBalance(tx, memberId, now);
  const [lot] = await tx.select().from(lots).where(eq(lots.id, lotId));
  if (!lot || lot.status !== 'active' || lot.expiresAt === null || lot.expiresAt > now || lot.remaining === 0) {
    return undefined;
  }
  // The key names the lot's state: after a spend reversal refills an expired lot, the refill
  // expires under a new key.
  const key = `expire:${lot.id}:${lot.expired}`;
  const print = fingerprint(['expire', lot.id, lot.expired, lot.remaining]);
  const applied = await findApplied(tx, key, print);
  if (applied) return applied;
  const transfer = await recordTransfer(tx, now, {
    idempotencyKey: key,
    fingerprint: print,
    kind: 'expire',
    debitAccount: memberAccount(memberId),
    creditAccount: PROGRAM.expired,
    amount: lot.remaining,
    memberId,
    lotId: lot.id,
    why: { ...SCHEDULER, reason: 'lot expired' },
  });
  await moveWithinLot(tx, lot, 'expire', lot.remaining);
  await recordMovements(tx, transfer.id, memberId, [{ lotId: lot.id, kind: 'expire', amount: lot.remaining }]);
  return settle(tx, now, transfer, {
    ...balance,
    available: balance.available - lot.remaining,
    expired: balance.expired + lot.remaining,
  }, 'points.expired');
}
