import type { NormalizeResult } from '../../core/connectors/definition.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { normalizeCurrency } from '../../core/triggers/money.js';
import { occurredAt, type SquareEvent } from './event.js';
import { parseSquareObject } from './payload.js';
import { refundSchema } from './schemas.js';

/**
 * `refund.created` / `refund.updated` → `order.refunded` once the refund is COMPLETED (a PENDING
 * refund may still be rejected). Each Square refund is its own amount, not a running total, and
 * its id is the fact (the core keys it `square:refund:<refund id>`). The order it reverses is its payment, the
 * same id the purchase was keyed by (order-paid.ts).
 */
export function refundCompleted(event: SquareEvent): NormalizeResult {
  const refund = parseSquareObject(refundSchema, event.data.object?.refund, '/data/object/refund', 'refund');
  if (refund.status !== 'COMPLETED') {
    return { status: 'ignored', reason: `refund ${refund.id} is ${refund.status}: points are taken back once it is COMPLETED` };
  }
  if (!refund.payment_id) return { status: 'ignored', reason: `refund ${refund.id} names no payment, so no purchase to reverse` };
  const trigger: PlatformTrigger = {
    type: 'order.refunded',
    source: 'square',
    occurredAt: occurredAt(event),
    refund: {
      orderId: refund.payment_id,
      refundId: refund.id,
      measuredAgainst: 'total',
      currency: normalizeCurrency(refund.amount_money.currency),
      amount: refund.amount_money.amount,
    },
  };
  if (refund.order_id) trigger.attributes = { squareRefundOrderId: refund.order_id };
  return { status: 'events', events: [trigger] };
}
