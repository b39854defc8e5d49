import { z } from 'zod';
import { listOf as list, optionalAmount as amount, optionalCurrency as currency, optionalEntityId as entityId, optionalText as text, optionalUtcTime as utcTime } from '../../core/connectors/payload-fields.js';

/**
 * The fields of WooCommerce's REST v3 resources (what its webhooks deliver: orders and customers)
 * the connector reads. Objects are loose, since WooCommerce and its plugins add fields; everything
 * not named here is ignored. What is required is decided by the files that read them
 * (order-events.ts, order-paid.ts, refund.ts, customer.ts), so a missing field is named with the
 * pointer of the field that should have been there (docs/adding-a-connector.md, "The files of an
 * inbound connector").
 *
 * Absent, `null` and blank text all read as undefined (core/connectors/payload-fields.ts):
 * WooCommerce sends `""` for every billing field a buyer left empty. A field of the wrong type is
 * the payload's problem: 400, with a JSON pointer to it.
 */

/** The billing address, which carries an order's (or a customer's) e-mail and phone. */
const billing = z.looseObject({ email: text, phone: text, first_name: text, last_name: text }).nullish();

/**
 * What every order.created / order.updated is read for, whatever its status: who, when, its
 * status and its refunds.
 */
export const orderSchema = z.looseObject({
  id: entityId,
  status: text.transform((v) => v?.toLowerCase()),
  /** ISO 4217, upper case; undefined when absent or not a currency. */
  currency,
  date_created_gmt: utcTime,
  date_modified_gmt: utcTime,
  /** Stamped when the order first reached a paid status. */
  date_paid_gmt: utcTime,
  date_completed_gmt: utcTime,
  customer_id: entityId,
  billing,
  /** `{id, reason, total}` (older versions `{id, refund, total}`), totals negative ("-10.00"). */
  refunds: list(z.looseObject({ id: entityId, total: amount })),
});

export type WooOrder = z.output<typeof orderSchema>;

const lineItem = z.looseObject({
  id: entityId,
  sku: text,
  product_id: entityId,
  quantity: z
    .number({ error: 'a non-negative whole number is required' })
    .int('a non-negative whole number is required')
    .nonnegative('a non-negative whole number is required'),
  /** The line after coupons. */
  total: amount,
  /** A JSON number: the line total ÷ quantity, not always an exact amount (order-paid.ts). */
  price: amount,
});

export type WooLineItem = z.output<typeof lineItem>;

/**
 * What a paid order is read for on top: its amounts, lines and coupons. Read only when the order
 * is in a paid status, so an unpaid order's lines never hold up its refunds or cancellation.
 */
export const paidOrderSchema = z.looseObject({
  /** After coupons, with shipping and tax. */
  total: amount,
  shipping_total: amount,
  total_tax: amount,
  /** `pos-rest-api` and the like for point-of-sale orders. */
  created_via: z.string().nullish(),
  coupon_lines: list(z.looseObject({ code: text })),
  line_items: list(lineItem),
});

export type WooPaidOrder = z.output<typeof paidOrderSchema>;

/** A customer resource: customer.created / customer.updated. */
export const customerSchema = z.looseObject({
  id: entityId,
  email: text,
  first_name: text,
  last_name: text,
  billing,
  date_created_gmt: utcTime,
  date_modified_gmt: utcTime,
});

export type WooCustomer = z.output<typeof customerSchema>;
