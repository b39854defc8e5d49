/**
 * Refunds and cancellations take back the points of what was refunded, cumulatively (three
 * partial refunds that add up to the order take back exactly what it earned) and never more than
 * was earned: a refund naming its lines takes back what those lines earned (./refund-by-lines.ts),
 * one by amount — or on an order recorded without a line breakdown — in proportion to the
 * order's amount (docs/program.md, "Refunds"). A refund that arrives before its
 * order is parked and applied when the order arrives; after `refunds.parkHours` it becomes an
 * exception (`refund.unmatched`) for support.
 */
import type { Writer } from '../commit/writer.js';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Posted } from '../ledger/index.js';
import { pgOf } from '../storage/dialect.js';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import type { ApplyOutcome } from './apply-trigger.js';
import type { Program } from './compiled-program.js';
import { memberContext, withdrawFromTierWindow } from './member-standing.js';
import { everyLineRefunded, parseBreakdown } from './order-breakdown.js';
import { refundByLines, type LineRefund } from './refund-by-lines.js';
import { orderKey } from '../triggers/order-identity.js';
import { takeBack } from './take-back.js';
import { eqConstant } from '../storage/constant.js';

type RefundTrigger = Extract<TriggerEvent, { type: 'order.refunded' | 'order.cancelled' }>;
type OrderRow = import('../storage/rows.js').Row<'orders'>;

const HOUR_MS = 3_600_000;

function orderIdOf(trigger: RefundTrigger): string {
  return trigger.type === 'order.cancelled' ? trigger.order.id : trigger.refund.orderId;
}

export async function applyRefund(w: Writer, program: Program, trigger: RefundTrigger): Promise<ApplyOutcome> {
  const { tx, now } = w;
  const { orders, orderRefunds } = tablesOf(tx);
  const key = orderKey(trigger.source, orderIdOf(trigger));
  await lockOrderKey(tx, key);
  const [order] = await tx.select().from(orders).where(eq(orders.key, key));
  if (!order) {
    await tx.insert(orderRefunds).values({ key: trigger.id, orderKey: key, amount: 0, status: 'parked', trigger: JSON.stringify(trigger), receivedAt: now }).onConflictDoNothing();
    return { status: 'parked', triggerId: trigger.id, enrolled: false, points: 0, posted: [], detail: `order ${key} not seen yet: parked until it arrives` };
  }
  const result = await refundOrder(w, program, trigger, order);
  await tx.insert(orderRefunds).values({ key: trigger.id, orderKey: key, amount: result.amount, points: result.points, status: 'applied', trigger: JSON.stringify(trigger), receivedAt: now, resolvedAt: now }).onConflictDoNothing();
  // What the ledger took back (reversals, debits): a debt or a part not taken (only_pending) is in `detail`, not here.
  const taken = result.posted.reduce((n, p) => n + p.transfer.amount, 0);
  return { status: 'applied', triggerId: trigger.id, memberId: order.memberId ?? undefined, enrolled: false, points: -taken, posted: result.posted, detail: result.detail };
}

/**
 * The share of the order refunded so far, after this refund, as `refunded / base`: refunds are
 * cumulative (Stripe's `amount_refunded`) or summed, and capped at the whole.
 */
function refundedAfter(trigger: RefundTrigger, order: OrderRow, lineMoney?: number): { refunded: number; base: number } {
  const already = Number(order.refundedAmount);
  const againstTotal = trigger.type === 'order.refunded' && trigger.refund.measuredAgainst === 'total' && order.total !== null;
  const base = againstTotal ? Number(order.total) : Number(order.amount);
  if (trigger.type === 'order.cancelled') return { refunded: base, base };
  const r = trigger.refund;
  let total = already;
  if (r.full) total = base;
  else if (r.refundedTotal !== undefined) total = Math.max(already, r.refundedTotal);
  else if (r.amount !== undefined) total = already + r.amount;
  else if (lineMoney !== undefined) total = already + lineMoney;
  else if (r.lineItems?.length) total = already + r.lineItems.reduce((n, l) => n + (l.amount ?? 0), 0);
  return { refunded: Math.min(total, base), base };
}

/**
 * A refund naming lines of an order whose breakdown was recorded: what those lines earned.
 * Undefined when it names no lines, is a full refund, or the order has no breakdown (recorded
 * before it, or a guest's): then the amount decides, as before.
 */
async function byLines(w: Writer, program: Program, trigger: RefundTrigger, order: OrderRow): Promise<LineRefund | undefined> {
  if (trigger.type !== 'order.refunded' || trigger.refund.full || !trigger.refund.lineItems?.length || !order.memberId) return undefined;
  const recorded = parseBreakdown(order.breakdown);
  if (!recorded) return undefined;
  const member = await memberContext(w.tx, program, order.memberId);
  return refundByLines(program, recorded, { lines: trigger.refund.lineItems, source: order.source, occurredAt: order.occurredAt }, member);
}

