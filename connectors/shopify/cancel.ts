import type { NormalizeResult } from '../../core/connectors/definition.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { orderCustomer } from './customer.js';
import { epochMsOf, idOf, requireFields, textOf, withoutUndefined, type JsonObject } from './fields.js';

/**
 * Financial statuses of an order whose money was never captured: orders/paid never came, so
 * nothing was earned. Announcing its cancellation would only leave the core an unmatched
 * take-back (parked, then an exception for support) — and most cancellations are of exactly such
 * abandoned or voided orders.
 */
const NEVER_PAID = new Set(['pending', 'authorized', 'voided', 'expired']);

/**
 * orders/cancelled → `order.cancelled` (the core names it from the order id), unless the order
 * was never paid.
 */
export function orderCancelled(order: JsonObject): NormalizeResult {
  const status = textOf(order.financial_status);
  if (status !== undefined && NEVER_PAID.has(status)) {
    return { status: 'ignored', reason: `the cancelled order was never paid (financial_status ${status}): no points to take back` };
  }
  return { status: 'events', events: [orderCancelledEvent(order)] };
}

function orderCancelledEvent(order: JsonObject): PlatformTrigger {
  const { id, occurredAt } = requireFields<{ id: string; occurredAt: number }>('orders/cancelled payload', {
    id: [idOf(order.id), '/id', 'the order id is required'],
    occurredAt: [
      epochMsOf(order.cancelled_at) ?? epochMsOf(order.updated_at),
      '/cancelled_at',
      'an ISO 8601 timestamp is required (cancelled_at or updated_at)',
    ],
  });
  const customer = orderCustomer(order);
  return withoutUndefined({ type: 'order.cancelled' as const, source: 'shopify', occurredAt, customer, order: { id } });
}
