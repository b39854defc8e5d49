import type { ConnectorRouter } from '../../core/connectors/definition.js';
import type { LoyaltyEvent } from '../../core/outbox/loyalty-events.js';
import type { Route, Router } from '../../core/outbox/routes.js';
import { shopifyStoreCodeOptions, type ShopifyStoreCodeOptions } from './store-code-options.js';

export const STORE_CODE_ROUTE = 'store-code:shopify';

/**
 * Store codes need Admin API access on top of the connector itself (whose adapter exists only
 * when `SHOPIFY_API_SECRET` is set): the shop and either a custom app's access token or a Dev
 * Dashboard app's client ID. Without them nothing is routed, rather than queueing deliveries that
 * can only fail.
 */
export function shopifyStoreCodesConfigured(env: Record<string, string | undefined>): boolean {
  return !!(env.SHOPIFY_API_SECRET && env.SHOPIFY_SHOP?.trim() && (env.SHOPIFY_ADMIN_ACCESS_TOKEN?.trim() || env.SHOPIFY_CLIENT_ID?.trim()));
}

/**
 * `reward.redeemed` → one delivery `store-code:shopify` when the reward asks for Shopify codes
 * (`data.storeCodes` includes `shopify`) and the redemption issued a voucher code. The dispatcher's
 * unique (event, route) index makes it one discount code per redemption, however often routing
 * runs. An event that asks for a code but lacks what it takes to make one is routed as failed: a
 * dead letter (and `delivery.failed`) that support sees, instead of a code silently missing.
 */
export function shopifyStoreCodeRoute(event: LoyaltyEvent): Route | undefined {
  if (event.type !== 'reward.redeemed') return undefined;
  const data = event.data as Record<string, unknown>;
  const storeCodes = data.storeCodes;
  if (!Array.isArray(storeCodes) || !storeCodes.includes('shopify')) return undefined;
  const code = data.voucherCode;
  if (typeof code !== 'string' || code.trim() === '') return undefined;

  const reward = (data.reward ?? {}) as Record<string, unknown>;
  const candidate: ShopifyStoreCodeOptions = {
    code,
    title: `Loyalty reward: ${typeof reward.name === 'string' ? reward.name : 'reward'} (${String(data.redemptionId)})`.slice(0, 255),
    startsAt: event.occurredAt,
    endsAt: typeof data.voucherExpiresAt === 'string' ? data.voucherExpiresAt : null,
    redemptionId: data.redemptionId as string,
    reward: {
      id: reward.id as string,
      name: reward.name as string,
      kind: reward.kind as ShopifyStoreCodeOptions['reward']['kind'],
      value: (reward.value ?? null) as number | null,
      currency: (reward.currency ?? null) as string | null,
      percent: (reward.percent ?? null) as number | null,
      productSku: (reward.productSku ?? null) as string | null,
    },
  };
  const parsed = shopifyStoreCodeOptions.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    return { route: STORE_CODE_ROUTE, adapter: 'shopify', options: {}, failed: `reward.redeemed cannot become a Shopify discount code: ${problems}` };
  }
  return { route: STORE_CODE_ROUTE, adapter: 'shopify', options: parsed.data };
}

export function createShopifyStoreCodeRouter(env: Record<string, string | undefined>): ConnectorRouter {
  const configured = shopifyStoreCodesConfigured(env);
  const router: Router = (event) => {
    if (!configured) return [];
    const route = shopifyStoreCodeRoute(event);
    return route ? [route] : [];
  };
  return {
    router,
    wants: (type) => configured && type === 'reward.redeemed',
    refresh: async () => {},
    close: () => {},
  };
}
