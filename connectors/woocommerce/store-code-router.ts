import type { ConnectorRouter } from '../../core/connectors/definition.js';
import type { LoyaltyEvent } from '../../core/outbox/loyalty-events.js';
import type { Route, Router } from '../../core/outbox/routes.js';
import { wooCommerceStoreCodeOptions, type WooCommerceStoreCodeOptions } from './store-code-options.js';

export const STORE_CODE_ROUTE = 'store-code:woocommerce';

/**
 * Store codes need REST API keys on top of the connector itself (whose adapter exists only when
 * `WOOCOMMERCE_WEBHOOK_SECRET` is set): without them nothing is routed, rather than queueing
 * deliveries that can only fail.
 */
export function wooCommerceStoreCodesConfigured(env: Record<string, string | undefined>): boolean {
  return !!(env.WOOCOMMERCE_WEBHOOK_SECRET && env.WOOCOMMERCE_URL?.trim() && env.WOOCOMMERCE_CONSUMER_KEY && env.WOOCOMMERCE_CONSUMER_SECRET);
}

/**
 * `reward.redeemed` → one delivery `store-code:woocommerce` when the reward asks for WooCommerce
 * codes (`data.storeCodes` includes `woocommerce`) and the redemption issued a voucher code. The
 * dispatcher's unique (event, route) index makes it one coupon per redemption, however often
 * routing runs. An event that asks for a coupon but lacks what it takes to make one is routed as
 * failed: a dead letter (and `delivery.failed`) that support sees, instead of a coupon silently
 * missing.
 */
export function wooCommerceStoreCodeRoute(event: LoyaltyEvent): Route | undefined {
  if (event.type !== 'reward.redeemed') return undefined;
  const data = event.data as Record<string, unknown>;
  const storeCodes = data.storeCodes;
  if (!Array.isArray(storeCodes) || !storeCodes.includes('woocommerce')) return undefined;
  const code = data.voucherCode;
  if (typeof code !== 'string' || code.trim() === '') return undefined;

  const reward = (data.reward ?? {}) as Record<string, unknown>;
  const memberPart = event.memberId ? `, member ${event.memberId}` : '';
  const candidate: WooCommerceStoreCodeOptions = {
    code,
    description: `Loyalty reward: ${typeof reward.name === 'string' ? reward.name : 'reward'} (redemption ${String(data.redemptionId)}${memberPart})`.slice(0, 500),
    expiresAt: typeof data.voucherExpiresAt === 'string' ? data.voucherExpiresAt : null,
    redemptionId: data.redemptionId as string,
    reward: {
      id: reward.id as string,
      name: reward.name as string,
      kind: reward.kind as WooCommerceStoreCodeOptions['reward']['kind'],
      value: (reward.value ?? null) as number | null,
      currency: (reward.currency ?? null) as string | null,
      percent: (reward.percent ?? null) as number | null,
      productSku: (reward.productSku ?? null) as string | null,
    },
  };
  const parsed = wooCommerceStoreCodeOptions.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    return { route: STORE_CODE_ROUTE, adapter: 'woocommerce', options: {}, failed: `reward.redeemed cannot become a WooCommerce coupon: ${problems}` };
  }
  return { route: STORE_CODE_ROUTE, adapter: 'woocommerce', options: parsed.data };
}

export function createWooCommerceStoreCodeRouter(env: Record<string, string | undefined>): ConnectorRouter {
  const configured = wooCommerceStoreCodesConfigured(env);
  const router: Router = (event) => {
    if (!configured) return [];
    const route = wooCommerceStoreCodeRoute(event);
    return route ? [route] : [];
  };
  return {
    router,
    wants: (type) => configured && type === 'reward.redeemed',
    refresh: async () => {},
    close: () => {},
  };
}
