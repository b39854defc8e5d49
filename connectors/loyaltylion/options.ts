import { z } from 'zod';

/** LoyaltyLion's documented bounds: add 1 to 1,000,000 points a call; remove at least 1. */
export const MAX_POINTS = 1_000_000;

const points = z
  .union([
    z.number().int('points must be a whole number'),
    z
      .string()
      .trim()
      .regex(/^[+-]?\d{1,7}$/, 'points must be a whole number such as "250" or "-250"')
      .transform(Number),
  ])
  .pipe(z.number().int().min(-MAX_POINTS).max(MAX_POINTS));

/**
 * What a mapping's `send: { adapter: loyaltylion, … }` action may give. String options are Liquid
 * templates rendered before the adapter sees them; unknown keys are refused so a typo fails
 * `mappings check` with its file and line.
 */
export const loyaltyLionOptions = z
  .strictObject({
    points: points.describe(
      'Points to add to (positive) or remove from (negative) the customer in LoyaltyLion, e.g. "{{ points }}" on points.earned and ' +
        '"-{{ points }}" on points.spent. At most 1,000,000 either way; 0 sends nothing.',
    ),
    merchantId: z
      .string()
      .trim()
      .optional()
      .describe(
        "The customer's id in your store as LoyaltyLion knows it (its merchant_id). Leave it out to use the member's id at the store " +
          'named by LOYALTYLION_STORE_PLATFORM (their shopify:<id> alias, say); a member without one is skipped.',
      ),
    reason: z
      .string()
      .trim()
      .max(200)
      .optional()
      .describe(
        'The message LoyaltyLion shows the shopper and on the customer page, e.g. "Points from our new rewards program". ' +
          'Default "Loyalty Hub". "(via Loyalty Hub)" is always added: it is how the hub recognises these points when LoyaltyLion reports them back.',
      ),
  })
  .describe("Add or remove points in the customer's LoyaltyLion account (POST /v2/customers/{merchant_id}/points or /remove_points).");

export type LoyaltyLionOptions = z.infer<typeof loyaltyLionOptions>;
