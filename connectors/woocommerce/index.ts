import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createWooCommerceStoreCodeAdapter } from './coupon.js';
import { storeCodeOptions } from '../../core/rewards/store-code-options.js';
import { createWooCommerceInbound } from './inbound.js';

/**
 * WooCommerce inbound webhooks (order.created, order.updated, customer.created,
 * customer.updated) → trigger events; outbound, store codes: a redeemed reward whose catalog
 * entry asks for WooCommerce codes becomes a single-use coupon (REST `POST coupons`), created
 * through the outbox by the core's store-code router, and deleted when the redemption is reversed
 * unused; an order carrying a hub voucher code in `coupon_lines` marks it used (the core).
 * Merchant setup: docs/connectors/woocommerce.md.
 */
export default {
  name: 'woocommerce',
  title: 'WooCommerce',
  directions: ['inbound', 'outbound'],
  config: [
    {
      env: 'WOOCOMMERCE_WEBHOOK_SECRET',
      secret: true,
      required: true,
      description: 'The Secret of the webhooks (WooCommerce → Settings → Advanced → Webhooks); the same value in every webhook pointing at the hub',
    },
    {
      env: 'WOOCOMMERCE_PAID_STATUSES',
      secret: false,
      required: false,
      description: 'Comma-separated order statuses that count as paid and earn points (default processing,completed)',
    },
    {
      env: 'WOOCOMMERCE_URL',
      secret: false,
      required: false,
      description: 'Store codes: the store\'s address, e.g. https://shop.example (the REST API is under /wp-json/wc/v3)',
    },
    {
      env: 'WOOCOMMERCE_CONSUMER_KEY',
      secret: false,
      required: false,
      description: 'Store codes: the REST API consumer key (ck_…) with Read/Write permission (WooCommerce → Settings → Advanced → REST API)',
    },
    {
      env: 'WOOCOMMERCE_CONSUMER_SECRET',
      secret: true,
      required: false,
      description: 'Store codes: the REST API consumer secret (cs_…) of that key',
    },
    {
      env: 'WOOCOMMERCE_QUERY_STRING_AUTH',
      secret: false,
      required: false,
      description: 'Store codes over https: true to send the keys in the query string instead of HTTP Basic auth (servers that drop the Authorization header)',
    },
  ],
  createInbound: (env) => createWooCommerceInbound({ secret: env.WOOCOMMERCE_WEBHOOK_SECRET ?? '', paidStatuses: env.WOOCOMMERCE_PAID_STATUSES }),
  adapter: { name: 'woocommerce', options: storeCodeOptions },
  // Store codes need REST API keys on top of the webhook secret (docs/connectors/woocommerce.md).
  capabilities: { storeCodes: { env: ['WOOCOMMERCE_URL', 'WOOCOMMERCE_CONSUMER_KEY', 'WOOCOMMERCE_CONSUMER_SECRET'] } },
  createAdapter: (env) =>
    createWooCommerceStoreCodeAdapter({
      url: env.WOOCOMMERCE_URL,
      consumerKey: env.WOOCOMMERCE_CONSUMER_KEY,
      consumerSecret: env.WOOCOMMERCE_CONSUMER_SECRET,
      queryStringAuth: /^(1|true|yes)$/i.test(env.WOOCOMMERCE_QUERY_STRING_AUTH?.trim() ?? ''),
    }),
} satisfies ConnectorDefinition;
