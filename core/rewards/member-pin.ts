/**
 * An optional redemption PIN per member (the seed's "member authentication"): stored as a scrypt
 * hash with its own salt, compared in constant time. `redemption.pinMaxFailures` wrong PINs in a
 * row lock it for `pinLockMinutes`. A check commits its failure count on its own, before the
 * redemption's transaction, so a refused redemption still counts the attempt.
 */
import type { Commit } from '../commit/commit.js';
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import type { Program } from '../program/compiled-program.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db, Store } from '../storage/store.js';
import { RewardError } from './reward-error.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

async function hashPin(pin: string, salt = randomBytes(16)): Promise<string> {
  const key = await scryptAsync(pin, salt, 32);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

async function pinMatches(pin: string, stored: string): Promise<boolean> {
  const [, salt, key] = stored.split('$');
  const expected = Buffer.from(key!, 'base64');
  const actual = await scryptAsync(pin, Buffer.from(salt!, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

export async function setPin(tx: Db, now: number, memberId: string, pin: string): Promise<void> {
  const { memberPins } = tablesOf(tx);
  const hash = await hashPin(pin);
  await tx
    .insert(memberPins)
    .values({ memberId, hash, failures: 0, lockedUntil: null, updatedAt: now })
    .onConflictDoUpdate({ target: memberPins.memberId, set: { hash, failures: 0, lockedUntil: null, updatedAt: now } });
}

export async function hasPin(db: Db, memberId: string): Promise<boolean> {
  const { memberPins } = tablesOf(db);
  const [row] = await db.select({ m: memberPins.memberId }).from(memberPins).where(eq(memberPins.memberId, memberId));
  return Boolean(row);
}

/**
 * For a redemption of `cost` points: throws unless no PIN is needed (below the program's
 * threshold, or the member set none) or the given PIN is right.
 */
export async function checkRedemptionPin(store: Store, commit: Commit, program: Program, now: number, memberId: string, cost: number, pin: string | undefined): Promise<void> {
  const above = program.config.redemption.pinRequiredAbove;
  if (above === undefined || cost <= above) return;
  const { memberPins } = tablesOf(store.db);
  const [row] = await store.db.select().from(memberPins).where(eq(memberPins.memberId, memberId));
  if (!row) return;
  if (row.lockedUntil !== null && row.lockedUntil > now) {
    throw new RewardError('pin_locked', `too many wrong PINs; try again after ${new Date(row.lockedUntil).toISOString()}`, { lockedUntil: new Date(row.lockedUntil).toISOString() });
  }
  if (!pin) throw new RewardError('pin_required', `a redemption above ${above} points needs the member's PIN`, { pinRequiredAbove: above });
  if (await pinMatches(pin, row.hash)) {
    if (row.failures > 0) await commit('pin', ({ tx }) => tx.update(tablesOf(tx).memberPins).set({ failures: 0, lockedUntil: null, updatedAt: now }).where(eq(tablesOf(tx).memberPins.memberId, memberId)));
    return;
  }
  const { pinMaxFailures, pinLockMinutes } = program.config.redemption;
  // An atomic increment: concurrent wrong guesses each count.
  const failures = await commit('pin', async ({ tx }) => {
    const t = tablesOf(tx).memberPins;
    const [counted] = await tx.update(t).set({ failures: sql`${t.failures} + 1`, updatedAt: now }).where(eq(t.memberId, memberId)).returning({ failures: t.failures });
    const n = Number(counted?.failures ?? 1);
    if (n >= pinMaxFailures) await tx.update(t).set({ failures: 0, lockedUntil: now + pinLockMinutes * 60_000 }).where(eq(t.memberId, memberId));
    return n;
  });
  if (failures >= pinMaxFailures) {
    throw new RewardError('pin_locked', `wrong PIN ${pinMaxFailures} times; locked for ${pinLockMinutes} minutes`, { lockedUntil: new Date(now + pinLockMinutes * 60_000).toISOString() });
  }
  throw new RewardError('pin_invalid', `wrong PIN (${pinMaxFailures - failures} tries left)`, { triesLeft: pinMaxFailures - failures });
}
