/**
 * The outbound half of the WooCommerce connector: a redeemed reward becomes a single-use coupon
 * at the store's checkout, created through the REST API (`POST /wp-json/wc/v3/coupons`) with
 * `@woocommerce/woocommerce-rest-api`; a redemption reversed while the coupon is unused deletes it
 * (`GET coupons?code=…`, then `DELETE coupons/<id>?force=true`). The deliveries come from the
 * core's store-code router with the shared options (core/rewards/store-code-options.ts).
 */
import wooCommerceRestApiModule from '@woocommerce/woocommerce-rest-api';
import { classifyHttp, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { formatMinorUnits } from '../../core/triggers/money.js';
import {
  readStoreCodeOptions,
  storeCodeOptions,
  type StoreCodeCreateOptions,
  type StoreCodeDeleteOptions,
  type StoreCodeOptions,
} from '../../core/rewards/store-code-options.js';

/**
 * The SDK is CommonJS compiled from ESM (`exports.default = class …`): Node's ESM import hands
 * over `module.exports`, whose `default` is the class; a loader that unwraps it gives the class.
 */
type WooCommerceRestApiClass = typeof wooCommerceRestApiModule.default;
const WooCommerceRestApi: WooCommerceRestApiClass =
  typeof (wooCommerceRestApiModule as unknown) === 'function'
    ? (wooCommerceRestApiModule as unknown as WooCommerceRestApiClass)
    : wooCommerceRestApiModule.default;

export interface WooCommerceStoreCodeConfig {
  /** `WOOCOMMERCE_URL`: the store's address, e.g. `https://shop.example` (the SDK appends `/wp-json/wc/v3/…`). */
  url?: string;
  consumerKey?: string;
  consumerSecret?: string;
  /**
   * `WOOCOMMERCE_QUERY_STRING_AUTH`: on https the SDK sends the keys as HTTP Basic auth; servers
   * that drop the Authorization header (some Apache/CGI set-ups) need them in the query string.
   * Over plain http the SDK signs with OAuth 1.0a whatever this says.
   */
  queryStringAuth?: boolean;
}

/** The coupon body WooCommerce is sent, minus the product a free-product coupon names. */
export type CouponTerms =
  | { discount_type: 'percent' | 'fixed_cart'; amount: string }
  | { discount_type: 'percent'; amount: '100'; freeProductSku: string };

/**
 * What the reward is worth as a WooCommerce coupon, or why none can express it:
 * - `percentage_discount` → `percent`, amount "15" (off the cart);
 * - `fixed_discount` → `fixed_cart`, amount "10.00" for 1000 USD minor units, "1000" for 1000 JPY
 *   (the store's currency: the reward's must be it);
 * - `voucher` → whichever of the two the reward carries (a percentage first), else nothing;
 * - `free_product` → 100% off the product with the reward's SKU, for one unit
 *   (`limit_usage_to_x_items: 1`);
 * - `points_as_payment` → nothing (points pay at checkout through holds, not codes).
 */
export function couponTerms(reward: StoreCodeCreateOptions['reward']): { terms: CouponTerms } | { skip: string } | { invalid: string } {
  const percent = (): { terms: CouponTerms } | { invalid: string } =>
    reward.percent !== null && reward.percent > 0 && reward.percent <= 100
      ? { terms: { discount_type: 'percent', amount: String(reward.percent) } }
      : { invalid: `reward ${reward.id} (${reward.kind}) has no percent between 1 and 100` };
  const amount = (): { terms: CouponTerms } | { invalid: string } =>
    reward.value !== null && reward.value > 0 && reward.currency
      ? { terms: { discount_type: 'fixed_cart', amount: formatMinorUnits(reward.value, reward.currency) } }
      : { invalid: `reward ${reward.id} (${reward.kind}) has no value and currency` };
  switch (reward.kind) {
    case 'percentage_discount':
      return percent();
    case 'fixed_discount':
      return amount();
    case 'voucher':
      if (reward.percent !== null) return percent();
      if (reward.value !== null) return amount();
      return { skip: `reward ${reward.id} is a voucher worth no amount or percentage: there is nothing for a WooCommerce coupon to take off` };
    case 'free_product':
      return reward.productSku?.trim()
        ? { terms: { discount_type: 'percent', amount: '100', freeProductSku: reward.productSku.trim() } }
        : { invalid: `reward ${reward.id} (free_product) has no productSku` };
    case 'points_as_payment':
      return { skip: `reward ${reward.id} is points as payment, which is not a coupon` };
  }
}

/** `2025-02-15T12:00:00.000Z` → `2025-02-15T12:00:00`, the form WooCommerce's `*_gmt` dates take. */
export function wooGmtDate(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}

/** The `POST coupons` body for one redeemed reward (`productId` for a free product). */
export function couponBody(options: StoreCodeCreateOptions, terms: CouponTerms, productId?: number): Record<string, unknown> {
  return {
    code: options.code,
    discount_type: terms.discount_type,
    amount: terms.amount,
    description: options.title,
    // UTC, so the expiry is the voucher's instant whatever the site's time zone.
    ...(options.expiresAt ? { date_expires_gmt: wooGmtDate(options.expiresAt) } : {}),
    individual_use: true,
    usage_limit: 1,
    usage_limit_per_user: 1,
    ...(productId !== undefined ? { product_ids: [productId], limit_usage_to_x_items: 1 } : {}),
    meta_data: [
      { key: 'loyalty_hub_redemption_id', value: options.redemptionId },
      { key: 'loyalty_hub_reward_id', value: options.reward.id },
    ],
  };
}

export const COUPON_EXISTS = 'woocommerce_rest_coupon_code_already_exists';

export function createWooCommerceStoreCodeAdapter(config: WooCommerceStoreCodeConfig): OutboundAdapter<StoreCodeOptions> {
  const url = config.url?.trim() || undefined;
  const consumerKey = config.consumerKey?.trim() || undefined;
  const consumerSecret = config.consumerSecret?.trim() || undefined;

  // One client per send, so that this delivery's abort signal reaches its requests. Redirects
  // are not followed: axios would turn the POST into a GET (listing coupons, "delivered"),
  // and the keys go to the configured store only.
  const client = (context: SendContext) =>
    new WooCommerceRestApi({
      url: url!,
      consumerKey: consumerKey!,
      consumerSecret: consumerSecret!,
      version: 'wc/v3',
      queryStringAuth: config.queryStringAuth ?? false,
      axiosConfig: { signal: context.signal, maxRedirects: 0 },
    });

  return {
    name: 'woocommerce',
    options: storeCodeOptions,
    async send(stored, context): Promise<SendOutcome> {
      const read = readStoreCodeOptions(stored);
      if ('error' in read) return { status: 'permanent', error: `woocommerce: the delivery's options are not store-code options: ${read.error}` };
      const { options } = read;
      if (!url || !consumerKey || !consumerSecret) {
        const missing = [!url && 'WOOCOMMERCE_URL', !consumerKey && 'WOOCOMMERCE_CONSUMER_KEY', !consumerSecret && 'WOOCOMMERCE_CONSUMER_SECRET'].filter(Boolean).join(', ');
        return { status: 'permanent', error: `woocommerce: store codes are not configured (set ${missing}); no coupon ${options.action === 'create' ? 'created' : 'deleted'} for ${options.code}` };
      }
      if (options.action === 'delete') {
        if (context.signal.aborted) return { status: 'retry', error: 'woocommerce: aborted' };
        return deleteCoupon(client(context), options, context);
      }
      const worth = couponTerms(options.reward);
      if ('skip' in worth) return { status: 'skipped', reason: `woocommerce: ${worth.skip}` };
      if ('invalid' in worth) return { status: 'permanent', error: `woocommerce: ${worth.invalid}` };
      if (context.signal.aborted) return { status: 'retry', error: 'woocommerce: aborted' };

      const api = client(context);

      let productId: number | undefined;
      if ('freeProductSku' in worth.terms) {
        const sku = worth.terms.freeProductSku;
        try {
          const res = (await api.get('products', { sku })) as { data?: unknown };
          const found = Array.isArray(res.data) ? (res.data as { id?: unknown; sku?: unknown }[]).find((p) => typeof p.id === 'number' && p.sku === sku) : undefined;
          if (!found) return { status: 'permanent', statusCode: 200, error: `woocommerce: no product with SKU ${sku} (free_product reward ${options.reward.id})` };
          productId = found.id as number;
        } catch (error) {
          return wooCommerceFailure(error, context, 'GET products');
        }
      }

      try {
        const res = (await api.post('coupons', couponBody(options, worth.terms, productId))) as { status: number; data?: { id?: unknown } };
        const id = res.data?.id;
        return { status: 'delivered', statusCode: res.status, ...(id !== undefined && id !== null ? { providerMessageId: String(id) } : {}) };
      } catch (error) {
        const existing = errorResponse(error);
        // The code exists: a generated voucher code is unguessable and never reused, so that is our
        // own coupon from an earlier attempt whose answer was lost (a code from an uploaded pool may
        // also have been made in WooCommerce by the merchant) — either way it works at checkout.
        if (existing?.status === 400 && existing.data?.code === COUPON_EXISTS) return { status: 'delivered', statusCode: 400 };
        return wooCommerceFailure(error, context, 'POST coupons');
      }
    },
  };
}

type WooCommerceClient = InstanceType<WooCommerceRestApiClass>;

/**
 * Deletes the coupon with the code for good (`force=true`: coupons would otherwise go to the
 * trash, where WooCommerce still refuses their code as taken but no longer honours it). A code the
 * store does not have — never made, deleted by hand, or by an earlier attempt whose answer was
 * lost — is done, and so is a coupon gone between the look-up and the deletion (404). A coupon
 * the hub did not make (no `loyalty_hub_redemption_id` of this redemption in its meta data, e.g.
 * the merchant's own coupon with an uploaded pool code) is not deleted: the delivery fails for
 * support to look at.
 */
async function deleteCoupon(api: WooCommerceClient, options: StoreCodeDeleteOptions, context: SendContext): Promise<SendOutcome> {
  let coupons: { id?: unknown; code?: unknown; meta_data?: unknown }[];
  try {
    const res = (await api.get('coupons', { code: options.code })) as { data?: unknown };
    coupons = Array.isArray(res.data) ? (res.data as typeof coupons) : [];
  } catch (error) {
    return wooCommerceFailure(error, context, 'GET coupons');
  }
  // `code` is a search filter; WooCommerce keeps codes in lower case.
  const coupon = coupons.find((c) => typeof c.id === 'number' && typeof c.code === 'string' && c.code.toLowerCase() === options.code.toLowerCase());
  if (!coupon) return { status: 'delivered', statusCode: 200 };
  const meta = Array.isArray(coupon.meta_data) ? (coupon.meta_data as { key?: unknown; value?: unknown }[]) : [];
  if (!meta.some((m) => m.key === 'loyalty_hub_redemption_id' && m.value === options.redemptionId)) {
    return {
      status: 'permanent',
      statusCode: 200,
      error: `woocommerce: coupon ${String(coupon.id)} with code ${options.code} was not made by the hub for redemption ${options.redemptionId}; not deleted — remove it by hand (Marketing → Coupons)`,
    };
  }
  try {
    const res = (await api.delete(`coupons/${String(coupon.id)}`, { force: true })) as { status: number; data?: { id?: unknown } };
    return { status: 'delivered', statusCode: res.status, providerMessageId: String(coupon.id) };
  } catch (error) {
    if (errorResponse(error)?.status === 404) return { status: 'delivered', statusCode: 404 };
    return wooCommerceFailure(error, context, 'DELETE coupons');
  }
}

interface ErrorResponse {
  status: number;
  headers: Record<string, string | undefined>;
  data?: { code?: string; message?: string };
}

/** The HTTP answer inside what axios (under the SDK) throws, if there was one. */
function errorResponse(error: unknown): ErrorResponse | undefined {
  const response = (error as { response?: { status?: unknown; headers?: unknown; data?: unknown } } | null)?.response;
  if (!response || typeof response.status !== 'number') return undefined;
  const raw = response.headers as { toJSON?: () => Record<string, unknown> } | Record<string, unknown> | undefined;
  const plain = (raw && typeof raw.toJSON === 'function' ? raw.toJSON() : raw ?? {}) as Record<string, unknown>;
  const headers = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k.toLowerCase(), v === undefined || v === null ? undefined : String(v)]));
  const data = response.data && typeof response.data === 'object' ? (response.data as ErrorResponse['data']) : undefined;
  return { status: response.status, headers, data };
}

