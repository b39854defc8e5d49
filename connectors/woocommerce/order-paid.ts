import { InboundPayloadError } from '../../core/connectors/definition.js';
import { minorUnitsAt, parseWithSchema, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import type { LineItem, OrderFacts } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { orderCustomer } from './customer.js';
import { paidOrderSchema, type WooLineItem, type WooOrder, type WooPaidOrder } from './schemas.js';

/**
 * `created_via` values of point-of-sale orders: WooCommerce's own POS (`pos-rest-api`) and the
 * WCPOS plugin. Checkout, admin, REST API and Store API orders are online.
 */
const POS_SOURCES = new Set(['pos-rest-api', 'pos', 'woocommerce-pos']);

/**
 * A paid order → `order.paid`, which the core keys `woocommerce:order:<id>` whatever delivery announced it:
 * WooCommerce sends `order.updated` on every save, and all of them are the same fact. `order` is
 * what every order is read for (order-events.ts); the amounts and lines of the same `payload`
 * are read here, only for an order in a paid status.
 */
export function orderPaidEvent(payload: unknown, order: WooOrder, orderId: string): PlatformTrigger {
  const paid = parseWithSchema(paidOrderSchema, payload, '', 'WooCommerce paid order payload');
  const { currency, occurredAt } = requireFields<{ currency: string; occurredAt: number }>('paid order payload', {
    currency: [order.currency, '/currency', 'an ISO 4217 currency code is required'],
    occurredAt: [
      order.date_paid_gmt ?? order.date_completed_gmt ?? order.date_created_gmt,
      '/date_paid_gmt',
      'a GMT date is required (date_paid_gmt, date_completed_gmt or date_created_gmt)',
    ],
  });
  const total = minorUnitsAt(paid.total, currency, '/total');
  const facts: OrderFacts = {
    id: orderId,
    channel: paid.created_via && POS_SOURCES.has(paid.created_via) ? 'pos' : 'online',
    currency,
    amount: earningAmount(paid, total, currency),
    total,
    discountCodes: paid.coupon_lines.flatMap(({ code }) => code ?? []),
    lineItems: paid.line_items.map((line, index) => lineItemOf(line, index, currency)),
  };
  return withoutUndefined({
    type: 'order.paid' as const,
    source: 'woocommerce',
    occurredAt,
    customer: orderCustomer(order),
    order: facts,
  });
}

/**
 * What points are earned on: `total` (already after coupons) less `shipping_total` and
 * `total_tax` (which includes the shipping tax). WooCommerce's `shipping_total` never contains
 * tax, whether or not the shop enters prices with tax, so this is the goods and fees without tax.
 */
function earningAmount(order: WooPaidOrder, total: number, currency: string): number {
  const shipping = order.shipping_total == null ? 0 : minorUnitsAt(order.shipping_total, currency, '/shipping_total');
  const tax = order.total_tax == null ? 0 : minorUnitsAt(order.total_tax, currency, '/total_tax');
  return Math.max(0, total - shipping - tax);
}

function lineItemOf(line: WooLineItem, index: number, currency: string): LineItem {
  const quantity = line.quantity;
  const total = minorUnitsAt(line.total, currency, `/line_items/${index}/total`);
  return withoutUndefined({
    id: line.id,
    sku: line.sku,
    productId: line.product_id,
    quantity,
    unitPrice: unitPriceOf(line, index, quantity, total, currency),
    total,
  });
}

/**
 * `price` is a JSON number computed by WooCommerce as the line total ÷ quantity without rounding
 * (a 10.00 line of 3 is 3.3333333333333335), so it is not always an amount of money. When it is
 * exact (3, 18.5) it is used as it is; otherwise the unit price is the line total ÷ quantity in
 * whole minor units.
 */
function unitPriceOf(line: WooLineItem, index: number, quantity: number, total: number, currency: string): number {
  try {
    return minorUnitsAt(line.price, currency, `/line_items/${index}/price`);
  } catch (error) {
    if (!(error instanceof InboundPayloadError)) throw error;
    return quantity > 0 ? Math.round(total / quantity) : total;
  }
}
