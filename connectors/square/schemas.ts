import { z } from 'zod';

/**
 * The fields of Square's webhook entities the connector reads (wire format, snake_case).
 * Amounts are integers in the currency's smallest unit — ISO 4217's (USD cents, JPY yen).
 */
const text = z
  .string()
  .nullish()
  .transform((v) => (v ? v : undefined));

const moneySchema = z.object({
  amount: z.number().int(),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'expected a three-letter ISO 4217 code'),
});

export const paymentSchema = z.object({
  id: z.string().min(1),
  /** APPROVED (authorized), PENDING, COMPLETED, CANCELED or FAILED. */
  status: z.string(),
  /** What was paid, not including the tip (Square keeps that in `tip_money`). */
  amount_money: moneySchema,
  tip_money: moneySchema.nullish(),
  /** `amount_money` + `tip_money`. */
  total_money: moneySchema.nullish(),
  order_id: text,
  location_id: text,
  customer_id: text,
  buyer_email_address: text,
  application_details: z.object({ square_product: text }).nullish(),
});

export const refundSchema = z.object({
  id: z.string().min(1),
  /** PENDING, COMPLETED, REJECTED or FAILED. */
  status: z.string(),
  amount_money: moneySchema,
  payment_id: text,
  /** The order Square created for the refund itself, not the sale's (kept for reference). */
  order_id: text,
  location_id: text,
});

export const customerSchema = z.object({
  id: z.string().min(1),
  email_address: text,
  phone_number: text,
  given_name: text,
  family_name: text,
  preferences: z.object({ email_unsubscribed: z.boolean().nullish() }).nullish(),
});

export type SquarePayment = z.output<typeof paymentSchema>;

/**
 * A `loyalty.event.created` notification's `data.object.loyalty_event` (LoyaltyEvent): only the
 * reward events are read. `reward_id` is documented as present only when the event's source is
 * LOYALTY_API, so it is optional here and its absence is answered `ignored` (loyalty-event.ts).
 */
const rewardRef = z.object({ loyalty_program_id: text, reward_id: text });

export const loyaltyEventSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created_at: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expected an RFC 3339 timestamp'),
  loyalty_account_id: text,
  source: text,
  location_id: text,
  redeem_reward: rewardRef.extend({ order_id: text }).nullish(),
  delete_reward: rewardRef.extend({ points: z.number().int().nullish() }).nullish(),
});

export type SquareLoyaltyEvent = z.output<typeof loyaltyEventSchema>;
