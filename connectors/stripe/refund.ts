import type { NormalizeResult } from '../../core/connectors/definition.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { normalizeCurrency } from '../../core/triggers/money.js';
import { customerFacts } from './customer.js';
import type { StripeEvent } from './event.js';
import { fromStripeAmount } from './money.js';
import { parseStripeObject } from './payload.js';
import { chargeSchema } from './schemas.js';

/**
 * `charge.refunded` carries the charge with its cumulative `amount_refunded`, not the refund
 * that just happened. So the trigger says "this order has now been refunded N in total"
 * (`refundedTotal`) and the core takes back the difference to what it already processed. Its id
 * names that total, so a redelivery (or a second event for the same state) is the same fact and
 * each further partial refund a new one. The order is the PaymentIntent, as for the purchase.
 */
export function chargeRefunded(event: StripeEvent): NormalizeResult {
  const charge = parseStripeObject(chargeSchema, event.data.object, '/data/object', 'charge');
  if (charge.amount_refunded === 0) return { status: 'ignored', reason: `charge ${charge.id} has nothing refunded` };
  const orderId = charge.payment_intent ?? charge.id;
  const refundedTotal = fromStripeAmount(charge.amount_refunded, charge.currency);
  const trigger: PlatformTrigger = {
    type: 'order.refunded',
    source: 'stripe',
    occurredAt: event.created * 1000,
    refund: {
      orderId,
      refundId: `${orderId}:total:${refundedTotal}`,
      measuredAgainst: 'total',
      currency: normalizeCurrency(charge.currency),
      refundedTotal,
      ...(charge.refunded === true ? { full: true } : {}),
    },
  };
  const billing = charge.billing_details;
  const customer = customerFacts({ id: charge.customer, email: charge.receipt_email ?? billing?.email, name: billing?.name, phone: billing?.phone });
  if (customer) trigger.customer = customer;
  return { status: 'events', events: [trigger] };
}
