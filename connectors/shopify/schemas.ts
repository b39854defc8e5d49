import { z } from 'zod';
import { textOf } from '../../core/connectors/payload.js';
import { listOf as list, optionalAmount as amount, optionalCurrency as currency, optionalText as text } from '../../core/connectors/payload-fields.js';

/**
 * The fields of Shopify's REST resources (orders, refunds, customers) the connector reads, as
 * webhooks deliver them: the bare resource, without a `{"order": …}` wrapper. Objects are loose,
 * since Shopify adds fields with every API version; everything not named here is ignored. What is
 * required, and what falls back to what, is decided by the files that read them (order-paid.ts,
 * refund.ts, cancel.ts, customer.ts), so a missing field is named with the pointer of the field
 * that should have been there (docs/adding-a-connector.md, "The files of an inbound connector").
 *
 * Absent, `null` and blank text all read as undefined (core/connectors/payload-fields.ts), as Shopify sends `null` or `""` for
 * what a shop never filled in. A field of the wrong type is the payload's problem: 400, with a
 * JSON pointer to it.
 */

/**
 * An id as a string. Safe integers arrive as JSON numbers and become their decimal digits; ids
 * past 2^53 arrive as the exact digit string (the body is parsed with 'json-exact-integers', see
 * core/connectors/lossless-json.ts), GraphQL-era ids as strings.
 */
const id = z
  .union([z.number().int('an id is a whole number').nonnegative('an id is not negative'), z.string()])
  .nullish()
  .transform((v) => (typeof v === 'number' ? String(v) : textOf(v)));

/** ISO 8601 with offset (`2025-04-02T11:31:02-05:00`) → epoch milliseconds; unreadable → undefined. */
const timestamp = text.transform((v) => {
  const ms = v === undefined ? Number.NaN : Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
});

/** `{ amount, currency_code }` of a money bag. */
const money = z.looseObject({ amount, currency_code: currency }).nullish();

/**
 * A Shopify money bag (`{ shop_money: {amount, currency_code}, presentment_money: … }`): the same
 * amount in the shop's currency and in the buyer's.
 */
const moneyBag = z.looseObject({ shop_money: money, presentment_money: money }).nullish();

export type MoneyBag = z.output<typeof moneyBag>;

/**
 * A consent object (`email_marketing_consent`, `sms_marketing_consent`); `state` is `subscribed`,
 * `not_subscribed`, `pending`, `unsubscribed`, `redacted` or `invalid`.
 */
const consent = z.looseObject({ state: z.string().nullish() }).nullish();

/** A customer resource: customers/* payloads, and an order's `customer` (null at a guest checkout). */
export const customerSchema = z.looseObject({
  id,
  email: text,
  phone: text,
  first_name: text,
  last_name: text,
  email_marketing_consent: consent,
  sms_marketing_consent: consent,
  /** Older API versions, before the consent objects. */
  accepts_marketing: z.boolean().nullish(),
  created_at: timestamp,
  updated_at: timestamp,
});

export type ShopifyCustomer = z.output<typeof customerSchema>;

const lineItem = z.looseObject({
  id,
  sku: text,
  product_id: id,
  quantity: z
    .number({ error: 'a non-negative whole number is required' })
    .int('a non-negative whole number is required')
    .nonnegative('a non-negative whole number is required'),
  price: amount,
  discount_allocations: list(z.looseObject({ amount })),
});

export type ShopifyLineItem = z.output<typeof lineItem>;

/** An order resource: orders/paid and orders/cancelled. */
export const orderSchema = z.looseObject({
  id,
  /** `pending`, `authorized`, `partially_paid`, `paid`, `partially_refunded`, `refunded`, `voided`, `expired`. */
  financial_status: text,
  /** Kept as sent: an unusable `currency` is refused, never replaced by `presentment_currency`. */
  currency: z.string().nullish(),
  presentment_currency: z.string().nullish(),
  processed_at: timestamp,
  created_at: timestamp,
  updated_at: timestamp,
  cancelled_at: timestamp,
  /** `pos` for a Shopify POS sale (with the till's `location_id`). */
  source_name: z.string().nullish(),
  location_id: id,
  /** After order edits; API versions without it have only `subtotal_price`. */
  current_subtotal_price: amount,
  subtotal_price: amount,
  taxes_included: z.boolean().nullish(),
  current_total_tax: amount,
  total_tax: amount,
  current_total_price: amount,
  total_price: amount,
  shipping_lines: list(z.looseObject({ tax_lines: list(z.looseObject({ price: amount })) })),
  discount_codes: list(z.looseObject({ code: text })),
  line_items: list(lineItem),
  customer: customerSchema.nullish(),
  email: text,
  contact_email: text,
  phone: text,
});

export type ShopifyOrder = z.output<typeof orderSchema>;

/** What orders/cancelled reads of the order: its lines and amounts are not looked at. */
export const cancelledOrderSchema = orderSchema.pick({
  id: true,
  financial_status: true,
  cancelled_at: true,
  updated_at: true,
  customer: true,
  email: true,
  contact_email: true,
  phone: true,
});

/** The fields that name an order's buyer. */
export type ShopifyBuyer = Pick<ShopifyOrder, 'customer' | 'email' | 'contact_email' | 'phone'>;

/** A transaction of a refund: only `kind: refund` with `status: success` returned money. */
const transaction = z.looseObject({
  kind: z.string().nullish(),
  status: z.string().nullish(),
  amount,
  currency,
});

/** A refund resource: refunds/create. */
export const refundSchema = z.looseObject({
  id,
  order_id: id,
  processed_at: timestamp,
  created_at: timestamp,
  transactions: list(transaction),
  refund_line_items: list(
    z.looseObject({
      line_item_id: id,
      line_item: z.looseObject({ sku: text }).nullish(),
      quantity: z.number().int().nonnegative().nullish(),
      subtotal: amount,
      subtotal_set: moneyBag,
      total_tax: amount,
      total_tax_set: moneyBag,
    }),
  ),
  /** Current API versions: the shipping given back, ex tax. */
  refund_shipping_lines: list(z.looseObject({ subtotal_amount_set: moneyBag })),
  /** `kind: shipping_refund` repeats the shipping (negative, with its tax); older versions have only this. */
  order_adjustments: list(
    z.looseObject({
      kind: z.string().nullish(),
      amount,
      amount_set: moneyBag,
      tax_amount: amount,
      tax_amount_set: moneyBag,
    }),
  ),
});

export type ShopifyRefund = z.output<typeof refundSchema>;
