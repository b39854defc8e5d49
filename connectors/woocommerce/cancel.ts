import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { withoutUndefined } from '../../core/connectors/payload.js';
import type { OrderChange } from './refund.js';

/** Status `cancelled` (after being paid) → `order.cancelled`; the core names it from the order id. */
export function cancelledEvent(change: OrderChange): PlatformTrigger {
  return withoutUndefined({
    type: 'order.cancelled' as const,
    source: 'woocommerce',
    occurredAt: change.occurredAt,
    customer: change.customer,
    order: { id: change.orderId },
  });
}
