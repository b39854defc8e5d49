import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createPayPalInbound } from './inbound.js';

/**
 * PayPal in: `POST /webhooks/paypal` verifies PayPal's certificate signature
 * (`PAYPAL-TRANSMISSION-SIG` over transmission id, time, our webhook id and the body's CRC-32)
 * offline, and turns completed captures (Payments v2) and sales (v1) into `order.paid`, their
 * refunds and reversals into `order.refunded`. The payer of a capture comes from its checkout
 * order through the Orders API. Merchant setup: docs/connectors/paypal.md.
 */
export default {
  name: 'paypal',
  title: 'PayPal',
  directions: ['inbound'],
  config: [
    {
      env: 'PAYPAL_WEBHOOK_ID',
      secret: false,
      required: true,
      description: 'ID of the webhook pointing at PUBLIC_URL/webhooks/paypal (Developer Dashboard → Apps & Credentials → your app → Webhooks → Webhook ID); PayPal signs it into every delivery',
    },
    {
      env: 'PAYPAL_CLIENT_ID',
      secret: false,
      required: true,
      description: 'Client ID of the same REST app, to look up who paid (GET /v2/checkout/orders/{id}; GET /v1/payments/payment/{id} for a v1 sale)',
    },
    {
      env: 'PAYPAL_CLIENT_SECRET',
      secret: true,
      required: true,
      description: 'Secret of the same REST app (Apps & Credentials → your app → Secret key)',
    },
    {
      env: 'PAYPAL_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override: https://api-m.sandbox.paypal.com for a sandbox app, or a proxy or local stub (default https://api-m.paypal.com)',
    },
  ],
  createInbound: (env, services) =>
    createPayPalInbound({
      webhookId: env.PAYPAL_WEBHOOK_ID?.trim() ?? '',
      clientId: env.PAYPAL_CLIENT_ID?.trim() ?? '',
      clientSecret: env.PAYPAL_CLIENT_SECRET ?? '',
      apiUrl: env.PAYPAL_API_URL || undefined,
      logger: services.logger,
    }),
} satisfies ConnectorDefinition;
