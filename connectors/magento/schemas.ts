import { z } from 'zod';
import { optionalAmount as amount, optionalCurrency as currency, optionalEntityId as entityId, optionalText as text, optionalUtcTime as utcTime } from '../../core/connectors/payload-fields.js';

/**
 * The fields of Magento's sales entities (order, invoice, credit memo) the connector reads, the
 * same whether they come in an Adobe Commerce webhook (`data.order`, `data.invoice`,
 * `data.creditmemo`) or from the REST API (`GET /V1/orders/{id}`, `/V1/creditmemo/{id}`): both
 * serialize the model's data. Objects are loose (extensions add fields); what is required is
 * decided by the files that read them (order-paid.ts, invoice-paid.ts, refund.ts), so a missing
 * field is named by the pointer where it should have been (docs/adding-a-connector.md).
 *
 * Magento writes numbers as JSON numbers (`165`) or as decimal strings with four places
 * (`"58.0400"`, straight from its DECIMAL(20,4) columns); both go through `minorUnitsAt`.
 */

/** A whole number Magento may write as text (`"2"`), e.g. an entity's `state`. */
const wholeNumber = z
  .union([z.number().int(), z.string().regex(/^\d+$/, 'expected a whole number')])
  .nullish()
  .transform((v) => (v === undefined || v === null ? undefined : Number(v)));

/**
 * A collection as Magento serializes it: an array from the REST API, but an object keyed by
 * item id when a webhook serializes a loaded collection (`"items": {"1": {…}}`, Adobe's webhook
 * use-case payloads). Both are read as a list; absent or null → empty.
 */
function collectionOf<T extends z.ZodType>(item: T) {
  return z
    .union([z.array(item), z.record(z.string(), item)])
    .nullish()
    .transform((v): z.output<T>[] => (v == null ? [] : Array.isArray(v) ? v : Object.values(v)));
}

const orderItem = z.looseObject({
  item_id: entityId,
  /** Set on the child lines of a configurable or bundle product; the parent carries the price. */
  parent_item_id: entityId,
  sku: text,
  product_id: entityId,
  qty_ordered: amount,
  price: amount,
  row_total: amount,
  discount_amount: amount,
});

export type MagentoOrderItem = z.output<typeof orderItem>;

/** A sales order (`Magento\Sales\Api\Data\OrderInterface`). */
export const orderSchema = z.looseObject({
  entity_id: entityId,
  increment_id: text,
  /** `new`, `pending_payment`, `processing`, `complete`, `closed`, `canceled`, `holded`, … */
  state: text.transform((v) => v?.toLowerCase()),
  order_currency_code: currency,
  /** What the customer was charged, in the order currency: goods after discounts, shipping and tax. */
  grand_total: amount,
  /** Raised by every paid invoice (Invoice::pay); absent until the first one. */
  total_paid: amount,
  shipping_amount: amount,
  /** All tax of the order, shipping's included. */
  tax_amount: amount,
  coupon_code: text,
  customer_id: entityId,
  customer_is_guest: z.union([z.number(), z.boolean(), z.string()]).nullish(),
  customer_email: text,
  customer_firstname: text,
  customer_lastname: text,
  billing_address: z.looseObject({ telephone: text, email: text }).nullish(),
  created_at: utcTime,
  updated_at: utcTime,
  items: collectionOf(orderItem),
});

export type MagentoOrder = z.output<typeof orderSchema>;

/** An invoice (`Magento\Sales\Api\Data\InvoiceInterface`), as `sales_order_invoice_pay` sends it. */
export const invoiceSchema = z.looseObject({
  entity_id: entityId,
  order_id: entityId,
  /** 1 open, 2 paid, 3 canceled (Magento\Sales\Model\Order\Invoice::STATE_*). */
  state: wholeNumber,
  order_currency_code: currency,
  grand_total: amount,
  created_at: utcTime,
});

export type MagentoInvoice = z.output<typeof invoiceSchema>;

/** A credit memo (`Magento\Sales\Api\Data\CreditmemoInterface`). */
export const creditmemoSchema = z.looseObject({
  entity_id: entityId,
  order_id: entityId,
  /** 1 open, 2 refunded, 3 canceled (Magento\Sales\Model\Order\Creditmemo::STATE_*). */
  state: wholeNumber,
  order_currency_code: currency,
  /** Money given back: the lines, shipping and tax refunded, plus adjustment_positive, less adjustment_negative. */
  grand_total: amount,
  shipping_amount: amount,
  tax_amount: amount,
  created_at: utcTime,
});

export type MagentoCreditmemo = z.output<typeof creditmemoSchema>;

/**
 * An Adobe Commerce webhook of an observer event, default payload: `{ eventName, data: { <the
 * event's arguments> } }` — `data.order` for `sales_order_save_after`, `data.invoice` for
 * `sales_order_invoice_pay`, `data.creditmemo` for `sales_order_creditmemo_save_after`.
 */
export const hookSchema = z.looseObject({
  eventName: z.string().trim().min(1),
  data: z.record(z.string(), z.unknown()),
});

/**
 * The thin notification of Magento Open Source stores (docs/connectors/magento.md, "Magento Open
 * Source"): what happened, to which order or credit memo, and when it was sent — the body is
 * signed, so `sent_at` dates the signature and a replay is refused once it is stale.
 */
export const notificationSchema = z.looseObject({
  event: z.enum(['order.paid', 'creditmemo.refunded'], { error: 'expected "order.paid" or "creditmemo.refunded"' }),
  order_id: entityId,
  creditmemo_id: entityId,
  sent_at: z.union([z.string(), z.number()]),
});

export type MagentoNotification = z.output<typeof notificationSchema>;
