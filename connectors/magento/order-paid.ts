import { minorUnitsAt, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { LineItem, OrderFacts } from '../../core/triggers/trigger-event.js';
import { orderCustomer } from './customer.js';
import type { MagentoOrder, MagentoOrderItem } from './schemas.js';

/**
 * An order's money, read once: what was charged and what has been paid, in minor units of the
 * order currency. `pointer` is where the order sits in the payload (`/data/order`, or `` for a
 * REST response), so a missing field is named where it should have been.
 */
export interface OrderMoney {
  orderId: string;
  currency: string;
  grandTotal: number;
  totalPaid: number;
}

export function orderMoney(order: MagentoOrder, pointer: string): OrderMoney {
  const { orderId, currency } = requireFields<{ orderId: string; currency: string }>('order', {
    orderId: [order.entity_id, `${pointer}/entity_id`, 'the order entity id is required'],
    currency: [order.order_currency_code, `${pointer}/order_currency_code`, 'an ISO 4217 currency code is required'],
  });
  return {
    orderId,
    currency,
    grandTotal: minorUnitsAt(order.grand_total, currency, `${pointer}/grand_total`),
    totalPaid: order.total_paid == null ? 0 : minorUnitsAt(order.total_paid, currency, `${pointer}/total_paid`),
  };
}

/**
 * A paid order → `order.paid`, keyed by the core as `magento:order:<entity_id>` whatever delivery
 * announced it: every save of the order, the payment of its last invoice and a notification all
 * name the same `entity_id` (invoices and credit memos name their order by it as `order_id`), so
 * they are one fact and earn once. The increment id (`000000003`, what the merchant sees) is kept
 * as an attribute; it is unique per store only, so it is not the identity.
 *
 * The amount is `grand_total` less `shipping_amount` and `tax_amount` (which includes the
 * shipping tax): the goods after discounts, without tax (docs/program.md).
 */
export function orderPaidEvent(order: MagentoOrder, money: OrderMoney, pointer: string, paidAt?: number): PlatformTrigger {
  const { currency } = money;
  const { occurredAt } = requireFields<{ occurredAt: number }>('order', {
    occurredAt: [paidAt ?? order.updated_at ?? order.created_at, `${pointer}/updated_at`, 'a date is required (updated_at or created_at)'],
  });
  const shipping = order.shipping_amount == null ? 0 : minorUnitsAt(order.shipping_amount, currency, `${pointer}/shipping_amount`);
  const tax = order.tax_amount == null ? 0 : minorUnitsAt(order.tax_amount, currency, `${pointer}/tax_amount`);
  const facts: OrderFacts = {
    id: money.orderId,
    channel: 'online',
    currency,
    amount: Math.max(0, money.grandTotal - shipping - tax),
    total: money.grandTotal,
    discountCodes: order.coupon_code ? [order.coupon_code] : [],
    lineItems: order.items.flatMap((item, index) => (item.parent_item_id ? [] : [lineItemOf(item, `${pointer}/items/${index}`, currency)])),
  };
  return withoutUndefined({
    type: 'order.paid' as const,
    source: 'magento',
    occurredAt,
    customer: orderCustomer(order),
    order: facts,
    attributes: order.increment_id ? { magentoIncrementId: order.increment_id } : undefined,
  });
}

/**
 * A line as the rules see it. Child lines of configurable and bundle products (`parent_item_id`
 * set) are left out: their parent carries the price, and counting both would count the product
 * twice.
 */
function lineItemOf(item: MagentoOrderItem, pointer: string, currency: string): LineItem {
  const quantity = Number(item.qty_ordered ?? 0);
  const rowTotal = item.row_total == null ? 0 : minorUnitsAt(item.row_total, currency, `${pointer}/row_total`);
  const discount = item.discount_amount == null ? 0 : Math.abs(minorUnitsAt(item.discount_amount, currency, `${pointer}/discount_amount`));
  return withoutUndefined({
    id: item.item_id,
    sku: item.sku,
    productId: item.product_id,
    quantity: Number.isFinite(quantity) ? quantity : 0,
    unitPrice: item.price == null ? 0 : minorUnitsAt(item.price, currency, `${pointer}/price`),
    total: Math.max(0, rowTotal - discount),
  });
}
