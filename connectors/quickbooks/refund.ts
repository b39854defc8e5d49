import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { saleKind, saleOrderId, SOURCE, type ChangeContext, type ChangeResult } from './change.js';
import { totalOf, transactionCurrency } from './money.js';
import type { EntityChange } from './notification.js';

/**
 * A RefundReceipt (money paid back) or a CreditMemo (credit given) → `order.refunded` of the sale
 * it names in `LinkedTxn` (an Invoice or a SalesReceipt), keyed by its own id; its `TotalAmt`
 * is measured against the sale's whole charge (`measuredAgainst: 'total'`), so a partial refund
 * takes back its proportion and refunds adding up to the sale take back the rest.
 *
 * QuickBooks often does not link a refund to the sale it reverses (a RefundReceipt is entered on
 * its own). Such a refund is not guessed onto some sale of the customer: it is ignored with the
 * reason in the inbox, and the merchant adjusts the member's points by hand
 * (docs/connectors/quickbooks.md, section 7, "Refunds").
 */
export async function refundChanged(change: EntityChange, ctx: ChangeContext): Promise<ChangeResult> {
  const entity = change.entity === 'CreditMemo' ? 'CreditMemo' : 'RefundReceipt';
  const refund = await ctx.api.salesTransaction(change.realmId, entity, change.entityId);
  if (!refund) return { ignored: `${entity} ${change.entityId} could not be read (QuickBooks refused the look-up)` };
  const sales = refund.LinkedTxn.flatMap((l) => {
    const kind = saleKind(l.TxnType);
    return kind && l.TxnId ? [{ kind, id: l.TxnId }] : [];
  });
  if (sales.length === 0) {
    return { ignored: `${entity} ${refund.Id} names no invoice or sales receipt it refunds: adjust the member's points by hand` };
  }
  if (sales.length > 1) {
    return { ignored: `${entity} ${refund.Id} names ${sales.length} sales: which share of it refunds which is not stated; adjust the member's points by hand` };
  }
  const currency = await transactionCurrency(change.realmId, entity, refund, ctx);
  const amount = totalOf(entity, refund, currency);
  if (amount <= 0) return { ignored: `${entity} ${refund.Id} totals 0 (voided or empty)` };
  const trigger: PlatformTrigger = {
    type: 'order.refunded',
    source: SOURCE,
    occurredAt: change.occurredAt,
    refund: {
      orderId: saleOrderId(change.realmId, sales[0]!.kind, sales[0]!.id),
      refundId: `${change.realmId}:${entity.toLowerCase()}:${refund.Id}`,
      currency,
      amount,
      measuredAgainst: 'total',
    },
    attributes: { quickbooksRealmId: change.realmId },
  };
  return { events: [trigger] };
}