/** Maps what the SDK (axios) throws to an outcome: classified like any provider's HTTP answer. */
export function wooCommerceFailure(error: unknown, context: Pick<SendContext, 'signal' | 'now'>, request: string): SendOutcome {
  const res = errorResponse(error);
  if (res) {
    const outcome = classifyHttp(res.status, res.headers, context.now);
    const detail = res.data?.code ? `: ${res.data.code}${res.data.message ? ` (${res.data.message.slice(0, 200)})` : ''}` : '';
    const hint =
      res.status === 401
        ? ' — check WOOCOMMERCE_CONSUMER_KEY/SECRET (Read/Write keys); if the server drops the Authorization header, set WOOCOMMERCE_QUERY_STRING_AUTH=true'
        : res.status >= 300 && res.status < 400
          ? ' — redirects are not followed; set WOOCOMMERCE_URL to the final address (https, with or without www)'
          : '';
    if (outcome.status === 'retry' || outcome.status === 'permanent') return { ...outcome, error: `woocommerce: ${request}: HTTP ${res.status}${detail}${hint}` };
    return outcome;
  }
  if (context.signal.aborted) return { status: 'retry', error: `woocommerce: ${request}: no answer in time (aborted)` };
  const e = error as { code?: string; message?: string } | null;
  return { status: 'retry', error: `woocommerce: ${request}: request failed: ${e?.code ?? e?.message ?? String(error)}` };
}
