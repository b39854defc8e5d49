import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { LightspeedSale } from './schemas.js';

/**
 * A closed return → `order.refunded` of the sale it returns goods of (`return_for`), for the value
 * of the returned lines, tax excluded — the same measure as the sale's `amount`, so the core takes
 * back that share of the points (268.80 of 877.40 → 30.6 %), and everything once the returns add
 * up to the sale. The return is a sale of its own in Lightspeed: its id is the refund id, so the
 * return announced again (parked, then closed, then updated) takes back once.
 */
export function saleReturned(sale: LightspeedSale & { return_for: string }, facts: { currency: string; amount: number; occurredAt: number; customer?: TriggerCustomer }): PlatformTrigger {
  return {
    type: 'order.refunded',
    source: 'lightspeed',
    occurredAt: facts.occurredAt,
    ...(facts.customer ? { customer: facts.customer } : {}),
    refund: { orderId: sale.return_for, refundId: sale.id, currency: facts.currency, amount: facts.amount, measuredAgainst: 'amount' },
  };
}
