/**
 * Taking points back for a refund or cancellation, under the program's `returnPolicy`:
 * - first from the order's own lots (what is left of them, pending or active);
 * - `only_pending`: only from lots still pending (inside the returns window); the rest is
 *   forgiven and recorded as such;
 * - `within_balance` (default): then from the member's available points, and what is still
 *   missing becomes a debt that later earning repays;
 * - `unlimited`: as `within_balance`, but the debt shows as a negative balance.
 * The ledger never takes `available` below zero (I5): a debt is recorded beside it, not in it.
 */
import type { Writer } from '../commit/writer.js';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { adjust, reverse, type Posted } from '../ledger/index.js';
import { announcementOfLines } from '../ledger/operation.js';
import { tablesOf } from '../storage/prepared.js';
import type { Program } from './compiled-program.js';
import { readStanding, setDebt } from './member-standing.js';

export interface TakeBackResult {
  /** Taken from the order's lots and from available points. */
  taken: number;
  /** Recorded as debt. */
  debt: number;
  /** Not taken under `only_pending`. */
  forgiven: number;
  posted: Posted[];
}

/**
 * Takes the points back and announces them as ONE `points.reversed` (docs/mappings.md, "One
 * refund, one message"): a Silver member's refund reverses the base line and the tier bonus
 * line, and a refund of spent points debits the available balance besides, but the member and
 * support hear of one refund once, with the total and its lines.
 */
export async function takeBack(w: Writer, program: Program, input: TakeBackInput): Promise<TakeBackResult> {
  const result = await takeBackLines(w, program, input);
  await announceTakeBack(w, result.posted);
  return result;
}

/** The lines of one take-back, announced together: the first line's fields, the total, the balance after the last. */
async function announceTakeBack(w: Writer, posted: readonly Posted[]): Promise<void> {
  const fresh = posted.filter((p) => !p.duplicate && p.after);
  if (fresh.length === 0) return;
  const announced = announcementOfLines(fresh, 'points.reversed');
  const lines = fresh.map(({ transfer: t }) => ({ transferId: t.id, kind: t.kind, points: t.amount, reason: t.reason, reversesId: t.reversesId, lotId: t.lotId }));
  await w.emit({ ...announced, data: { ...announced.data, lines } });
}

interface TakeBackInput {
  memberId: string;
  orderKey: string;
  points: number;
  key: string;
  reason: string;
  eventId: string;
  /**
   * A refund by line items: the points due back per rule, taken first from the earn of that
   * rule, so the ledger shows which award each reversal undoes (./refund-by-lines.ts).
   */
  prefer?: { ruleId: string; points: number }[];
}

async function takeBackLines(w: Writer, program: Program, input: TakeBackInput): Promise<TakeBackResult> {
  const { tx, now } = w;
  const result: TakeBackResult = { taken: 0, debt: 0, forgiven: 0, posted: [] };
  if (input.points <= 0) return result;
  const { transfers, lots } = tablesOf(tx);
  const earns = await tx
    .select({ id: transfers.id, lotId: transfers.lotId, ruleId: transfers.ruleId })
    .from(transfers)
    .where(and(eq(transfers.eventId, input.orderKey), eq(transfers.kind, 'earn')))
    .orderBy(asc(transfers.seq));
  const lotRows = earns.length
    ? await tx.select({ id: lots.id, remaining: lots.remaining, status: lots.status }).from(lots).where(inArray(lots.id, earns.map((e) => e.lotId!)))
    : [];
  const policy = program.config.returnPolicy;
  let left = input.points;
  /** Reverses up to `points` of one earn's lot; one reversal per earn and take-back (its key). */
  const reverseEarn = async (earn: (typeof earns)[number], points: number) => {
    const lot = lotRows.find((l) => l.id === earn.lotId);
    if (!lot || lot.remaining === 0 || points <= 0) return;
    if (policy === 'only_pending' && lot.status !== 'pending') return;
    const posted = await w.post(reverse, {
      transferId: earn.id,
      points: Math.min(points, lot.remaining),
      idempotencyKey: `${input.key}:${earn.id}`,
      why: { source: 'rule', eventId: input.eventId, reason: input.reason },
    }, { announce: false });
    result.posted.push(posted);
    result.taken += posted.transfer.amount;
    left -= posted.transfer.amount;
    lot.remaining -= posted.transfer.amount;
  };
  const reversed = new Set<string>();
  for (const want of input.prefer ?? []) {
    const earn = earns.find((e) => e.ruleId === want.ruleId);
    if (!earn || left === 0) continue;
    await reverseEarn(earn, Math.min(left, want.points));
    reversed.add(earn.id);
  }
  // Bonus lines (multipliers) were posted last: take them back first, base points last.
  for (const earn of [...earns].reverse()) {
    if (left === 0) break;
    if (!reversed.has(earn.id)) await reverseEarn(earn, left);
  }
  if (left === 0) return result;
  if (policy === 'only_pending') {
    result.forgiven = left;
    return result;
  }
  const { balances } = tablesOf(tx);
  const [balance] = await tx.select({ available: balances.available }).from(balances).where(eq(balances.memberId, input.memberId));
  const fromAvailable = Math.min(left, Number(balance?.available ?? 0));
  if (fromAvailable > 0) {
    const posted = await w.post(adjust, {
      memberId: input.memberId,
      points: -fromAvailable,
      idempotencyKey: `${input.key}:available`,
      why: { source: 'rule', eventId: input.eventId, reason: `${input.reason}: the order's points were already spent` },
    }, { announce: false });
    result.posted.push(posted);
    result.taken += fromAvailable;
    left -= fromAvailable;
  }
  if (left > 0) {
    const standing = await readStanding(tx, input.memberId);
    await setDebt(tx, program, input.memberId, now, standing.debt + left);
    result.debt = left;
  }
  return result;
}

/**
 * Repays a refund debt from points just earned: each newly active earn gives back up to what is
 * owed (a reversal of that earn, so the ledger shows which points paid which debt). `owed` is
 * the member's debt as read in this transaction.
 */
export async function repayDebt(w: Writer, program: Program, memberId: string, earned: Posted[], owed: number): Promise<Posted[]> {
  const { tx, now } = w;
  if (owed <= 0) return [];
  let debt = owed;
  const posted: Posted[] = [];
  const { lots } = tablesOf(tx);
  for (const p of earned) {
    if (debt === 0) break;
    if (p.duplicate || p.transfer.kind !== 'earn') continue;
    const [lot] = await tx.select({ status: lots.status, remaining: lots.remaining }).from(lots).where(eq(lots.id, p.transfer.lotId!));
    if (!lot || lot.status !== 'active' || lot.remaining === 0) continue;
    const repaid = await w.post(reverse, {
      transferId: p.transfer.id,
      points: Math.min(debt, lot.remaining),
      idempotencyKey: `repay:${p.transfer.id}`,
      why: { source: 'system', eventId: p.transfer.eventId ?? undefined, reason: 'repays a refund debt' },
    });
    posted.push(repaid);
    debt -= repaid.transfer.amount;
  }
  await setDebt(tx, program, memberId, now, debt);
  return posted;
}
