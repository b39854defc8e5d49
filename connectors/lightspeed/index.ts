import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { normalizeCurrency } from '../../core/triggers/money.js';
import { createLightspeedInbound } from './inbound.js';

/**
 * Lightspeed Retail (X-Series), formerly Vend: `POST /webhooks/lightspeed` verifies `X-Signature`
 * (HMAC-SHA256 of the raw form body with the app's client secret) and turns `sale.update` into
 * `order.paid` for a closed sale at the point of sale (its outlet as location), `order.refunded`
 * for a return of it, `order.cancelled` for a voided one. Customer and outlet look-ups go through
 * API 2.0 with LIGHTSPEED_ACCESS_TOKEN. Merchant setup: docs/connectors/lightspeed.md.
 */
export default {
  name: 'lightspeed',
  title: 'Lightspeed Retail (X-Series)',
  directions: ['inbound'],
  config: [
    {
      env: 'LIGHTSPEED_CLIENT_SECRET',
      secret: true,
      required: true,
      description: 'Client secret of your Lightspeed X-Series app (developer portal → Applications → your app): Lightspeed signs the app\'s webhooks with it',
    },
    {
      env: 'LIGHTSPEED_DOMAIN_PREFIX',
      secret: false,
      required: true,
      description: 'Your store\'s domain prefix, the <prefix> of https://<prefix>.retail.lightspeed.app: API look-ups go there, and deliveries from another store are ignored',
    },
    {
      env: 'LIGHTSPEED_ACCESS_TOKEN',
      secret: true,
      required: false,
      description: 'Access token of the app for your store (scopes to read customers and outlets, docs/connectors/lightspeed.md): looks up the e-mail of a sale\'s customer and the currency of its outlet',
    },
    {
      env: 'LIGHTSPEED_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override of API 2.0, for a proxy or a local stub (default https://<prefix>.retail.lightspeed.app/api/2.0)',
    },
    {
      env: 'LIGHTSPEED_CURRENCY',
      secret: false,
      required: false,
      description: 'ISO 4217 currency of your store\'s sales (e.g. NZD); without it, read from the sale\'s outlet with LIGHTSPEED_ACCESS_TOKEN',
    },
  ],
  createInbound: (env, services) =>
    createLightspeedInbound({
      clientSecret: env.LIGHTSPEED_CLIENT_SECRET ?? '',
      domainPrefix: (env.LIGHTSPEED_DOMAIN_PREFIX ?? '').trim(),
      accessToken: env.LIGHTSPEED_ACCESS_TOKEN?.trim() || undefined,
      apiUrl: env.LIGHTSPEED_API_URL?.trim() || undefined,
      currency: env.LIGHTSPEED_CURRENCY?.trim() ? normalizeCurrency(env.LIGHTSPEED_CURRENCY) : undefined,
      logger: services.logger,
    }),
} satisfies ConnectorDefinition;
