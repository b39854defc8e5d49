import { InboundPayloadError, type NormalizeResult } from '../../core/connectors/definition.js';
import type { RefundFacts } from '../../core/triggers/trigger-event.js';
import {
  amountInCurrency,
  currencyOf,
  epochMsOf,
  idOf,
  isObject,
  minorUnitsAt,
  objectsOf,
  requireFields,
  textOf,
  withoutUndefined,
  type JsonObject,
} from './fields.js';

type RefundedLine = NonNullable<RefundFacts['lineItems']>[number];

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
export function refundCreated(refund: JsonObject): NormalizeResult {
  const { id, orderId, occurredAt } = requireFields<{ id: string; orderId: string; occurredAt: number }>('refunds/create payload', {
    id: [idOf(refund.id), '/id', 'the refund id is required'],
    orderId: [idOf(refund.order_id), '/order_id', 'the order id is required'],
    occurredAt: [
      epochMsOf(refund.processed_at) ?? epochMsOf(refund.created_at),
      '/processed_at',
      'an ISO 8601 timestamp is required (processed_at or created_at)',
    ],
  });
  const payments = objectsOf(refund.transactions).filter(({ item }) => item.kind === 'refund' && item.status === 'success');
  if (payments.length === 0) return { status: 'ignored', reason: 'the refund has no successful refund transaction: no money went back' };

  const currency = refundCurrency(payments);
  const paidBack = payments.reduce((sum, { item, index }) => sum + minorUnitsAt(item.amount, currency, `/transactions/${index}/amount`), 0);
  const lines = objectsOf(refund.refund_line_items);
  const lineTax = lines.reduce(
    (sum, { item, index }) => sum + moneyAt(item, 'total_tax_set', 'total_tax', currency, `/refund_line_items/${index}`),
    0,
  );
  const amount = Math.max(0, paidBack - refundedShipping(refund, currency) - lineTax);
  if (amount === 0) return { status: 'ignored', reason: 'the refund returned only shipping or tax, on which no points were earned' };

  const facts: RefundFacts = {
    orderId,
    refundId: id,
    currency,
    amount,
    lineItems: lines.map(({ item, index }) => refundedLineOf(item, index, currency)),
  };
  return { status: 'events', events: [{ type: 'order.refunded', source: 'shopify', occurredAt, refund: facts }] };
}

/** All successful refund transactions of one refund are in one currency; anything else is refused. */
function refundCurrency(payments: { item: JsonObject; index: number }[]): string {
  const currencies = new Set(payments.map(({ item }) => currencyOf(item.currency)));
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
function refundedShipping(refund: JsonObject, currency: string): number {
  const shippingLines = objectsOf(refund.refund_shipping_lines);
  const adjustments = objectsOf(refund.order_adjustments).filter(({ item }) => item.kind === 'shipping_refund');
  const adjustmentTax = adjustments.reduce(
    (sum, { item, index }) => sum + Math.abs(moneyAt(item, 'tax_amount_set', 'tax_amount', currency, `/order_adjustments/${index}`)),
    0,
  );
  const subtotal =
    shippingLines.length > 0
      ? shippingLines.reduce(
          (sum, { item, index }) => sum + moneyAt(item, 'subtotal_amount_set', undefined, currency, `/refund_shipping_lines/${index}`),
          0,
        )
      : adjustments.reduce(
          (sum, { item, index }) => sum + Math.abs(moneyAt(item, 'amount_set', 'amount', currency, `/order_adjustments/${index}`)),
          0,
        );
  return subtotal + adjustmentTax;
}

function refundedLineOf(line: JsonObject, index: number, currency: string): RefundedLine {
  const quantity = typeof line.quantity === 'number' && Number.isSafeInteger(line.quantity) ? line.quantity : 0;
  return withoutUndefined({
    lineItemId: idOf(line.line_item_id),
    sku: isObject(line.line_item) ? textOf(line.line_item.sku) : undefined,
    quantity,
    amount: moneyAt(line, 'subtotal_set', 'subtotal', currency, `/refund_line_items/${index}`),
  });
}

/**
 * An amount in the refund's currency: from the money bag (`…_set`) when it has that currency,
 * else the plain field (which Shopify sends as a number here: `"subtotal": 195.66`); 0 when the
 * platform reports neither.
 */
function moneyAt(item: JsonObject, setKey: string, plainKey: string | undefined, currency: string, itemPointer: string): number {
  const inCurrency = amountInCurrency(item[setKey], currency);
  if (inCurrency !== undefined) return minorUnitsAt(inCurrency, currency, `${itemPointer}/${setKey}`);
  const plain = plainKey === undefined ? undefined : item[plainKey];
  return plain == null ? 0 : minorUnitsAt(plain, currency, `${itemPointer}/${plainKey}`);
}
