/**
 * Points held for fraud review (docs/program.md, "Fraud velocity and fraud.flagged"; docs/api.md,
 * "Fraud holds"). When the velocity check holds a trigger's points, its earn lines are posted
 * pending with no activation time (`HELD_FOR_REVIEW`: the scheduler never activates them) and a
 * hold is opened in the same write, with `fraud.flagged` linking to it. An admin then decides,
 * once:
 * - approve: each line is released with a ledger operation (`releaseHeldLot`) whose line says
 *   who approved and why — available now, or when the rule's own returns window ends; its expiry
 *   counted from that activation, as if the hold had ended then;
 * - reject: each line's pending points are voided (`reverse` of the pending lot, member:pending →
 *   program:issued), never touching available points.
 * The decision is a conditional update of the hold (`status = 'open'`): of two racing reviewers
 * one wins, the other gets 409; a refund meanwhile takes back pending points as usual, and a
 * decision then releases or voids only what is left.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Writer } from '../commit/writer.js';
import { newId } from '../ids.js';
import { HELD_FOR_REVIEW, LedgerError, releaseHeldLot, reverse, type Posted } from '../ledger/index.js';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Row } from '../storage/rows.js';
import type { Db } from '../storage/store.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import type { Program } from './compiled-program.js';
import type { AwardLine, Evaluation } from './evaluate.js';
import { withdrawFromTierWindow } from './member-standing.js';

export const FRAUD_HOLD_STATUSES = ['open', 'approved', 'rejected'] as const;
export type FraudHoldStatus = (typeof FRAUD_HOLD_STATUSES)[number];

/** One held earn line and the times it would have had without the hold. */
export interface HeldLine {
  transferId: string;
  lotId: string;
  ruleId: string;
  points: number;
  activatesAt: number;
  expiresAt: number | null;
}

export interface FraudHold {
  id: string;
  memberId: string;
  eventId: string;
  ruleId: string;
  reason: string;
  points: number;
  lines: HeldLine[];
  status: FraudHoldStatus;
  heldAt: number;
  heldUntil: number;
  decidedAt: number | null;
  decidedBy: string | null;
  decisionReason: string | null;
}

export class FraudHoldError extends Error {
  constructor(
    readonly code: 'fraud_hold_not_found' | 'fraud_hold_decided',
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'FraudHoldError';
  }
}

/** Where a hold is read and decided: `fraud.flagged` carries it (docs/mappings.md). */
export const fraudHoldLink = (id: string) => `/v1/fraud-holds/${id}`;

/** The schedule an earn line is posted with: a held line has no activation time and no expiry yet. */
export function heldSchedule(line: Pick<AwardLine, 'activatesAt' | 'expiresAt'>, evaluation: Pick<Evaluation, 'held'>) {
  return evaluation.held ? { activatesAt: HELD_FOR_REVIEW, expiresAt: null } : { activatesAt: line.activatesAt, expiresAt: line.expiresAt };
}

/**
 * Opens the hold for a trigger whose lines `posted` (in the order of the evaluation's lines with
 * points) were just posted held, notes `points.held` and emits `fraud.flagged` with its link.
 */
export async function openFraudHold(w: Writer, memberId: string, trigger: TriggerEvent, evaluation: Evaluation, posted: readonly Posted[]): Promise<void> {
  const held = evaluation.held;
  if (!held) return;
  const earning = evaluation.lines.filter((l) => l.points > 0);
  const lines: HeldLine[] = earning.map((l, i) => ({
    transferId: posted[i]!.transfer.id,
    lotId: posted[i]!.transfer.lotId!,
    ruleId: l.ruleId,
    points: l.points,
    activatesAt: l.activatesAt,
    expiresAt: l.expiresAt,
  }));
  const id = newId('fh', w.now);
  const [opened] = await w.tx
    .insert(tablesOf(w.tx).fraudHolds)
    .values({ id, memberId, eventId: trigger.id, ruleId: 'fraud.velocity', reason: held.reason, points: evaluation.total, lines: JSON.stringify(lines), heldAt: w.now, heldUntil: held.until })
    .onConflictDoNothing()
    .returning({ id: tablesOf(w.tx).fraudHolds.id });
  if (!opened) return; // the trigger's hold exists: its lines were replays
  await w.note(memberId, 'points.held', { holdId: id, points: evaluation.total, reason: held.reason, eventId: trigger.id });
  await w.emit({
    type: 'fraud.flagged',
    memberId,
    data: { ruleId: 'fraud.velocity', reason: held.reason, heldUntil: new Date(held.until).toISOString(), points: evaluation.total, eventId: trigger.id, holdId: id, link: fraudHoldLink(id) },
  });
}

function toHold(row: Row<'fraudHolds'>): FraudHold {
  return { ...row, points: Number(row.points), lines: JSON.parse(row.lines) as HeldLine[], status: row.status as FraudHoldStatus };
}

