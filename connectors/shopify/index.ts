import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createShopifyInbound } from './inbound.js';

/**
 * Shopify inbound webhooks (orders/paid, refunds/create, orders/cancelled, customers/create,
 * customers/update) → trigger events. Merchant setup: docs/connectors/shopify.md.
 */
export default {
  name: 'shopify',
  title: 'Shopify',
  directions: ['inbound'],
  config: [
    {
      env: 'SHOPIFY_API_SECRET',
      secret: true,
      required: true,
      description:
        "HMAC key of the webhooks: the app's client secret (Partner Dashboard or Dev Dashboard → app → Client credentials), " +
        'or for webhooks created in the Shopify admin the key shown under Settings → Notifications → Webhooks',
    },
  ],
  createInbound: (env) => createShopifyInbound(env.SHOPIFY_API_SECRET ?? ''),
} satisfies ConnectorDefinition;
