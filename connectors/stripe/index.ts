import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createStripeInbound } from './inbound.js';

/**
 * Stripe payments in: `POST /webhooks/stripe` verifies `Stripe-Signature` with the endpoint's
 * signing secret and turns paid Checkout Sessions, PaymentIntents, Charges and invoices into one
 * `order.paid` per purchase, `charge.refunded` into `order.refunded` and new customers into
 * `customer.created`. Merchant setup: docs/connectors/stripe.md.
 */
export default {
  name: 'stripe',
  title: 'Stripe',
  directions: ['inbound'],
  config: [
    {
      env: 'STRIPE_WEBHOOK_SECRET',
      secret: true,
      required: true,
      description: 'Signing secret (whsec_…) of the webhook endpoint pointing at PUBLIC_URL/webhooks/stripe (Dashboard → Developers → Webhooks → the endpoint → Signing secret)',
    },
    {
      env: 'STRIPE_API_KEY',
      secret: true,
      required: false,
      description: 'Secret or restricted key (read access to Customers and Invoices) to look up a customer\'s e-mail and an invoice\'s PaymentIntent when a webhook lacks them',
    },
    {
      env: 'STRIPE_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override for a proxy or a local stub (default https://api.stripe.com; protocol, host and port are used)',
    },
  ],
  createInbound: (env, services) =>
    createStripeInbound({
      webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? '',
      apiKey: env.STRIPE_API_KEY || undefined,
      apiUrl: env.STRIPE_API_URL || undefined,
      logger: services.logger,
    }),
} satisfies ConnectorDefinition;
