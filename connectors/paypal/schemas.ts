import { z } from 'zod';
import { listOf, optionalAmount, optionalText } from '../../core/connectors/payload-fields.js';

/**
 * The fields of PayPal's webhook resources and API answers the connector reads (wire format,
 * snake_case). Money is `{ currency_code, value }` in v2 and `{ currency, total }` in v1, the
 * value a decimal string in the currency's own precision ("30.00", JPY "1500"): converted with
 * `minorUnitsAt`, never as a float.
 */
const text = z.string().min(1);

const link = z.looseObject({ href: optionalText, rel: optionalText });
const linksSchema = listOf(link);

const moneyV2 = z.looseObject({ currency_code: text, value: z.union([z.string(), z.number()]) });

/** Payments v2 capture (`PAYMENT.CAPTURE.*`, resource_type `capture`). */
export const captureSchema = z.looseObject({
  id: text,
  /** COMPLETED, DECLINED, PARTIALLY_REFUNDED, PENDING, REFUNDED, FAILED. */
  status: text,
  amount: moneyV2,
  invoice_id: optionalText,
  custom_id: optionalText,
  supplementary_data: z.looseObject({ related_ids: z.looseObject({ order_id: optionalText }).nullish() }).nullish(),
  links: linksSchema,
});

/** Payments v2 refund (`PAYMENT.CAPTURE.REFUNDED` / `.REVERSED`, resource_type `refund`). */
export const refundSchema = z.looseObject({
  id: text,
  /** CANCELLED, FAILED, PENDING, COMPLETED. */
  status: text,
  amount: moneyV2,
  supplementary_data: z.looseObject({ related_ids: z.looseObject({ capture_id: optionalText }).nullish() }).nullish(),
  links: linksSchema,
});

const amountV1 = z.looseObject({
  total: z.union([z.string(), z.number()]),
  currency: text,
  details: z.looseObject({ subtotal: optionalAmount }).nullish(),
});

/** Payments v1 sale (`PAYMENT.SALE.COMPLETED`, resource_type `sale`). */
export const saleSchema = z.looseObject({
  id: text,
  /** completed, partially_refunded, pending, refunded, denied. */
  state: text,
  amount: amountV1,
  parent_payment: optionalText,
  invoice_number: optionalText,
});

/** Payments v1 refund of a sale (`PAYMENT.SALE.REFUNDED`). */
export const saleRefundSchema = z.looseObject({
  id: text,
  state: text,
  /** PayPal writes the refunded total negative ("-0.01"). */
  amount: amountV1,
  sale_id: optionalText,
  parent_payment: optionalText,
});

const name = z.looseObject({ given_name: optionalText, surname: optionalText }).nullish();

/** Orders v2 `GET /v2/checkout/orders/{id}`: only who paid. */
export const orderSchema = z.looseObject({
  id: text,
  payment_source: z
    .looseObject({ paypal: z.looseObject({ email_address: optionalText, account_id: optionalText, name }).nullish() })
    .nullish(),
  /** Deprecated by PayPal in favour of payment_source.paypal, still returned. */
  payer: z.looseObject({ email_address: optionalText, payer_id: optionalText, name }).nullish(),
});

/** Payments v1 `GET /v1/payments/payment/{id}`: only who paid. */
export const paymentV1Schema = z.looseObject({
  id: text,
  payer: z
    .looseObject({ payer_info: z.looseObject({ email: optionalText, payer_id: optionalText, first_name: optionalText, last_name: optionalText }).nullish() })
    .nullish(),
});

/** A capture as an order lists it (`purchase_units[].payments.captures[]`). */
const orderCapture = z.looseObject({ id: text, status: text, amount: moneyV2, invoice_id: optionalText });

/** Orders v2 order in `CHECKOUT.ORDER.COMPLETED` (resource_type `checkout-order`): who paid and what was captured. */
export const completedOrderSchema = orderSchema.extend({
  status: optionalText,
  purchase_units: listOf(z.looseObject({ payments: z.looseObject({ captures: listOf(orderCapture) }).nullish() })),
});

/** `POST /v1/oauth2/token` (client credentials). */
export const tokenSchema = z.looseObject({
  access_token: text,
  /** Seconds. */
  expires_in: z.number().int().positive(),
});

export type PayPalOrder = z.output<typeof orderSchema>;
export type PayPalPaymentV1 = z.output<typeof paymentV1Schema>;
