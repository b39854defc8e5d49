/**
 * The fields of LoyaltyLion's payloads the connector reads (docs/adding-a-connector.md, "The
 * files of an inbound connector"), for the Customers API, the webhooks' customer and the
 * transaction of `program_events/customer.points_earned`. LoyaltyLion's documented examples give
 * some figures as digit strings (`"points_approved": "1200"`) and others as numbers: both read.
 */
import { z } from 'zod';

const wholeNumber = z.union([z.number().int().min(0), z.string().trim().regex(/^\d{1,12}$/).transform(Number)]);
const text = z.union([z.string(), z.number()]).transform(String);
const optionalText = z.string().nullish();

export const customerSchema = z.looseObject({
  id: text,
  merchant_id: text.nullish(),
  email: optionalText,
  points_approved: wholeNumber,
  points_pending: wholeNumber,
  points_spent: wholeNumber,
  birthday: optionalText,
  properties: z.looseObject({ first_name: optionalText, last_name: optionalText }).nullish(),
});
export type LoyaltyLionCustomer = z.output<typeof customerSchema>;

export const customersPageSchema = z.looseObject({
  customers: z.array(z.unknown()),
  cursor: z.looseObject({ next: z.string().nullish() }).nullish(),
});

export const transactionSchema = z.looseObject({
  id: text,
  points_approved: wholeNumber.nullish(),
  points_pending: wholeNumber.nullish(),
  created_at: optionalText,
  activity: z
    .looseObject({
      rule: z.looseObject({ name: optionalText, title: optionalText }).nullish(),
    })
    .nullish(),
  adjustment: z.looseObject({ note: optionalText }).nullish(),
});
export type LoyaltyLionTransaction = z.output<typeof transactionSchema>;

/** The envelope of every webhook: `{ id, topic, created_at, payload }`. */
export const envelopeSchema = z.looseObject({
  id: z.string().min(1),
  topic: z.string().min(1),
  created_at: optionalText,
});

export const pointsEarnedSchema = z.looseObject({
  payload: z.looseObject({
    properties: z.looseObject({ customer: z.unknown(), transaction: z.unknown() }),
  }),
});
