/**
 * Checks the ledger's invariants (listed in ./index.ts) over the whole database by replaying
 * history from scratch. Every ledger test runs it after its scenario; `loyalty-hub check` runs it
 * against a live database (docs/operating.md: after a restore, after a crash). It reads every
 * ledger row once, in pages, and keeps per-transfer, per-lot and per-member state in maps: time
 * is linear in the ledger's size. It is for audits, not requests.
 */
import { asc, gt } from 'drizzle-orm';
import { checkAggregates } from '../analytics/check-aggregates.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { isProgramAccount, memberAccount, memberPendingAccount } from './accounts.js';
import { MOVES, lotStatus, type LotParts, type MovementKind } from './lots.js';
import { balanceEffect } from './balance-effect.js';
import { expiryDay } from './expiring-points.js';
import type { BalanceFields } from './member-balance.js';
import type { TransferKind } from './types.js';

const KINDS = new Set<string>(['earn', 'activate', 'spend', 'lock', 'capture', 'unlock', 'expire', 'reverse', 'adjust'] satisfies TransferKind[]);

const ZERO: BalanceFields = { available: 0, pending: 0, locked: 0, spent: 0, expired: 0, lifetimeEarned: 0 };

export async function checkLedgerInvariants(db: Db): Promise<string[]> {
  const violations: string[] = [];
  const fail = (msg: string) => violations.push(msg);
  const { balances, expiringPoints, lotMovements, lots, openHolds, transfers } = tablesOf(db);

  // Pages in key order, so no single result set holds a large ledger at once.
  const allTransfers = await readAll<typeof transfers.$inferSelect, number>(db, transfers, transfers.seq, (r) => r.seq);
  const allLots = await readAll<typeof lots.$inferSelect, string>(db, lots, lots.id, (r) => r.id);
  const allMoves = await readAll<typeof lotMovements.$inferSelect, number>(db, lotMovements, lotMovements.seq, (r) => r.seq);
  const allBalances = await readAll<typeof balances.$inferSelect, string>(db, balances, balances.memberId, (r) => r.memberId);
  const holdsOpen = await readAll<typeof openHolds.$inferSelect, string>(db, openHolds, openHolds.transferId, (r) => r.transferId);
  const byId = new Map(allTransfers.map((t) => [t.id, t]));
  const openHoldIds = new Set(holdsOpen.map((h) => h.transferId));
  const balanceIds = new Set(allBalances.map((b) => b.memberId));

  // I1 every transfer balances: one positive integer amount, from one account to another,
  // and a member movement names that member's own accounts.
  // I4 no idempotency key (and no pending transfer's resolution) applied twice.
  const keys = new Set<string>();
  const resolved = new Map<string, string>();
  for (const t of allTransfers) {
    if (!Number.isSafeInteger(t.amount) || t.amount <= 0) fail(`I1 ${t.id}: amount ${t.amount} is not a positive integer`);
    if (t.debitAccount === t.creditAccount) fail(`I1 ${t.id}: debits and credits the same account`);
    const own = [memberAccount(t.memberId), memberPendingAccount(t.memberId)];
    for (const acct of [t.debitAccount, t.creditAccount]) {
      if (!isProgramAccount(acct) && !own.includes(acct)) fail(`I1 ${t.id}: account ${acct} is not a program account nor member ${t.memberId}'s`);
    }
    if (keys.has(t.idempotencyKey)) fail(`I4 idempotency key ${t.idempotencyKey} applied twice`);
    keys.add(t.idempotencyKey);
    if (t.pendingId) {
      if (resolved.has(t.pendingId)) fail(`I4 pending transfer ${t.pendingId} resolved twice`);
      resolved.set(t.pendingId, t.id);
    }
  }

  // I2 each member's stored balance equals what its history adds up to.
  const expected = new Map<string, BalanceFields>();
  const posted = new Map<string, number>(); // account → credits − debits, posted only
  const bump = (acct: string, by: number) => posted.set(acct, (posted.get(acct) ?? 0) + by);
  const reversedOf = new Map<string, number>();
  for (const t of allTransfers) {
    const b = expected.get(t.memberId) ?? { ...ZERO };
    expected.set(t.memberId, b);
    const a = t.amount;
    // Posted movements only: a lock is pending and an unlock voids it, so neither moves money.
    if (!t.pending && t.kind !== 'unlock') {
      bump(t.creditAccount, a);
      bump(t.debitAccount, -a);
    }
    if (!KINDS.has(t.kind)) {
      fail(`I1 ${t.id}: unknown kind ${t.kind}`);
      continue;
    }
    let held: number | undefined;
    if (t.kind === 'capture' || t.kind === 'unlock') {
      held = byId.get(t.pendingId ?? '')?.amount;
      if (held === undefined) fail(`I1 ${t.id}: resolves unknown hold ${t.pendingId}`);
      else if (t.kind === 'capture' && a > held) fail(`I1 ${t.id}: captures ${a} of a ${held}-point hold`);
      else if (t.kind === 'unlock' && a !== held) fail(`I1 ${t.id}: releases ${a}, not what hold ${t.pendingId} held`);
    }
    if (t.kind === 'reverse') {
      const original = byId.get(t.reversesId ?? '');
      if (!original) {
        fail(`I1 ${t.id}: reverses unknown transfer ${t.reversesId}`);
        continue;
      }
      reversedOf.set(original.id, (reversedOf.get(original.id) ?? 0) + a);
    }
    for (const [field, change] of Object.entries(balanceEffect(t, held ?? 0))) {
      b[field as keyof BalanceFields] += change;
    }
  }
  // I3 a reversal never takes back more than the original moved.
  for (const [id, total] of reversedOf) {
    const original = byId.get(id)!;
    if (total > original.amount) fail(`I3 ${id}: reversed ${total} of ${original.amount}`);
  }

  // I2 (lots) each lot's parts add up to its amount and equal the replay of its movements.
  const replayed = new Map<string, LotParts & { activated: boolean; amount: number }>();
  for (const mv of allMoves) {
    const kind = mv.kind as MovementKind;
    const mover = byId.get(mv.transferId);
    if (!mover) fail(`I2 movement ${mv.seq} belongs to unknown transfer ${mv.transferId}`);
    else if (mover.memberId !== mv.memberId) fail(`I2 movement ${mv.seq} is filed under member ${mv.memberId}, its transfer under ${mover.memberId}`);
    if (!(kind in MOVES) && !['earn', 'earn_pending', 'activate'].includes(kind)) {
      fail(`I2 movement ${mv.seq} has unknown kind ${mv.kind}`);
      continue;
    }
    if (kind === 'earn' || kind === 'earn_pending') {
      replayed.set(mv.lotId, { amount: mv.amount, remaining: mv.amount, locked: 0, spent: 0, expired: 0, reversed: 0, activated: kind === 'earn' });
      continue;
    }
    const lot = replayed.get(mv.lotId);
    if (!lot) {
      fail(`I2 movement ${mv.seq} touches lot ${mv.lotId} before it exists`);
      continue;
    }
    if (kind === 'activate') {
      lot.activated = true;
      continue;
    }
    const [from, to] = MOVES[kind];
    lot[from] -= mv.amount;
    lot[to] += mv.amount;
    if (lot[from] < 0) fail(`I2 movement ${mv.seq} takes lot ${mv.lotId}'s ${from} below zero`);
  }
  const lotSums = new Map<string, { available: number; pending: number; locked: number; spent: number; expired: number }>();
  for (const lot of allLots) {
    const parts = [lot.remaining, lot.locked, lot.spent, lot.expired, lot.reversed];
    if (parts.some((p) => p < 0)) fail(`I2 lot ${lot.id} has a negative part`);
    if (parts.reduce((x, y) => x + y, 0) !== lot.amount) fail(`I2 lot ${lot.id}: parts do not add up to ${lot.amount}`);
    const r = replayed.get(lot.id);
    if (!r) fail(`I2 lot ${lot.id} has no creating movement`);
    else {
      for (const k of ['amount', 'remaining', 'locked', 'spent', 'expired', 'reversed'] as const) {
        if (r[k] !== lot[k]) fail(`I2 lot ${lot.id}: ${k} is ${lot[k]}, its movements say ${r[k]}`);
      }
      const status = lotStatus(r.activated, r);
      // A fully reversed pending lot is closed at activation time; until then either is fine.
      if (status !== lot.status && !(status === 'closed' && lot.status === 'pending')) {
        fail(`I2 lot ${lot.id}: status ${lot.status}, its movements say ${status}`);
      }
    }
    const s = lotSums.get(lot.memberId) ?? { available: 0, pending: 0, locked: 0, spent: 0, expired: 0 };
    if (lot.status === 'pending') s.pending += lot.remaining;
    else s.available += lot.remaining;
    s.locked += lot.locked;
    s.spent += lot.spent;
    s.expired += lot.expired;
    lotSums.set(lot.memberId, s);
  }

  const heldOpen = new Map<string, number>();
  for (const h of holdsOpen) {
    heldOpen.set(h.memberId, (heldOpen.get(h.memberId) ?? 0) + h.amount);
    if (resolved.has(h.transferId)) fail(`I4 hold ${h.transferId} is resolved but still open`);
  }
  for (const t of allTransfers) {
    if (t.kind === 'lock' && !resolved.has(t.id) && !openHoldIds.has(t.id)) {
      fail(`I4 hold ${t.id} is neither resolved nor open`);
    }
  }

  for (const stored of allBalances) {
    const id = stored.memberId;
    const want = expected.get(id) ?? ZERO;
    for (const k of Object.keys(ZERO) as (keyof BalanceFields)[]) {
      if (stored[k] !== want[k]) fail(`I2 member ${id}: ${k} is ${stored[k]}, its history says ${want[k]}`);
      if (stored[k] < 0) fail(`I5 member ${id}: ${k} is negative (${stored[k]})`);
    }
    // Double entry, seen from the member's accounts.
    const spendable = posted.get(memberAccount(id)) ?? 0;
    if (spendable !== stored.available + stored.locked) fail(`I1 member ${id}: account holds ${spendable}, available + locked is ${stored.available + stored.locked}`);
    const pendingAcct = posted.get(memberPendingAccount(id)) ?? 0;
    if (pendingAcct !== stored.pending) fail(`I1 member ${id}: pending account holds ${pendingAcct}, pending is ${stored.pending}`);
    const s = lotSums.get(id) ?? { available: 0, pending: 0, locked: 0, spent: 0, expired: 0 };
    for (const k of ['available', 'pending', 'locked', 'spent', 'expired'] as const) {
      if (s[k] !== stored[k]) fail(`I2 member ${id}: ${k} is ${stored[k]}, its lots hold ${s[k]}`);
    }
    if ((heldOpen.get(id) ?? 0) !== stored.locked) fail(`I2 member ${id}: locked is ${stored.locked}, open holds add to ${heldOpen.get(id) ?? 0}`);
  }
  for (const id of expected.keys()) {
    if (!balanceIds.has(id)) fail(`I2 member ${id} has transfers but no balance row`);
  }
  // I2 (expiring) the per-day aggregate the balance read lists (./expiring-points.ts) equals the
  // active lots with an expiry: per member and UTC day, their points and earliest expiry.
  const wantExpiring = new Map<string, { points: number; expiresAt: number }>();
  for (const lot of allLots) {
    if (lot.status !== 'active' || lot.expiresAt === null) continue;
    const key = `${lot.memberId} day ${expiryDay(lot.expiresAt)}`;
    const e = wantExpiring.get(key) ?? { points: 0, expiresAt: lot.expiresAt };
    e.points += lot.remaining + lot.locked;
    e.expiresAt = Math.min(e.expiresAt, lot.expiresAt);
    wantExpiring.set(key, e);
  }
  for (const row of await db.select().from(expiringPoints)) {
    const key = `${row.memberId} day ${row.day}`;
    const want = wantExpiring.get(key);
    wantExpiring.delete(key);
    if (!want) fail(`I2 expiring points of member ${key}: ${row.points} listed, no active lot expires that day`);
    else if (row.points !== want.points || row.expiresAt !== want.expiresAt) {
      fail(`I2 expiring points of member ${key}: ${row.points} at ${row.expiresAt} listed, the lots hold ${want.points} from ${want.expiresAt}`);
    }
  }
  for (const [key, want] of wantExpiring) fail(`I2 expiring points of member ${key}: ${want.points} in lots, not listed`);
  // Double entry over the whole ledger: what the program accounts gave out, members hold.
  const total = [...posted.values()].reduce((x, y) => x + y, 0);
  if (total !== 0) fail(`I1 posted credits and debits differ by ${total}`);
  violations.push(...(await checkAggregates(db, allTransfers)));
  return violations;
}

const PAGE = 20_000;

/** Every row of `table`, read in pages of `PAGE` by keyset on a unique, ordered column. */
async function readAll<Row, K extends string | number>(
  db: Db,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  table: any,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  key: any,
  keyOf: (row: Row) => K,
): Promise<Row[]> {
  const out: Row[] = [];
  let after: K | undefined;
  for (;;) {
    const page = (await db
      .select()
      .from(table)
      .where(after === undefined ? undefined : gt(key, after))
      .orderBy(asc(key))
      .limit(PAGE)) as Row[];
    for (const row of page) out.push(row);
    if (page.length < PAGE) return out;
    after = keyOf(page.at(-1)!);
  }
}
