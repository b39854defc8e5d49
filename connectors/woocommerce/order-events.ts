import type { NormalizeResult } from '../../core/connectors/definition.js';
import { parseWithSchema, requireFields } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { orderCustomer } from './customer.js';
import { orderSchema, type WooOrder } from './schemas.js';
import { orderPaidEvent } from './order-paid.js';
import { cancelledEvent } from './cancel.js';
import { fullRefundEvent, refundEvents } from './refund.js';

/**
 * order.created / order.updated carry the whole order as it is now, not what changed, so each
 * delivery is read as a state: paid → `order.paid`, each refund listed → `order.refunded`,
 * status `refunded` → a full refund, `cancelled` (after being paid) → `order.cancelled`. All keyed by business facts,
 * so the same state delivered again adds nothing; the paid event comes first so that a refund in
 * the same delivery finds the points it takes back.
 */
export function orderEvents(payload: unknown, paidStatuses: ReadonlySet<string>): NormalizeResult {
  const order = parseWithSchema(orderSchema, payload, '', 'WooCommerce order payload');
  const { orderId, status } = requireFields<{ orderId: string; status: string }>('order payload', {
    orderId: [order.id, '/id', 'the order id is required'],
    status: [order.status, '/status', 'the order status is required'],
  });
  const change = {
    orderId,
    // A refund or cancellation has no date of its own in the order: it happened at the order's
    // last change (or on arrival, for a payload without dates).
    occurredAt: order.date_modified_gmt ?? order.date_created_gmt ?? Date.now(),
    customer: orderCustomer(order),
  };
  const events: PlatformTrigger[] = [];
  if (paidStatuses.has(status)) events.push(orderPaidEvent(payload, order, orderId));
  events.push(...refundEvents(order, change));
  if (status === 'refunded') events.push(fullRefundEvent(order, change));
  if (status === 'cancelled' && wasEverPaid(order)) events.push(cancelledEvent(change));
  if (events.length === 0) {
    const reason =
      status === 'cancelled'
        ? 'the order was cancelled before it was paid: no points to take back'
        : `order status "${status}" is not paid (paid: ${[...paidStatuses].join(', ')})`;
    return { status: 'ignored', reason };
  }
  return { status: 'events', events };
}

/**
 * WooCommerce stamps `date_paid` when an order first reaches a paid status (and `date_completed`
 * when it completes). Most cancelled orders never had either: unpaid checkouts that WooCommerce
 * cancels when their held stock expires. Announcing those would leave the core an unmatched
 * take-back for an order that never earned (parked, then an exception for support).
 */
function wasEverPaid(order: WooOrder): boolean {
  return order.date_paid_gmt !== undefined || order.date_completed_gmt !== undefined;
}
