import { z } from 'zod';
import { textOf } from '../../core/connectors/payload.js';
import { listOf as list, optionalAmount as amount, optionalCurrency as currency, optionalText as text } from '../../core/connectors/payload-fields.js';

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

/**
 * A WordPress id (an auto-increment number, far below 2^53) as a string. 0 means "none" in
 * WooCommerce (`customer_id: 0` is a guest), so it is not an id, and neither is text that is not
 * a positive number.
 */
const id = z
  .union([z.number().int('an id is a whole number').nonnegative('an id is not negative'), z.string()])
  .nullish()
  .transform((v) => {
    if (typeof v === 'number') return v > 0 ? String(v) : undefined;
    const digits = textOf(v);
    return digits !== undefined && /^[1-9]\d*$/.test(digits) ? digits : undefined;
  });

/**
 * WooCommerce's `*_gmt` dates are UTC without a zone designator (`2017-03-22T19:28:08`); read as
 * local time they would shift by the server's offset, so UTC is said explicitly. The fields
 * without `_gmt` are in the shop's own time zone and are never read. Unreadable → undefined.
 */
const gmtDate = text.transform((v) => {
  if (v === undefined) return undefined;
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v}Z`);
  return Number.isNaN(ms) ? undefined : ms;
});

/** The billing address, which carries an order's (or a customer's) e-mail and phone. */
const billing = z.looseObject({ email: text, phone: text, first_name: text, last_name: text }).nullish();

/**
 * What every order.created / order.updated is read for, whatever its status: who, when, its
 * status and its refunds.
 */
export const orderSchema = z.looseObject({
  id,
  status: text.transform((v) => v?.toLowerCase()),
  /** ISO 4217, upper case; undefined when absent or not a currency. */
  currency,
  date_created_gmt: gmtDate,
  date_modified_gmt: gmtDate,
  /** Stamped when the order first reached a paid status. */
  date_paid_gmt: gmtDate,
  date_completed_gmt: gmtDate,
  customer_id: id,
  billing,
  /** `{id, reason, total}` (older versions `{id, refund, total}`), totals negative ("-10.00"). */
  refunds: list(z.looseObject({ id, total: amount })),
});

export type WooOrder = z.output<typeof orderSchema>;

const lineItem = z.looseObject({
  id,
  sku: text,
  product_id: id,
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
  id,
  email: text,
  first_name: text,
  last_name: text,
  billing,
  date_created_gmt: gmtDate,
  date_modified_gmt: gmtDate,
});

export type WooCustomer = z.output<typeof customerSchema>;
