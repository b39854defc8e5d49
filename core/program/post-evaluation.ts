/**
 * Posts what `evaluateTrigger` decided: one earn per line (idempotent by event and rule), announced
 * together as one `points.earned` / `points.pending` (./announce-application.ts), the counters
 * behind limits and tiers, `limit.reached` / `fraud.flagged`, debt repayment, the thresholds the
 * application crossed and the tier review — all in the caller's transaction.
 */
import type { Writer } from '../commit/writer.js';
import { earn, type Posted } from '../ledger/index.js';
import { announceApplication, type PostedLine } from './announce-application.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import { dayKey, periodKey } from './calendar.js';
import type { Program } from './compiled-program.js';
import { bumpCounter, counterKeys } from './counters.js';
import { heldSchedule, openFraudHold } from './fraud-holds.js';
import type { Evaluation } from './evaluate.js';
import { readMemberStanding, reviewTier } from './member-standing.js';
import { repayDebt } from './take-back.js';

/** The rule id `POST /v1/events` gives an activity's explicit points. */
export const EXPLICIT_RULE = 'explicit';

export async function postEvaluation(
  w: Writer,
  program: Program,
  trigger: TriggerEvent,
  memberId: string,
  evaluation: Evaluation,
  /** Recorded instead of the write's actor (a guest order credited on enrolment: `guest-order`). */
  actor?: string,
): Promise<Posted[]> {
  const { tx } = w;
  const posted: Posted[] = [];
  const fresh: PostedLine[] = [];
  for (const line of evaluation.lines) {
    if (line.points <= 0) continue;
    const capped = line.cappedBy.length > 0;
    const earned = await w.post(
      earn,
      {
        memberId,
        points: line.points,
        idempotencyKey: `earn:${trigger.id}:${line.ruleId}`,
        ...heldSchedule(line, evaluation),
        why: {
          // An activity posted with explicit points is the caller's award, not a rule's.
          source: line.ruleId === EXPLICIT_RULE ? 'event' : 'rule',
          ruleId: line.ruleId === EXPLICIT_RULE ? undefined : line.ruleId,
          eventId: trigger.id,
          actor,
          reason: capped ? `${evaluation.on}: capped by ${line.cappedBy.join(', ')}` : evaluation.on,
          metadata: {
            explanation: line.explanation,
            ...(capped ? { uncapped: line.uncapped, cappedBy: line.cappedBy } : {}),
            ...(evaluation.held ? { heldForReview: evaluation.held.reason } : {}),
          },
        },
      },
      { announce: false },
    );
    posted.push(earned);
    if (!earned.duplicate) fresh.push({ line, posted: earned });
  }
  const spendable = await announceApplication(w, memberId, evaluation.on, fresh);
  const total = evaluation.total;
  const tz = program.timeZone;
  if (total > 0) {
    await bumpCounter(tx, counterKeys.day(memberId, dayKey(trigger.occurredAt, tz)), total, 1);
    await bumpCounter(tx, counterKeys.minute(memberId, Math.floor(trigger.occurredAt / 60_000)), 0, 1);
  }
  for (const line of evaluation.lines) {
    const rule = program.rules.find((r) => r.id === line.ruleId);
    if (!rule) continue;
    // A line a cap cut to nothing did not use up the member's allowance of this rule.
    if (rule.limit.perMember && line.points > 0) {
      await bumpCounter(tx, counterKeys.rule(memberId, rule.id, periodKey(trigger.occurredAt, tz, rule.limit.perMember.per)), line.points, 1);
    }
    if (rule.limit.budget !== undefined && line.points > 0) await bumpCounter(tx, counterKeys.budget(rule.id), line.points, 1);
  }
  for (const limit of evaluation.limited) {
    await w.emit({ type: 'limit.reached', memberId, data: { ...limit, eventId: trigger.id, trigger: evaluation.on } });
  }
  // Held lines wait for a reviewer: the hold, its history entry and `fraud.flagged` (./fraud-holds.ts).
  await openFraudHold(w, memberId, trigger, evaluation, posted);
  // One read of the member's standing serves both the debt repayment and the tier review,
  // unless a repayment changed it.
  const known = await readMemberStanding(tx, memberId);
  const repaid = await repayDebt(w, program, memberId, posted, known?.standing.debt ?? 0);
  posted.push(...repaid);
  // Measured from before the first line to after the debt repayment: points that only passed
  // through on their way to repaying a debt took the member across nothing.
  const applied = posted.filter((p) => p.after);
  if (spendable && applied.length > 0) await w.reachedThresholds(memberId, applied[0]!.before!, applied[applied.length - 1]!.after!, spendable);
  await reviewTier(w, program, memberId, repaid.length ? undefined : known);
  return posted;
}
