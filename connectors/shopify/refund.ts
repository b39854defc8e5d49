import { InboundPayloadError, type NormalizeResult } from '../../core/connectors/definition.js';
import { minorUnitsAt, parseWithSchema, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import type { RefundFacts } from '../../core/triggers/trigger-event.js';
import { refundSchema, type MoneyBag, type ShopifyRefund } from './schemas.js';

type RefundedLine = NonNullable<RefundFacts['lineItems']>[number];
type Transaction = ShopifyRefund['transactions'][number];
type RefundLine = ShopifyRefund['refund_line_items'][number];

/**
 * refunds/create → `order.refunded`, which the core keys `shopify:refund:<refund id>` (an order may have many
 * refunds; each is taken back once).
 *
 * The amount is the money that actually went back: the refund's successful `refund`
 * transactions. Line subtotals are not enough — Shopify sends refunds whose line subtotal is 0.00
 * while the transaction carries 41.94. Since points were earned on goods without shipping and
 * tax, the refunded shipping (with its tax) and the refunded lines' tax are subtracted. A refund
 * that returns no money for goods (only shipping, or a restock without payment) takes no points
 * back and is ignored.
 */
export function refundCreated(payload: unknown): NormalizeResult {
  const refund = parseWithSchema(refundSchema, payload, '', 'Shopify refunds/create payload');
  const { id, orderId, occurredAt } = requireFields<{ id: string; orderId: string; occurredAt: number }>('refunds/create payload', {
    id: [refund.id, '/id', 'the refund id is required'],
    orderId: [refund.order_id, '/order_id', 'the order id is required'],
    occurredAt: [
      refund.processed_at ?? refund.created_at,
      '/processed_at',
      'an ISO 8601 timestamp is required (processed_at or created_at)',
    ],
  });
  // Indexes into the original array, for pointers.
  const payments = refund.transactions.map((item, index) => ({ item, index })).filter(({ item }) => item.kind === 'refund' && item.status === 'success');
  if (payments.length === 0) return { status: 'ignored', reason: 'the refund has no successful refund transaction: no money went back' };

  const currency = refundCurrency(payments);
  const paidBack = payments.reduce((sum, { item, index }) => sum + minorUnitsAt(item.amount, currency, `/transactions/${index}/amount`), 0);
  const lines = refund.refund_line_items;
  const lineTax = lines.reduce(
    (sum, line, index) => sum + moneyAt(line.total_tax_set, 'total_tax_set', line.total_tax, 'total_tax', currency, `/refund_line_items/${index}`),
    0,
  );
  const amount = Math.max(0, paidBack - refundedShipping(refund, currency) - lineTax);
  if (amount === 0) return { status: 'ignored', reason: 'the refund returned only shipping or tax, on which no points were earned' };

  const facts: RefundFacts = {
    orderId,
    refundId: id,
    currency,
    amount,
    lineItems: lines.map((line, index) => refundedLineOf(line, index, currency)),
  };
  return { status: 'events', events: [{ type: 'order.refunded', source: 'shopify', occurredAt, refund: facts }] };
}

/** All successful refund transactions of one refund are in one currency; anything else is refused. */
function refundCurrency(payments: { item: Transaction; index: number }[]): string {
  const currencies = new Set(payments.map(({ item }) => item.currency));
  const [only] = currencies;
  if (currencies.size === 1 && only !== undefined) return only;
  const pointer = `/transactions/${payments[0]?.index ?? 0}/currency`;
  throw new InboundPayloadError('refund transactions lack one common currency', [
    { pointer, detail: 'every successful refund transaction needs the same ISO 4217 currency' },
  ]);
}

/**
 * Shipping given back by this refund, tax included. Current API versions list it in
 * `refund_shipping_lines` (ex tax) and repeat it as an `order_adjustments` entry of kind
 * `shipping_refund` (negative amount, with its tax); older ones only have the adjustment. The
 * subtotal is taken from one place only, so it is not subtracted twice.
 */
function refundedShipping(refund: ShopifyRefund, currency: string): number {
  const shippingLines = refund.refund_shipping_lines;
  const adjustments = refund.order_adjustments.map((item, index) => ({ item, index })).filter(({ item }) => item.kind === 'shipping_refund');
  const adjustmentTax = adjustments.reduce(
    (sum, { item, index }) =>
      sum + Math.abs(moneyAt(item.tax_amount_set, 'tax_amount_set', item.tax_amount, 'tax_amount', currency, `/order_adjustments/${index}`)),
    0,
  );
  const subtotal =
    shippingLines.length > 0
      ? shippingLines.reduce(
          (sum, line, index) =>
            sum + moneyAt(line.subtotal_amount_set, 'subtotal_amount_set', undefined, undefined, currency, `/refund_shipping_lines/${index}`),
          0,
        )
      : adjustments.reduce(
          (sum, { item, index }) => sum + Math.abs(moneyAt(item.amount_set, 'amount_set', item.amount, 'amount', currency, `/order_adjustments/${index}`)),
          0,
        );
  return subtotal + adjustmentTax;
}

function refundedLineOf(line: RefundLine, index: number, currency: string): RefundedLine {
  return withoutUndefined({
    lineItemId: line.line_item_id,
    sku: line.line_item?.sku,
    quantity: line.quantity ?? 0,
    amount: moneyAt(line.subtotal_set, 'subtotal_set', line.subtotal, 'subtotal', currency, `/refund_line_items/${index}`),
  });
}

/**
 * An amount in the refund's currency: from the money bag (`…_set`) when it has that currency —
 * the shop's or the buyer's, so refunds add up amounts of one currency even in a multi-currency
 * shop — else the plain field (which Shopify sends as a number here: `"subtotal": 195.66`); 0
 * when the platform reports neither.
 */
function moneyAt(
  set: MoneyBag,
  setKey: string,
  plain: string | number | null | undefined,
  plainKey: string | undefined,
  currency: string,
  itemPointer: string,
): number {
  for (const key of ['shop_money', 'presentment_money'] as const) {
    const money = set?.[key];
    if (money?.currency_code === currency && money.amount != null) {
      return minorUnitsAt(money.amount, currency, `${itemPointer}/${setKey}`);
    }
  }
  return plain == null || plainKey === undefined ? 0 : minorUnitsAt(plain, currency, `${itemPointer}/${plainKey}`);
}
