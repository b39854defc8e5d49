/**
 * Orders by business fact, so refunds can take back in proportion to what was paid, and guest
 * orders ("I bought before I joined") can be credited when their e-mail enrolls within
 * `guests.creditWithinDays`.
 */
import type { Writer } from '../commit/writer.js';
import { and, eq, gte, sql } from 'drizzle-orm';
import { channelKey } from '../analytics/tally.js';
import type { Posted } from '../ledger/index.js';
import { normalizeEmail } from '../members/aliases.js';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { orderKey } from '../triggers/order-identity.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import { DAY_MS } from './calendar.js';
import type { Program } from './compiled-program.js';
import { counterReader } from './counters.js';
import { evaluateTrigger } from './evaluate.js';
import { memberContext } from './member-standing.js';
import { breakdownOf, type OrderBreakdown } from './order-breakdown.js';
import { postEvaluation } from './post-evaluation.js';
import { eqConstant } from '../storage/constant.js';

type OrderPaid = Extract<TriggerEvent, { type: 'order.paid' }>;


/** `credited.breakdown`: what each line earned (./order-breakdown.ts), so refunds naming lines take back what they earned. */
export async function recordOrder(
  tx: Db,
  now: number,
  trigger: OrderPaid,
  credited: { memberId: string; earned: number; breakdown: OrderBreakdown } | undefined,
): Promise<void> {
  const email = trigger.customer?.email;
  await prepared(tx, 'orders_record', (d, { orders: o }) =>
    d
      .insert(o)
      .values({
        key: sql.placeholder('key'),
        source: sql.placeholder('source'),
        memberId: sql.placeholder('memberId'),
        guestEmail: sql.placeholder('guestEmail'),
        currency: sql.placeholder('currency'),
        amount: sql.placeholder('amount'),
        total: sql.placeholder('total'),
        earned: sql.placeholder('earned'),
        breakdown: sql.placeholder('breakdown'),
        status: sql.placeholder('status'),
        trigger: sql.placeholder('trigger'),
        occurredAt: sql.placeholder('occurredAt'),
        createdAt: sql.placeholder('now'),
        updatedAt: sql.placeholder('now'),
      })
      .onConflictDoNothing(),
  )({
    key: orderKey(trigger.source, trigger.order.id),
    source: trigger.source,
    memberId: credited?.memberId ?? null,
    guestEmail: credited ? null : email ? normalizeEmail(email) : null,
    currency: trigger.order.currency,
    amount: trigger.order.amount,
    total: trigger.order.total ?? null,
    earned: credited?.earned ?? 0,
    breakdown: credited ? JSON.stringify(credited.breakdown) : null,
    status: credited ? 'earned' : 'guest',
    trigger: credited ? null : JSON.stringify(trigger),
    occurredAt: trigger.occurredAt,
    now,
  });
}

/** Credits the guest orders of a newly enrolled e-mail placed within the program's window. */
export async function creditGuestOrders(w: Writer, program: Program, memberId: string, email: string): Promise<Posted[]> {
  const { tx, now } = w;
  const days = program.config.guests.creditWithinDays;
  if (days === 0) return [];
  const { orders, appliedTriggers } = tablesOf(tx);
  const guestOrders = await tx
    .select()
    .from(orders)
    .where(and(eqConstant(orders.status, 'guest'), eq(orders.guestEmail, normalizeEmail(email)), gte(orders.occurredAt, now - days * DAY_MS)));
  const posted: Posted[] = [];
  for (const order of guestOrders) {
    const original = JSON.parse(order.trigger!) as OrderPaid;
    // What was refunded while the order waited is not earned at all.
    const trigger: OrderPaid = { ...original, order: { ...original.order, amount: Math.max(0, original.order.amount - Number(order.refundedAmount)) } };
    const evaluation = await evaluateTrigger(program, trigger, await memberContext(tx, program, memberId), counterReader(tx), now);
    // Its lines count in the analytics under the order's platform and channel, not under
    // whoever enrolled the member (docs/api.md, "Analytics": bySource, byChannel).
    const enrolling = w.origin;
    w.origin = { source: original.source, channel: channelKey(original.order.channel) };
    try {
      posted.push(...(await postEvaluation(w, program, trigger, memberId, evaluation, 'guest-order')));
    } finally {
      w.origin = enrolling;
    }
    await tx
      .update(orders)
      .set({
        memberId,
        status: 'earned',
        earned: evaluation.total,
        amount: trigger.order.amount,
        refundedAmount: 0,
        breakdown: JSON.stringify(breakdownOf(program, trigger.order, evaluation)),
        guestEmail: null,
        trigger: null,
        updatedAt: now,
      })
      .where(eq(orders.key, order.key));
    await tx.update(appliedTriggers).set({ memberId, points: evaluation.total, outcome: 'guest order credited on enrollment' }).where(eq(appliedTriggers.id, original.id));
  }
  return posted;
}
