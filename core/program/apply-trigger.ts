/**
 * Applying a trigger event: the one entry point for webhooks, `POST /v1/events` and `replay`.
 * Runs inside the caller's transaction, so an inbox row, the ledger lines and the outbox events
 * of one delivery commit together or not at all.
 *
 * Exactly once (docs/operating.md) rests on two keys: `applied_triggers.id` (the business fact, e.g.
 * `shopify:order:123`) answers a redelivery — or another platform's event for the same fact —
 * as a duplicate; and each earn's idempotency key `earn:<trigger>:<rule>` stops a concurrent
 * twin at the unique index (the loser rolls back and retries into the duplicate answer).
 */
import { channelKey } from '../analytics/tally.js';
import type { Writer } from '../commit/writer.js';
import { eq, sql } from 'drizzle-orm';
import type { Posted } from '../ledger/index.js';
import { resolveMember } from '../members/members.js';
import { param, prepared, tablesOf } from '../storage/prepared.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import type { Program } from './compiled-program.js';
import { counterReader } from './counters.js';
import { evaluateTrigger, type Evaluation } from './evaluate.js';
import { creditGuestOrders, recordOrder } from './orders.js';
import { memberContext } from './member-standing.js';
import { breakdownOf } from './order-breakdown.js';
import { postEvaluation } from './post-evaluation.js';
import { applyRefund, applyParkedRefunds } from './refunds.js';
import { useStoreVouchers } from '../rewards/store-vouchers.js';
import { applyMirroredPoints, applyVoucherFact } from './platform-facts.js';
import { TriggerError } from './trigger-error.js';

export { TriggerError };

export type ApplyStatus = 'applied' | 'duplicate' | 'guest' | 'parked';

export interface ApplyOutcome {
  status: ApplyStatus;
  triggerId: string;
  memberId?: string;
  enrolled: boolean;
  /** Points earned (positive) or taken back (negative) by this trigger. */
  points: number;
  posted: Posted[];
  evaluation?: Evaluation;
  detail?: string;
}

/** Applies one trigger inside the caller's write; its ledger lines record the write's actor. */
export async function applyTrigger(w: Writer, program: Program, trigger: TriggerEvent): Promise<ApplyOutcome> {
  const { tx, now } = w;
  // The analytics splits of this trigger's lines: its platform and, for an order, its channel.
  w.origin = { source: trigger.source, channel: channelKey(trigger.type === 'order.paid' ? trigger.order.channel : undefined) };
  const claimed = await prepared(tx, 'applied_trigger_claim', (d, { appliedTriggers: a }) =>
    d
      .insert(a)
      .values({ id: sql.placeholder('id'), type: sql.placeholder('type'), memberId: null, points: 0, outcome: 'applying', appliedAt: sql.placeholder('now') })
      .onConflictDoNothing()
      .returning({ id: a.id }),
  )({ id: trigger.id, type: trigger.type, now });
  if (claimed.length === 0) {
    const { appliedTriggers } = tablesOf(tx);
    const [seen] = await tx.select().from(appliedTriggers).where(eq(appliedTriggers.id, trigger.id));
    return { status: 'duplicate', triggerId: trigger.id, memberId: seen?.memberId ?? undefined, enrolled: false, points: Number(seen?.points ?? 0), posted: [], detail: seen?.outcome };
  }
  const outcome = await applyNew(w, program, trigger);
  await prepared(tx, 'applied_trigger_finish', (d, { appliedTriggers: a }) =>
    d
      .update(a)
      .set({ memberId: param('memberId'), points: param('points'), outcome: param('outcome') })
      .where(eq(a.id, sql.placeholder('id'))),
  )({ id: trigger.id, memberId: outcome.memberId ?? null, points: outcome.points, outcome: outcome.detail ?? outcome.status });
  return outcome;
}

function aliasesOf(trigger: TriggerEvent): string[] {
  const c = trigger.customer;
  return [...(c?.platformId ? [`${trigger.source}:${c.platformId}`] : []), ...(c?.aliases ?? [])];
}

async function resolveCustomer(w: Writer, trigger: TriggerEvent, enroll: boolean) {
  const c = trigger.customer;
  if (!c || (!c.platformId && !c.email && !c.memberId && !c.aliases?.length)) return undefined;
  return resolveMember(
    w,
    {
      memberId: c.memberId,
      aliases: aliasesOf(trigger),
      email: c.email ?? null,
      profile: { phone: c.phone ?? null, firstName: c.firstName ?? null, lastName: c.lastName ?? null, consentEmail: c.consentEmail, consentSms: c.consentSms },
    },
    // The account history says which platform's event enrolled the member (docs/api.md, "Account history").
    { enroll, enrolment: { kind: 'enrolled', detail: { via: 'event', source: trigger.source, trigger: trigger.type } } },
  );
}

