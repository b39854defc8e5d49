import { z } from 'zod';

/** Reward kinds as the core's catalog names them (`reward.redeemed` → `data.reward.kind`). */
export const REWARD_KINDS = ['voucher', 'fixed_discount', 'percentage_discount', 'free_product', 'points_as_payment'] as const;

/**
 * What a `shopify` delivery carries: the redeemed voucher and the reward it stands for, fixed when
 * the `reward.redeemed` event is routed (see `store-code-router.ts`). The adapter decides at send
 * time what Shopify can make of the reward (a percentage or a fixed amount off), so the options
 * are the facts, not the GraphQL input.
 */
export const shopifyStoreCodeOptions = z
  .strictObject({
    code: z.string().trim().min(1).max(255).describe('The voucher code the member got; it becomes the Shopify discount code.'),
    title: z.string().trim().min(1).max(255).describe('The discount title shown in the Shopify admin (Discounts).'),
    startsAt: z.iso.datetime({ offset: true }).describe('When the code starts to work (the redemption time).'),
    endsAt: z.iso.datetime({ offset: true }).nullable().describe('When the code stops working (the voucher expiry), null for never.'),
    redemptionId: z.string().trim().min(1).describe('The redemption (rdm_…) the code belongs to.'),
    reward: z
      .strictObject({
        id: z.string().min(1),
        name: z.string().min(1),
        kind: z.enum(REWARD_KINDS),
        /** Minor units of `currency` (fixed_discount, or a voucher worth an amount). */
        value: z.number().int().positive().nullable(),
        currency: z.string().regex(/^[A-Za-z]{3}$/).nullable(),
        /** 1..100 (percentage_discount, or a voucher worth a percentage). */
        percent: z.number().gt(0).max(100).nullable(),
        productSku: z.string().nullable(),
      })
      .describe('The redeemed reward: what the code is worth.'),
  })
  .describe('Create a single-use Shopify discount code (Admin GraphQL discountCodeBasicCreate) for a redeemed reward.');

export type ShopifyStoreCodeOptions = z.infer<typeof shopifyStoreCodeOptions>;
