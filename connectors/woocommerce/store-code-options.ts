import { z } from 'zod';

/** Reward kinds as the core's catalog names them (`reward.redeemed` → `data.reward.kind`). */
export const REWARD_KINDS = ['voucher', 'fixed_discount', 'percentage_discount', 'free_product', 'points_as_payment'] as const;

/**
 * What a `woocommerce` delivery carries: the redeemed voucher and the reward it stands for, fixed
 * when the `reward.redeemed` event is routed (see `store-code-router.ts`). The adapter decides at
 * send time what WooCommerce can make of the reward (a percentage or a fixed amount off the cart,
 * or one free product), so the options are the facts, not the coupon body.
 */
export const wooCommerceStoreCodeOptions = z
  .strictObject({
    code: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .describe('The voucher code the member got; it becomes the coupon code (WooCommerce keeps codes in lower case and matches them case-insensitively).'),
    description: z.string().trim().min(1).max(500).describe('The coupon description shown in WooCommerce → Marketing → Coupons.'),
    expiresAt: z.iso.datetime({ offset: true }).nullable().describe('When the coupon stops working (the voucher expiry), null for never.'),
    redemptionId: z.string().trim().min(1).describe('The redemption (rdm_…) the coupon belongs to; kept in the coupon meta data.'),
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
        /** free_product: the SKU of the product the coupon makes free. */
        productSku: z.string().nullable(),
      })
      .describe('The redeemed reward: what the coupon is worth.'),
  })
  .describe('Create a single-use WooCommerce coupon (REST POST /wp-json/wc/v3/coupons) for a redeemed reward.');

export type WooCommerceStoreCodeOptions = z.infer<typeof wooCommerceStoreCodeOptions>;
