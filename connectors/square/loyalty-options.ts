import { z } from 'zod';

/** Square stores points as a 32-bit signed integer. */
const MAX_POINTS = 2_147_483_647;

/**
 * The points to add (positive) or take away (negative). Mappings render it with Liquid, so it
 * arrives as text ("250", "-250"); a YAML number is accepted too. Anything else — a decimal, an
 * empty rendering, a word — is refused, so a broken template is reported by `mappings check`
 * and, at run time, dead-lettered instead of silently mirroring nothing.
 */
const points = z
  .union([
    z.number().int('points must be a whole number'),
    z
      .string()
      .trim()
      .regex(/^[+-]?\d{1,10}$/, 'points must be a whole number such as "250" or "-250"')
      .transform(Number),
  ])
  .pipe(z.number().int().min(-MAX_POINTS).max(MAX_POINTS));

/**
 * What a mapping's `send: { adapter: square, … }` action may give. String options are Liquid
 * templates, rendered before the adapter sees them. The account options may render empty (a
 * member without a phone number): the adapter then falls through to the next way of finding the
 * account, and skips the message when there is none. Unknown keys are refused so that a typo
 * (`acountId:`) fails `mappings check`.
 */
export const squareLoyaltyOptions = z
  .strictObject({
    points: points.describe(
      'Points to add to (positive) or take from (negative) the Square Loyalty account, e.g. "{{ points }}" on points.earned ' +
        'and "-{{ points }}" on points.spent and points.expired. 0 sends nothing.',
    ),
    accountId: z
      .string()
      .trim()
      .optional()
      .describe('The Square Loyalty account ID, when you know it (e.g. from your own records). Takes precedence over customerId and phone.'),
    customerId: z
      .string()
      .trim()
      .optional()
      .describe('A Square customer ID: the loyalty account linked to that customer is looked up (SearchLoyaltyAccounts by customer_ids).'),
    phone: z
      .string()
      .trim()
      .optional()
      .describe(
        'The phone number the Square Loyalty account is registered under, in E.164 form (+14155550123). ' +
          'Leave accountId, customerId and phone out (or empty) to use the member\'s phone number.',
      ),
    locationId: z
      .string()
      .trim()
      .optional()
      .describe(
        'A Square location ID. With it, points added (positive) are recorded as earned from a purchase at that location ' +
          '(AccumulateLoyaltyPoints); without it, and for every deduction, as an adjustment (AdjustLoyaltyPoints).',
      ),
    reason: z
      .string()
      .trim()
      .optional()
      .describe('The reason Square shows for an adjustment in the customer\'s loyalty history, e.g. "Loyalty Hub: {{ event.type }}". Default "Loyalty Hub".'),
    allowNegativeBalance: z
      .boolean()
      .optional()
      .describe(
        'true lets a deduction take the Square balance below zero; false (Square\'s default) refuses it and the message fails. ' +
          'A mirror should allow it: messages may reach Square out of order (a spend before the earn it follows).',
      ),
    missingAccount: z
      .enum(['skip', 'fail'])
      .optional()
      .describe(
        'When no Square Loyalty account matches the customer ID or phone number: skip (default — the member is not in your Square program; recorded as skipped) ' +
          'or fail (a failed message, announced as delivery.failed).',
      ),
  })
  .describe('Mirror points into a Square Loyalty account (AdjustLoyaltyPoints, or AccumulateLoyaltyPoints with a location).');

export type SquareLoyaltyOptions = z.infer<typeof squareLoyaltyOptions>;