async function refundOrder(w: Writer, program: Program, trigger: RefundTrigger, order: OrderRow) {
  const { tx, now } = w;
  const { orders } = tablesOf(tx);
  const lines = await byLines(w, program, trigger, order);
  const matched = lines?.matched ? lines : undefined;
  const { refunded, base: amount } = refundedAfter(trigger, order, matched && trigger.type === 'order.refunded' && trigger.refund.amount === undefined ? matched.money : undefined);
  const earned = Number(order.earned);
  const cancelled = trigger.type === 'order.cancelled' || (trigger.type === 'order.refunded' && trigger.refund.full === true);
  // Cumulative: the points due back for everything refunded so far, less what was taken already.
  // An order refunded both by lines and by amount gives back the larger measure, never more than it earned.
  const due = matched ? Math.min(earned, matched.due) : amount === 0 ? earned : cancelled ? earned : Math.floor((earned * refunded) / amount);
  const take = Math.max(0, due - Number(order.reversedPoints));
  const delta = refunded - Number(order.refundedAmount);
  let posted: Posted[] = [];
  let detail = matched
    ? `${matched.described}: ${take} of ${earned} points due back`
    : `refunded ${refunded} of ${amount} ${order.currency} (minor units): ${take} of ${earned} points due back`;
  if (lines && !lines.matched) detail += `; measured by amount: ${lines.unmatched.length ? `${lines.unmatched.join(', ')} not in the order` : 'no line with units named'}`;
  if (order.status === 'guest') {
    detail = 'guest order: the refund lowers what it earns if its e-mail enrolls';
  } else if (take > 0 && order.memberId) {
    const result = await takeBack(w, program, {
      memberId: order.memberId,
      orderKey: order.key,
      points: take,
      key: `refund:${trigger.id}`,
      reason: trigger.type === 'order.cancelled' ? 'order cancelled' : 'order refunded',
      eventId: trigger.id,
      ...(matched ? { prefer: matched.prefer } : {}),
    });
    posted = result.posted;
    if (result.debt) detail += `; ${result.debt} recorded as debt`;
    if (result.forgiven) detail += `; ${result.forgiven} not taken (only_pending: points already active)`;
    // Tier windows count points earned net of what refunds took back.
    await withdrawFromTierWindow(w, program, order.memberId, take);
  }
  await tx
    .update(orders)
    .set({
      refundedAmount: refunded,
      reversedPoints: Number(order.reversedPoints) + (order.status === 'guest' ? 0 : take),
      ...(matched ? { breakdown: JSON.stringify(matched.breakdown) } : {}),
      // A guest order refunded in full is never credited: nothing of it was kept.
      status: cancelled || refunded >= amount || (matched && everyLineRefunded(matched.breakdown)) ? 'cancelled' : order.status,
      updatedAt: now,
    })
    .where(eq(orders.key, order.key));
  return { amount: delta, points: order.status === 'guest' ? 0 : take, posted, detail };
}

/** Namespace of the per-order advisory locks (the two-key form: apart from every one-key lock). */
const ORDER_LOCK_SPACE = 7_141_002;

/**
 * Serializes what may race on one order: a refund that finds no order and parks, and the order
 * arriving and applying the parked refunds. On PostgreSQL neither transaction sees the other's
 * uncommitted row, so without this a refund delivered at the same moment as its order (two
 * processes, or one process's pool) stays parked though its order is there, and the points are
 * never taken back. A transaction-scoped advisory lock per order key; SQLite runs write
 * transactions one at a time, so there is nothing to do.
 */
async function lockOrderKey(tx: Db, key: string): Promise<void> {
  const pg = pgOf(tx);
  if (pg) await pg.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(ORDER_LOCK_SPACE))}, hashtext(${key}))`);
}

/** Applies refunds that arrived before their order, now that it is here. */
export async function applyParkedRefunds(w: Writer, program: Program, source: string, orderId: string): Promise<Posted[]> {
  const { tx, now } = w;
  const { orders, orderRefunds } = tablesOf(tx);
  const key = orderKey(source, orderId);
  await lockOrderKey(tx, key);
  // Asked on every paid order and almost always empty: sorted here, not with ORDER BY, whose
  // temporary sort tree cost SQLite ~20 µs even on an empty table (docs/architecture.md,
  // "Statements per write").
  const parked = await prepared(tx, 'order_refunds_parked', (d, { orderRefunds: r }) =>
    d.select().from(r).where(and(eq(r.orderKey, sql.placeholder('key')), eqConstant(r.status, 'parked'))),
  )({ key });
  if (parked.length === 0) return [];
  parked.sort((a, b) => a.receivedAt - b.receivedAt || (a.key < b.key ? -1 : 1));
  const posted: Posted[] = [];
  for (const row of parked) {
    const [order] = await tx.select().from(orders).where(eq(orders.key, key));
    const result = await refundOrder(w, program, JSON.parse(row.trigger) as RefundTrigger, order!);
    posted.push(...result.posted);
    await tx.update(orderRefunds).set({ status: 'applied', amount: result.amount, points: result.points, resolvedAt: now }).where(eq(orderRefunds.key, row.key));
  }
  return posted;
}

/** Parked refunds older than the program's wait become exceptions, announced for support. */
export async function expireParkedRefunds(w: Writer, program: Program, limit = 500): Promise<number> {
  const { tx, now } = w;
  const { orderRefunds } = tablesOf(tx);
  const due = await tx
    .select()
    .from(orderRefunds)
    .where(and(eq(orderRefunds.status, 'parked'), lt(orderRefunds.receivedAt, now - program.config.refunds.parkHours * HOUR_MS)))
    .limit(limit);
  for (const row of due) {
    await tx.update(orderRefunds).set({ status: 'exception', resolvedAt: now }).where(and(eq(orderRefunds.key, row.key), eq(orderRefunds.status, 'parked')));
    const trigger = JSON.parse(row.trigger) as RefundTrigger;
    await w.emit({
      type: 'refund.unmatched',
      memberId: null,
      data: { refundId: row.key, orderKey: row.orderKey, source: trigger.source, receivedAt: new Date(row.receivedAt).toISOString(), waitedHours: program.config.refunds.parkHours },
    });
  }
  return due.length;
}
