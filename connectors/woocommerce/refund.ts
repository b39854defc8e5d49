import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { minorUnitsAt, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import type { WooOrder } from './schemas.js';

/** What an order's save says about when and who, for the refunds and cancellation it announces. */
export interface OrderChange {
  orderId: string;
  occurredAt: number;
  customer: TriggerCustomer | undefined;
}

/**
 * One `order.refunded` per entry of the order's `refunds[]` (`{id, reason, total}`; older
 * versions `{id, refund, total}`), which the core keys `woocommerce:refund:<refund id>`. Every save of the order
 * lists all its refunds again; the ids are stable, so the core applies each refund once and a
 * growing list only adds the new one. WooCommerce writes refund totals negative ("-10.00"): the
 * amount is its absolute value. A refund of 0 returned no money and takes no points back.
 */
export function refundEvents(order: WooOrder, change: OrderChange): PlatformTrigger[] {
  const refunds = order.refunds;
  if (refunds.length === 0) return [];
  const currency = orderCurrency(order);
  return refunds.flatMap((item, index) => {
    const { refundId } = requireFields<{ refundId: string }>('order refund', {
      refundId: [item.id, `/refunds/${index}/id`, 'the refund id is required'],
    });
    const amount = Math.abs(minorUnitsAt(item.total, currency, `/refunds/${index}/total`));
    if (amount === 0) return [];
    return [
      withoutUndefined({
        type: 'order.refunded' as const,
        source: 'woocommerce',
        occurredAt: change.occurredAt,
        customer: change.customer,
        refund: { orderId: change.orderId, refundId, currency, amount, measuredAgainst: 'total' },
      }),
    ];
  });
}

/**
 * Status `refunded`: the whole order went back. Its refund id `<order id>:full` (one
 * per order), with `full: true` so the core takes back whatever the order still has earned,
 * whatever the partial refunds before it already took.
 */
export function fullRefundEvent(order: WooOrder, change: OrderChange): PlatformTrigger {
  return withoutUndefined({
    type: 'order.refunded' as const,
    source: 'woocommerce',
    occurredAt: change.occurredAt,
    customer: change.customer,
    refund: { orderId: change.orderId, refundId: `${change.orderId}:full`, currency: orderCurrency(order), full: true },
  });
}

function orderCurrency(order: WooOrder): string {
  return requireFields<{ currency: string }>('refunded order payload', {
    currency: [order.currency, '/currency', 'an ISO 4217 currency code is required'],
  }).currency;
}