async function applyNew(w: Writer, program: Program, trigger: TriggerEvent): Promise<ApplyOutcome> {
  const { tx, now } = w;
  if (trigger.type === 'order.refunded' || trigger.type === 'order.cancelled') {
    return applyRefund(w, program, trigger);
  }
  // A voucher taken or withdrawn at a platform's till: the voucher's own member, no rule (./platform-facts.ts).
  if (trigger.type === 'voucher.used' || trigger.type === 'voucher.cancelled') return applyVoucherFact(w, trigger);
  // Hub vouchers the store honoured in this order become used, in this same write (core/rewards/store-vouchers.ts).
  if (trigger.type === 'order.paid') await useStoreVouchers(w, trigger);
  // A platform customer account enrolls; a guest (e-mail only) is matched to an existing member
  // by e-mail, else the order waits for that e-mail to enroll.
  const enroll = trigger.type !== 'order.paid' || Boolean(trigger.customer?.platformId || trigger.customer?.aliases?.length);
  const resolved = await resolveCustomer(w, trigger, enroll);
  if (!resolved) {
    if (trigger.type === 'order.paid') {
      await recordOrder(tx, now, trigger, undefined);
      return { status: 'guest', triggerId: trigger.id, enrolled: false, points: 0, posted: [], detail: trigger.customer?.email ? 'guest order: credited if this e-mail enrolls' : 'guest order without an e-mail' };
    }
    throw new TriggerError('customer_missing', 'the event names no customer (platform id or e-mail)');
  }
  const posted: Posted[] = [];
  if (trigger.type === 'points.mirrored') {
    const line = await applyMirroredPoints(w, trigger, resolved.memberId);
    return { status: 'applied', triggerId: trigger.id, memberId: resolved.memberId, enrolled: resolved.enrolled, points: line.duplicate ? 0 : signed(line), posted: [line] };
  }
  let evaluation: Evaluation | undefined;
  if (trigger.type === 'order.paid') {
    evaluation = await evaluateTrigger(program, trigger, await memberContext(tx, program, resolved.memberId), counterReader(tx), now);
    posted.push(...(await postEvaluation(w, program, trigger, resolved.memberId, evaluation)));
    await recordOrder(tx, now, trigger, { memberId: resolved.memberId, earned: evaluation.total, breakdown: breakdownOf(program, trigger.order, evaluation) });
    posted.push(...(await applyParkedRefunds(w, program, trigger.source, trigger.order.id)));
  } else {
    evaluation = await evaluateTrigger(program, trigger, await memberContext(tx, program, resolved.memberId), counterReader(tx), now);
    posted.push(...(await postEvaluation(w, program, trigger, resolved.memberId, evaluation)));
  }
  if (resolved.enrolled && trigger.customer?.email) {
    posted.push(...(await creditGuestOrders(w, program, resolved.memberId, trigger.customer.email)));
  }
  const points = posted.filter((p) => !p.duplicate).reduce((n, p) => n + signed(p), 0);
  const detail = points === 0 && evaluation.total === 0 ? whyNoPoints(evaluation) : undefined;
  return { status: 'applied', triggerId: trigger.id, memberId: resolved.memberId, enrolled: resolved.enrolled, points, posted, evaluation, ...(detail ? { detail } : {}) };
}

/**
 * Why an applied trigger earned nothing, in words support can repeat to a customer: no rule is on
 * it, or which rules did not apply and why, or the cap that took it all (docs/program.md). Kept
 * with the trigger, so the webhook answer, the inbox and a later duplicate all say it.
 */
function whyNoPoints(e: Evaluation): string {
  if (e.lines.length === 0 && e.skipped.length === 0) return `no points: no rule of the program is on ${e.on}`;
  if (e.lines.length === 0) {
    const shown = e.skipped.slice(0, 3).map((s) => `rule ${s.ruleId}: ${s.reason}`);
    const more = e.skipped.length - shown.length;
    return `no points: ${shown.join('; ')}${more > 0 ? `; and ${more} more rule(s)` : ''}`;
  }
  return `no points: ${e.limited.length > 0 ? e.limited.map((l) => l.limit).join('; ') : 'the rules that applied award 0'}`;
}

export function signed(p: Posted): number {
  const t = p.transfer;
  if (t.kind === 'earn') return t.amount;
  if (t.kind === 'reverse') return -t.amount;
  if (t.kind === 'adjust') return t.debitAccount.startsWith('member:') ? -t.amount : t.amount;
  return 0;
}


