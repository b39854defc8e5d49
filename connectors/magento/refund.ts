import type { NormalizeResult } from '../../core/connectors/definition.js';
import { minorUnitsAt, requireFields } from '../../core/connectors/payload.js';
import type { MagentoCreditmemo } from './schemas.js';

/** Magento\Sales\Model\Order\Creditmemo::STATE_REFUNDED: the money went back. */
const STATE_REFUNDED = 2;

/**
 * A refunded credit memo → `order.refunded`. The refund is the credit memo (`entity_id`, unique in
 * the store, so the core keys it `magento:refund:<entity_id>` and every save of the memo is one
 * fact); the order it takes back from is its `order_id`, the same entity id the purchase was keyed
 * by (order-paid.ts).
 *
 * Its amount is measured like the order's: `grand_total` less `shipping_amount` and `tax_amount` —
 * the goods given back, after discounts, without tax or shipping. An adjustment refund
 * (`adjustment_positive`, money returned beyond the lines) takes points back in proportion as
 * well, and an adjustment fee (`adjustment_negative`, money kept) lessens what is taken back,
 * since both are in `grand_total`; a memo returning only shipping or tax takes nothing back. So a
 * partial credit memo takes back its share of the order's points, and the memos that refund the
 * whole order take back the rest (the core never takes back more than was earned).
 */
export function creditmemoRefunded(memo: MagentoCreditmemo, pointer: string): NormalizeResult {
  const { refundId, orderId, currency, occurredAt } = requireFields<{ refundId: string; orderId: string; currency: string; occurredAt: number }>(
    'credit memo',
    {
      refundId: [memo.entity_id, `${pointer}/entity_id`, 'the credit memo entity id is required'],
      orderId: [memo.order_id, `${pointer}/order_id`, 'the order entity id is required'],
      currency: [memo.order_currency_code, `${pointer}/order_currency_code`, 'an ISO 4217 currency code is required'],
      occurredAt: [memo.created_at, `${pointer}/created_at`, 'a date is required'],
    },
  );
  if (memo.state !== undefined && memo.state !== STATE_REFUNDED) {
    return { status: 'ignored', reason: `credit memo ${refundId} is in state ${memo.state}: points are taken back once it is refunded (state 2)` };
  }
  const grandTotal = minorUnitsAt(memo.grand_total, currency, `${pointer}/grand_total`);
  const shipping = memo.shipping_amount == null ? 0 : minorUnitsAt(memo.shipping_amount, currency, `${pointer}/shipping_amount`);
  const tax = memo.tax_amount == null ? 0 : minorUnitsAt(memo.tax_amount, currency, `${pointer}/tax_amount`);
  const amount = Math.max(0, grandTotal - shipping - tax);
  if (amount === 0) return { status: 'ignored', reason: `credit memo ${refundId} gave back only shipping or tax, on which no points were earned` };
  return {
    status: 'events',
    events: [{ type: 'order.refunded', source: 'magento', occurredAt, refund: { orderId, refundId, currency, amount, measuredAgainst: 'amount' } }],
  };
}
