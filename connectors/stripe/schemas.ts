import { z } from 'zod';

/**
 * The fields of Stripe objects the connector reads, as they arrive in webhooks. Everything else
 * is ignored. Fields removed or added by API versions are optional here (an invoice's
 * `payment_intent` and `paid` are gone since 2025-03-31.basil), so any endpoint version works.
 */

/** An id, or the object when a platform expanded it: either way the id. */
const ref = z
  .union([z.string(), z.looseObject({ id: z.string() })])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : typeof v === 'string' ? v : v.id));

const amount = z.number().int().nonnegative();
const currency = z.string().regex(/^[A-Za-z]{3}$/, 'expected a three-letter ISO 4217 code');
const text = z
  .string()
  .nullish()
  .transform((v) => (v ? v : undefined));

const contact = z.object({ email: text, name: text, phone: text }).nullish();

export const checkoutSessionSchema = z.object({
  id: z.string().min(1),
  /** `paid`, `unpaid` (delayed methods: `async_payment_succeeded` follows) or `no_payment_required`. */
  payment_status: z.string(),
  amount_total: amount.nullish(),
  currency: currency.nullish(),
  total_details: z.object({ amount_shipping: amount.nullish(), amount_tax: amount.nullish() }).nullish(),
  payment_intent: ref,
  /** Subscription-mode sessions pay through an invoice instead of a PaymentIntent of their own. */
  invoice: ref,
  customer: ref,
  customer_details: contact,
  customer_email: text,
});

export const paymentIntentSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  amount_received: amount,
  currency,
  customer: ref,
  receipt_email: text,
  payment_method_types: z.array(z.string()).nullish(),
});

export const chargeSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  paid: z.boolean(),
  /** false while only authorized (manual capture): not paid yet. */
  captured: z.boolean().nullish(),
  amount,
  amount_captured: amount.nullish(),
  amount_refunded: amount,
  /** Stripe's own "refunded in full" flag. */
  refunded: z.boolean().nullish(),
  currency,
  payment_intent: ref,
  customer: ref,
  receipt_email: text,
  billing_details: contact,
  payment_method_details: z.object({ type: z.string() }).nullish(),
});

export const invoiceSchema = z.object({
  id: z.string().min(1),
  status: z.string().nullish(),
  /** Before 2025-03-31.basil. */
  paid: z.boolean().nullish(),
  amount_paid: amount,
  currency,
  /** Before 2025-03-31.basil. */
  payment_intent: ref,
  /** Since basil, when the endpoint expands it; otherwise looked up through the API. */
  payments: z
    .object({ data: z.array(z.object({ payment: z.object({ type: z.string().nullish(), payment_intent: ref }).nullish() })) })
    .nullish(),
  amount_shipping: amount.nullish(),
  /** Since basil: one entry per tax, inclusive or exclusive. */
  total_taxes: z.array(z.object({ amount })).nullish(),
  /** Before basil: the invoice's total tax. */
  tax: amount.nullish(),
  customer: ref,
  customer_email: text,
  customer_name: text,
  customer_phone: text,
});

export const customerSchema = z.object({
  id: z.string().min(1),
  email: text,
  name: text,
  phone: text,
});
