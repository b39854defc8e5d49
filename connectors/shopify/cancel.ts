import type { z } from 'zod';
import type { NormalizeResult } from '../../core/connectors/definition.js';
import { parseWithSchema, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { orderCustomer } from './customer.js';
import { cancelledOrderSchema } from './schemas.js';

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
export function orderCancelled(payload: unknown): NormalizeResult {
  const order = parseWithSchema(cancelledOrderSchema, payload, '', 'Shopify orders/cancelled payload');
  const status = order.financial_status;
  if (status !== undefined && NEVER_PAID.has(status)) {
    return { status: 'ignored', reason: `the cancelled order was never paid (financial_status ${status}): no points to take back` };
  }
  return { status: 'events', events: [orderCancelledEvent(order)] };
}

function orderCancelledEvent(order: z.output<typeof cancelledOrderSchema>): PlatformTrigger {
  const { id, occurredAt } = requireFields<{ id: string; occurredAt: number }>('orders/cancelled payload', {
    id: [order.id, '/id', 'the order id is required'],
    occurredAt: [
      order.cancelled_at ?? order.updated_at,
      '/cancelled_at',
      'an ISO 8601 timestamp is required (cancelled_at or updated_at)',
    ],
  });
  const customer = orderCustomer(order);
  return withoutUndefined({ type: 'order.cancelled' as const, source: 'shopify', occurredAt, customer, order: { id } });
}