export async function getFraudHold(db: Db, id: string): Promise<FraudHold | undefined> {
  const [row] = await prepared(db, 'fraud_hold_by_id', (d, { fraudHolds }) => d.select().from(fraudHolds).where(eq(fraudHolds.id, sql.placeholder('id'))))({ id });
  return row && toHold(row);
}

/**
 * Holds with a status, oldest first, paged by id (ids sort by creation time); with `memberId`,
 * only that member's (the console's member page; `fraud_holds_member_idx`).
 */
export async function listFraudHolds(db: Db, q: { status: FraudHoldStatus; memberId?: string; limit: number; cursor?: string }): Promise<{ data: FraudHold[]; nextCursor: string | null }> {
  const { fraudHolds } = tablesOf(db);
  const rows = await db
    .select()
    .from(fraudHolds)
    .where(and(eq(fraudHolds.status, q.status), q.memberId ? eq(fraudHolds.memberId, q.memberId) : undefined, q.cursor ? gt(fraudHolds.id, q.cursor) : undefined))
    .orderBy(asc(fraudHolds.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit).map(toHold);
  return { data: page, nextCursor: rows.length > q.limit ? page.at(-1)!.id : null };
}

/** Claims the open hold for this decision, or says why it cannot be decided. */
async function decide(w: Writer, id: string, status: 'approved' | 'rejected', reason: string): Promise<FraudHold> {
  const { fraudHolds } = tablesOf(w.tx);
  const [row] = await w.tx
    .update(fraudHolds)
    .set({ status, decidedAt: w.now, decidedBy: w.actor, decisionReason: reason })
    .where(and(eq(fraudHolds.id, id), eq(fraudHolds.status, 'open')))
    .returning();
  if (row) return toHold(row);
  const hold = await getFraudHold(w.tx, id);
  if (!hold) throw new FraudHoldError('fraud_hold_not_found', `no fraud hold ${id}`, { holdId: id });
  throw new FraudHoldError('fraud_hold_decided', `fraud hold ${id} was already ${hold.status} by ${hold.decidedBy ?? 'someone'}`, { holdId: id, holdStatus: hold.status });
}

export interface Decision {
  hold: FraudHold;
  /** The ledger lines the decision wrote (activations now, or voids). */
  posted: Posted[];
}

/** Approves a hold: its lines are released, available now unless a returns window or a suspension keeps them pending. */
export async function approveFraudHold(w: Writer, id: string, reason: string): Promise<Decision> {
  const hold = await decide(w, id, 'approved', reason);
  const posted: Posted[] = [];
  for (const line of hold.lines) {
    // Available from the approval (or the line's own returns window); expiry moves with activation.
    const activatesAt = Math.max(w.now, line.activatesAt);
    const expiresAt = line.expiresAt === null ? null : line.expiresAt + (activatesAt - line.activatesAt);
    const why = { source: 'admin' as const, reason: `fraud review approved: ${reason}`, eventId: hold.eventId, ruleId: line.ruleId, metadata: { holdId: hold.id } };
    const released = await w.post(releaseHeldLot, { lotId: line.lotId, memberId: hold.memberId, activatesAt, expiresAt, why });
    if (released) posted.push(released);
  }
  await w.note(hold.memberId, 'points.approved', { holdId: hold.id, points: hold.points, reason, eventId: hold.eventId });
  return { hold, posted };
}

/**
 * Rejects a hold: what is left of its pending lines is voided. Voided points no longer count
 * toward tiers, as what a refund takes back (docs/program.md, "Tiers"): the tier window loses
 * them and the tier is reviewed, so points rejected as fraud do not keep the tier they reached.
 */
export async function rejectFraudHold(w: Writer, program: Program, id: string, reason: string): Promise<Decision> {
  const hold = await decide(w, id, 'rejected', reason);
  const posted: Posted[] = [];
  for (const line of hold.lines) {
    const why = { source: 'admin' as const, reason: `fraud review rejected: ${reason}`, eventId: hold.eventId, ruleId: line.ruleId, metadata: { holdId: hold.id } };
    const voided = await w.post(reverse, { transferId: line.transferId, idempotencyKey: `fraud-hold:reject:${line.transferId}`, why }).catch((error: unknown) => {
      // A refund took the line back already: nothing is left to void.
      if (error instanceof LedgerError && error.code === 'not_reversible') return undefined;
      throw error;
    });
    if (voided) posted.push(voided);
  }
  const voidedPoints = posted.reduce((n, p) => n + (p.duplicate ? 0 : p.transfer.amount), 0);
  if (voidedPoints > 0) await withdrawFromTierWindow(w, program, hold.memberId, voidedPoints);
  await w.note(hold.memberId, 'points.rejected', { holdId: hold.id, points: hold.points, reason, eventId: hold.eventId });
  return { hold, posted };
}
