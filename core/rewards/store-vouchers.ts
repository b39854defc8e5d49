/**
 * Closing the loop with the stores (docs/api.md, "Vouchers at a store's checkout"): an order that
 * carries a hub voucher's code among its discount codes (Shopify `discount_codes`, WooCommerce
 * `coupon_lines`, any store connector's `order.discountCodes`) is the store honouring the
 * voucher. In the write that applies the order, each such voucher still `active` becomes `used`
 * with the order as its reference, and `voucher.used` names the order; its redemption can then
 * no longer be reversed (core/rewards/reverse-redemption.ts answers 409), so the points are not
 * returned for a discount the shop already gave.
 *
 * Codes match as a till matches them (case and spaces do not matter, like the stores' own codes).
 * A code that is no hub voucher is the shop's own discount and is ignored; a voucher already used
 * or void is left as it is (the order still earns). The same for every source alike: nothing
 * here knows a platform. A redelivered order is a duplicate before it gets here
 * (core/program/apply-trigger.ts), so nothing is announced twice.
 */
import { inArray } from 'drizzle-orm';
import type { Writer } from '../commit/writer.js';
import { orderKey } from '../triggers/order-identity.js';
import { tablesOf } from '../storage/prepared.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import { markVoucherUsed, type VoucherRow } from './use-voucher.js';
import { normalizeVoucherCode } from './voucher-code.js';

type OrderPaid = Extract<TriggerEvent, { type: 'order.paid' }>;

/** More codes than any checkout takes are not looked at (the rest of the order still applies). */
const MAX_CODES = 50;

export async function useStoreVouchers(w: Writer, trigger: OrderPaid): Promise<VoucherRow[]> {
  const codes = [...new Set((trigger.order.discountCodes ?? []).filter((c) => typeof c === 'string').map(normalizeVoucherCode).filter(Boolean))].slice(0, MAX_CODES);
  if (codes.length === 0) return [];
  const { vouchers } = tablesOf(w.tx);
  const found = await w.tx.select({ code: vouchers.code, status: vouchers.status }).from(vouchers).where(inArray(vouchers.code, codes));
  const used: VoucherRow[] = [];
  for (const voucher of found.filter((v) => v.status === 'active').sort((a, b) => a.code.localeCompare(b.code))) {
    // An expired voucher the store still took is used all the same: the shop gave the discount.
    const row = await markVoucherUsed(w, voucher.code, orderKey(trigger.source, trigger.order.id), { source: trigger.source, orderId: trigger.order.id });
    if (row) used.push(row);
  }
  return used;
}
