import { minorUnitsAt, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { occurredAtOf, transactionCustomer } from './customer.js';
import type { NetSuiteTransaction } from './schemas.js';

/**
 * A credit memo or cash refund created from a sale → `order.refunded` against that sale
 * (`createdfrom`, the invoice's or cash sale's internal id, which is the order id of its
 * `order.paid`). Its own internal id is the refund id, so the same memo saved again takes back
 * nothing more. Its `total` includes the tax and shipping it gives back, so it is measured
 * against the sale's total: a memo of half the sale takes back half its points.
 */
export function refundEvent(transaction: NetSuiteTransaction): PlatformTrigger {
  const { refundId, orderId, currency } = requireFields<{ refundId: string; orderId: string; currency: string }>('NetSuite refund', {
    refundId: [transaction.id, '/id', 'the transaction internal id is required'],
    orderId: [transaction.fields.createdfrom, '/fields/createdfrom', 'the sale this was created from is required'],
    currency: [transaction.fields.currencysymbol, '/fields/currencysymbol', 'an ISO 4217 currency code is required'],
  });
  const amount = Math.abs(minorUnitsAt(transaction.fields.total, currency, '/fields/total'));
  return withoutUndefined({
    type: 'order.refunded' as const,
    source: 'netsuite',
    occurredAt: occurredAtOf(transaction),
    customer: transactionCustomer(transaction),
    refund: { orderId, refundId, currency, amount, measuredAgainst: 'total' as const },
  });
}
