/**
 * What a `store-code:<store>` delivery carries, the same for every store connector (the core's
 * store-code router builds it, see `store-code-router.ts`; docs/adding-a-connector.md, "Store
 * codes"):
 * - `create`: a redeemed reward's voucher becomes a single-use code at the store's checkout. The
 *   options are the facts — the code, its validity and the reward it stands for — and the store's
 *   adapter decides at send time what its checkout can make of the reward (a percentage or an
 *   amount off, one free product) or why it cannot (then `skipped`).
 * - `delete`: the redemption was reversed while its voucher was unused: the store deletes the
 *   code so it no longer works at checkout; a code the store does not have counts as done.
 */
import { z } from 'zod';
import type { RewardKind } from './catalog.js';

/** Reward kinds as the catalog names them (`reward.redeemed` → `data.reward.kind`). */
export const REWARD_KINDS = ['voucher', 'fixed_discount', 'percentage_discount', 'free_product', 'points_as_payment'] as const satisfies readonly RewardKind[];

/** How the title of every code the hub makes at a store begins: how an adapter knows a code is the hub's. */
export const STORE_CODE_TITLE_PREFIX = 'Loyalty reward:';

const code = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .describe('The voucher code the member got; the store keeps it as its own code (stores match codes case-insensitively).');
const redemptionId = z.string().trim().min(1).describe('The redemption (rdm_…) the code belongs to.');

export const storeCodeCreateOptions = z.strictObject({
  action: z.literal('create'),
  code,
  title: z.string().trim().min(1).max(255).describe("The code's title or description shown in the store's admin."),
  startsAt: z.iso.datetime({ offset: true }).describe('When the code starts to work (the redemption time).'),
  expiresAt: z.iso.datetime({ offset: true }).nullable().describe('When the code stops working (the voucher expiry), null for never.'),
  redemptionId,
  memberId: z
    .string()
    .min(1)
    .optional()
    .describe('The member who redeemed (mem_…), for a store that keeps rewards per customer (a Square Loyalty account).'),
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
      /** free_product: the SKU of the product the code makes free. */
      productSku: z.string().nullable(),
    })
    .describe('The redeemed reward: what the code is worth.'),
});

export const storeCodeDeleteOptions = z.strictObject({
  action: z.literal('delete'),
  code,
  redemptionId,
});

export const storeCodeOptions = z
  .discriminatedUnion('action', [storeCodeCreateOptions, storeCodeDeleteOptions])
  .describe("Create a redeemed reward's voucher as a single-use code at a store's checkout, or delete it when the redemption is reversed.");

export type StoreCodeOptions = z.infer<typeof storeCodeOptions>;
export type StoreCodeCreateOptions = z.infer<typeof storeCodeCreateOptions>;
export type StoreCodeDeleteOptions = z.infer<typeof storeCodeDeleteOptions>;

/**
 * What an adapter reads at send time: the options checked again (the dispatcher hands over what
 * was stored), failing closed. Deliveries queued before the shared options existed carry the old
 * per-store create shapes (Shopify `title`/`startsAt`/`endsAt`, WooCommerce `description`/
 * `expiresAt`, no `action`): they are read as `create`, so an upgrade with deliveries pending
 * still creates their codes.
 */
export function readStoreCodeOptions(raw: unknown): { options: StoreCodeOptions } | { error: string } {
  let candidate = raw;
  if (raw && typeof raw === 'object' && !('action' in raw)) {
    const { title, description, startsAt, endsAt, expiresAt, ...rest } = raw as Record<string, unknown>;
    candidate = {
      action: 'create',
      ...rest,
      title: title ?? description,
      // WooCommerce's old shape had no start: its coupons start when created, and it is not sent.
      startsAt: startsAt ?? new Date(0).toISOString(),
      expiresAt: endsAt !== undefined ? endsAt : expiresAt,
    };
  }
  const parsed = storeCodeOptions.safeParse(candidate);
  if (parsed.success) return { options: parsed.data };
  return { error: parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ') };
}
