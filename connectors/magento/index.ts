import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createMagentoInbound } from './inbound.js';

/**
 * Adobe Commerce / Magento 2 in: `POST /webhooks/magento` verifies
 * `x-adobe-commerce-webhook-signature` (RSA-SHA256 with the store's key pair) and turns a fully
 * paid order (its save, or the payment of its last invoice) into `order.paid` and a refunded
 * credit memo into `order.refunded`, answering Commerce's synchronous webhooks `{"op":"success"}`.
 * Magento Open Source stores, without Adobe Commerce webhooks, send a signed thin notification that
 * the connector completes through the REST API. Merchant setup: docs/connectors/magento.md.
 */
export default {
  name: 'magento',
  title: 'Adobe Commerce / Magento 2',
  directions: ['inbound'],
  config: [
    {
      env: 'MAGENTO_WEBHOOK_PUBLIC_KEY',
      secret: false,
      required: true,
      description:
        'The PEM public key of Stores → Configuration → Adobe Services → Webhooks → Digital Signature Configuration ' +
        '(or of your own key pair, for Magento Open Source notifications)',
    },
    {
      env: 'MAGENTO_API_URL',
      secret: false,
      required: false,
      description: 'REST base URL ending in /rest, e.g. https://shop.example/rest: to read the order of a paid invoice and the records notifications name',
    },
    {
      env: 'MAGENTO_ACCESS_TOKEN',
      secret: true,
      required: false,
      description: 'Access token of an integration (System → Extensions → Integrations) with the Sales resources, sent as a bearer token',
    },
  ],
  createInbound: (env, services) =>
    createMagentoInbound({
      publicKey: env.MAGENTO_WEBHOOK_PUBLIC_KEY ?? '',
      apiUrl: env.MAGENTO_API_URL || undefined,
      accessToken: env.MAGENTO_ACCESS_TOKEN || undefined,
      logger: services.logger,
    }),
} satisfies ConnectorDefinition;
