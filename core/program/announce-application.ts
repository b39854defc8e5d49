/**
 * One trigger, one message (docs/mappings.md, "points.earned and points.pending"): the earns of
 * one application of a trigger — an order's base points and its tier bonus, say — are posted
 * unannounced (`w.post(earn, …, { announce: false })`) and announced here together, as ONE
 * `points.earned` (and, if some of them wait for a returns window, ONE `points.pending`) with the
 * total, the balance right after the last line, and the lines. Otherwise a Silver member's order
 * sent two "you earned" e-mails and two CRM writes.
 */
import type { Writer } from '../commit/writer.js';
import { memberPendingAccount } from '../ledger/accounts.js';
import type { Posted } from '../ledger/index.js';
import { announcementOfLines } from '../ledger/operation.js';
import type { LoyaltyEventType } from '../outbox/loyalty-events.js';
import type { AwardLine } from './evaluate.js';

/** A line of the evaluation and the earn it was posted as, now (not a replay). */
export interface PostedLine {
  line: AwardLine;
  posted: Posted;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Emits the application's `points.earned` / `points.pending` and answers the data of the one that
 * moved spendable points (the cause a `points.threshold_reached` repeats), if any.
 */
export async function announceApplication(
  w: Writer,
  memberId: string,
  on: string,
  lines: readonly PostedLine[],
): Promise<Record<string, unknown> | undefined> {
  let spendable: Record<string, unknown> | undefined;
  const pendingAccount = memberPendingAccount(memberId);
  // Points held for a returns window (or a review) are news of another kind than spendable ones.
  for (const type of ['points.earned', 'points.pending'] as const satisfies readonly LoyaltyEventType[]) {
    const group = lines.filter((l) => (l.posted.transfer.creditAccount === pendingAccount ? 'points.pending' : 'points.earned') === type);
    if (group.length === 0) continue;
    const data = {
      ...announcementOfLines(group.map((l) => l.posted), type).data,
      reason: on,
      lines: group.map(({ line, posted }) => ({
        ruleId: posted.transfer.ruleId,
        award: line.award,
        points: posted.transfer.amount,
        explanation: line.explanation,
        transferId: posted.transfer.id,
        lotId: posted.transfer.lotId,
        activatesAt: iso(line.activatesAt),
        expiresAt: iso(line.expiresAt),
      })),
    };
    await w.emit({ type, memberId, data });
    if (type === 'points.earned') spendable = data;
  }
  return spendable;
}
