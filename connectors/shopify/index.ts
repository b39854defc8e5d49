import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createShopifyStoreCodeAdapter } from './discount-code.js';
import { storeCodeOptions } from '../../core/rewards/store-code-options.js';
import { createShopifyInbound } from './inbound.js';

/**
 * Shopify inbound webhooks (orders/paid, refunds/create, orders/cancelled, customers/create,
 * customers/update) → trigger events; outbound, store codes: a redeemed reward whose catalog
 * entry asks for Shopify codes becomes a single-use discount code (Admin GraphQL
 * `discountCodeBasicCreate`), created through the outbox by the core's store-code router, and
 * deleted when the redemption is reversed unused; an order carrying a hub voucher code marks it
 * used (the core, from `discount_codes`). Merchant setup: docs/connectors/shopify.md.
 */
export default {
  name: 'shopify',
  title: 'Shopify',
  directions: ['inbound', 'outbound'],
  config: [
    {
      env: 'SHOPIFY_API_SECRET',
      secret: true,
      required: true,
      description:
        "HMAC key of the webhooks: the app's client secret (Partner Dashboard or Dev Dashboard → app → Client credentials), " +
        'or for webhooks created in the Shopify admin the key shown under Settings → Notifications → Webhooks',
    },
    {
      env: 'SHOPIFY_SHOP',
      secret: false,
      required: false,
      description: 'Store codes: the shop\'s myshopify domain, e.g. example.myshopify.com (with SHOPIFY_ADMIN_ACCESS_TOKEN)',
    },
    {
      env: 'SHOPIFY_ADMIN_ACCESS_TOKEN',
      secret: true,
      required: false,
      description: 'Store codes: the Admin API access token (shpat_…) of a custom app created in the Shopify admin, with the write_discounts scope',
    },
    {
      env: 'SHOPIFY_CLIENT_ID',
      secret: false,
      required: false,
      description:
        'Store codes, instead of SHOPIFY_ADMIN_ACCESS_TOKEN: the Client ID of a Dev Dashboard app with write_discounts installed on the shop (tokens by the client credentials grant)',
    },
    {
      env: 'SHOPIFY_CLIENT_SECRET',
      secret: true,
      required: false,
      description: "Store codes: that app's client secret (default SHOPIFY_API_SECRET, which is the same secret when the app also sends the webhooks)",
    },
    {
      env: 'SHOPIFY_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override for the Admin API (a proxy, a sandbox, a local stub; default https://SHOPIFY_SHOP)',
    },
  ],
  createInbound: (env) => createShopifyInbound(env.SHOPIFY_API_SECRET ?? ''),
  adapter: { name: 'shopify', options: storeCodeOptions },
  // Store codes need the Admin API on top of SHOPIFY_API_SECRET: the shop, and a custom app's
  // token or a Dev Dashboard app's client ID (docs/connectors/shopify.md, "Store codes").
  capabilities: { storeCodes: { env: ['SHOPIFY_SHOP', ['SHOPIFY_ADMIN_ACCESS_TOKEN', 'SHOPIFY_CLIENT_ID']] } },
  createAdapter: (env) =>
    createShopifyStoreCodeAdapter({
      shop: env.SHOPIFY_SHOP,
      accessToken: env.SHOPIFY_ADMIN_ACCESS_TOKEN,
      clientId: env.SHOPIFY_CLIENT_ID,
      clientSecret: env.SHOPIFY_CLIENT_SECRET,
      apiUrl: env.SHOPIFY_API_URL || undefined,
      apiSecret: env.SHOPIFY_API_SECRET,
    }),
} satisfies ConnectorDefinition;
