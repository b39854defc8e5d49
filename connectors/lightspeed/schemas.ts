import { z } from 'zod';
import { listOf, optionalAmount, optionalText } from '../../core/connectors/payload-fields.js';

/**
 * The fields of Lightspeed X-Series payloads the connector reads. A webhook's `payload` is the
 * API 1.0 register sale (`register_sale_products`, `totals`, a nested `customer`); the look-ups
 * read API 2.0 (`{ data: … }`). Samples: tests/fixtures/platform-samples/lightspeed/README.md.
 * Amounts are decimal strings with five places ("877.40000"), read by ./money.ts.
 */

/** A customer as the sale embeds it, or as `GET /api/2.0/customers/{id}` returns it. */
export const customerSchema = z.looseObject({
  id: optionalText,
  /** `WALKIN` is the store's default customer, put on sales made to nobody in particular. */
  customer_code: optionalText,
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  phone: optionalText,
  mobile: optionalText,
  do_not_email: z.boolean().nullish(),
});

export type LightspeedCustomer = z.output<typeof customerSchema>;

export const saleLineSchema = z.looseObject({
  id: optionalText,
  product_id: optionalText,
  /** Negative on a returned line; 0 on a line of the original sale not returned. */
  quantity: z.union([z.number(), z.string()]).nullish(),
  /** One unit, tax excluded, after its discount. */
  price: optionalAmount,
  /** `price` × `quantity`. */
  price_total: optionalAmount,
  is_return: z.boolean().nullish(),
});

export type LightspeedSaleLine = z.output<typeof saleLineSchema>;

export const saleSchema = z.looseObject({
  id: z.string().trim().min(1),
  /** SAVED, CLOSED, ONACCOUNT, ONACCOUNT_CLOSED, LAYBY, LAYBY_CLOSED, VOIDED, … */
  status: optionalText,
  outlet_id: optionalText,
  register_id: optionalText,
  customer_id: optionalText,
  customer: customerSchema.nullish(),
  /** On a return: the sale it returns goods of. */
  return_for: optionalText,
  invoice_number: optionalText,
  sale_date: optionalText,
  created_at: optionalText,
  updated_at: optionalText,
  /** Tax excluded, after discounts: what the customer bought, negative on a return. */
  totals: z.looseObject({ total_price: optionalAmount, total_tax: optionalAmount }).nullish(),
  register_sale_products: listOf(saleLineSchema),
  register_sale_payments: listOf(z.looseObject({ amount: optionalAmount })),
});

export type LightspeedSale = z.output<typeof saleSchema>;

export const customerResponseSchema = z.looseObject({ data: customerSchema.extend({ id: z.string().trim().min(1) }) });

export const outletResponseSchema = z.looseObject({
  data: z.looseObject({ id: z.string().trim().min(1), name: optionalText, currency: optionalText }),
});
