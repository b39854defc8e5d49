import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createWooCommerceInbound } from './inbound.js';

/**
 * WooCommerce inbound webhooks (order.created, order.updated, customer.created,
 * customer.updated) → trigger events. Merchant setup: docs/connectors/woocommerce.md.
 */
export default {
  name: 'woocommerce',
  title: 'WooCommerce',
  directions: ['inbound'],
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
  ],
  createInbound: (env) => createWooCommerceInbound({ secret: env.WOOCOMMERCE_WEBHOOK_SECRET ?? '', paidStatuses: env.WOOCOMMERCE_PAID_STATUSES }),
} satisfies ConnectorDefinition;
