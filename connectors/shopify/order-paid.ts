import type { NormalizeResult } from '../../core/connectors/definition.js';
import { currencyOf, minorUnitsAt, parseWithSchema, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import type { LineItem, OrderFacts } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { orderCustomer } from './customer.js';
import { orderSchema, type ShopifyLineItem, type ShopifyOrder } from './schemas.js';

/**
 * Financial statuses in which Shopify holds the money. `X-Shopify-Topic` is outside Shopify's
 * HMAC, so "this order was paid" is read from the signed body, never from the header alone: an
 * orders/updated body of a pending order re-sent as orders/paid earns nothing (docs/security.md).
 * `partially_refunded` is money captured and partly returned (an orders/paid sent after a quick
 * refund): it earns, and refunds/create takes back its share.
 */
const PAID = new Set(['paid', 'partially_paid', 'partially_refunded']);

const paymentStatusSchema = orderSchema.pick({ financial_status: true });

/** orders/paid → `order.paid` when the signed body says the order is paid; otherwise ignored. */
export function orderPaid(payload: unknown): NormalizeResult {
  // The status alone first: an order that is not paid is ignored without its lines being read.
  const { financial_status: status } = parseWithSchema(paymentStatusSchema, payload, '', 'Shopify orders/paid payload');
  if (status === undefined || !PAID.has(status)) {
    return { status: 'ignored', reason: `orders/paid whose financial_status is ${status ?? 'missing'}, not paid: nothing earned` };
  }
  return { status: 'events', events: [orderPaidEvent(parseWithSchema(orderSchema, payload, '', 'Shopify orders/paid payload'))] };
}

/**
 * orders/paid → `order.paid`, which the core keys `shopify:order:<order id>`: a redelivery, or the same order
 * announced again, is the same fact and earns once.
 */
function orderPaidEvent(order: ShopifyOrder): PlatformTrigger {
  const { id, currency, occurredAt } = requireFields<{ id: string; currency: string; occurredAt: number }>('orders/paid payload', {
    id: [order.id, '/id', 'the order id is required'],
    currency: [currencyOf(order.currency ?? order.presentment_currency), '/currency', 'an ISO 4217 currency code is required'],
    occurredAt: [
      order.processed_at ?? order.created_at ?? order.updated_at,
      '/processed_at',
      'an ISO 8601 timestamp is required (processed_at, created_at or updated_at)',
    ],
  });
  const customer = orderCustomer(order);
  const facts: OrderFacts = withoutUndefined({
    id,
    ...channelOf(order),
    currency,
    amount: earningAmount(order, currency),
    total: totalCharged(order, currency),
    discountCodes: order.discount_codes.flatMap(({ code }) => code ?? []),
    lineItems: order.line_items.map((line, index) => lineItemOf(line, index, currency)),
  });
  return withoutUndefined({ type: 'order.paid' as const, source: 'shopify', occurredAt, customer, order: facts });
}

/**
 * A Shopify POS sale has `source_name: "pos"` and the `location_id` of the till's location;
 * anything else (web, draft orders, apps) is online.
 */
function channelOf(order: ShopifyOrder): { channel: string; location?: string } {
  const location = order.location_id;
  const isPos = order.source_name === 'pos' || location !== undefined;
  return isPos ? withoutUndefined({ channel: 'pos', location }) : { channel: 'online' };
}

/**
 * What points are earned on: the subtotal after discounts (`current_subtotal_price`, i.e. after
 * order edits; `subtotal_price` on API versions without it), which excludes shipping and — in a
 * shop that shows prices without tax — tax. When `taxes_included` is true the subtotal contains
 * tax, so the order's tax is subtracted, except the part charged on shipping, which the subtotal
 * never contained (a tax-inclusive shop would otherwise lose the shipping tax from the basket).
 */
function earningAmount(order: ShopifyOrder, currency: string): number {
  const [subtotal, pointer] =
    order.current_subtotal_price != null ? [order.current_subtotal_price, '/current_subtotal_price'] : [order.subtotal_price, '/subtotal_price'];
  const amount = minorUnitsAt(subtotal, currency, pointer);
  if (order.taxes_included !== true) return amount;
  const [tax, taxPointer] = order.current_total_tax != null ? [order.current_total_tax, '/current_total_tax'] : [order.total_tax ?? '0', '/total_tax'];
  const shippingTax = order.shipping_lines.reduce(
    (sum, line, index) =>
      sum +
      line.tax_lines.reduce(
        (lineSum, taxLine, t) => lineSum + minorUnitsAt(taxLine.price, currency, `/shipping_lines/${index}/tax_lines/${t}/price`),
        0,
      ),
    0,
  );
  const goodsTax = Math.max(0, minorUnitsAt(tax, currency, taxPointer) - shippingTax);
  return Math.max(0, amount - goodsTax);
}

/** The whole charge with shipping and tax, for reference; absent when Shopify does not say. */
function totalCharged(order: ShopifyOrder, currency: string): number | undefined {
  if (order.current_total_price != null) return minorUnitsAt(order.current_total_price, currency, '/current_total_price');
  if (order.total_price != null) return minorUnitsAt(order.total_price, currency, '/total_price');
  return undefined;
}

/** A line's total is its price × quantity less the discounts allocated to it, in integer minor units. */
function lineItemOf(line: ShopifyLineItem, index: number, currency: string): LineItem {
  const quantity = line.quantity;
  const unitPrice = minorUnitsAt(line.price, currency, `/line_items/${index}/price`);
  const discounts = line.discount_allocations.reduce(
    (sum, allocation, d) => sum + minorUnitsAt(allocation.amount, currency, `/line_items/${index}/discount_allocations/${d}/amount`),
    0,
  );
  return withoutUndefined({
    id: line.id,
    sku: line.sku,
    productId: line.product_id,
    quantity,
    unitPrice,
    total: unitPrice * quantity - discounts,
  });
}
