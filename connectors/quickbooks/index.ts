import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createQuickBooksApi } from './api.js';
import { createQuickBooksInbound } from './inbound.js';
import { createAccessTokens, INTUIT_TOKEN_URL } from './oauth.js';
import { createRefreshTokenStore } from './token-store.js';

/**
 * QuickBooks Online in: `POST /webhooks/quickbooks` verifies `intuit-signature` (base64
 * HMAC-SHA256 of the body under the app's Verifier Token), reads the thin notification (legacy
 * or CloudEvents), fetches each entity it names through the Accounting API with OAuth 2.0, and
 * turns paid invoices and sales receipts into `order.paid`, linked refund receipts and credit
 * memos into `order.refunded`, voided or deleted sales into `order.cancelled`.
 * One hub serves one QuickBooks company: the one QUICKBOOKS_REFRESH_TOKEN was issued for.
 * Merchant setup: docs/connectors/quickbooks.md.
 */
export default {
  name: 'quickbooks',
  title: 'QuickBooks Online',
  directions: ['inbound'],
  config: [
    {
      env: 'QUICKBOOKS_VERIFIER_TOKEN',
      secret: true,
      required: true,
      description: 'Verifier Token of the app\'s webhooks (developer.intuit.com → your app → Webhooks → Show token)',
    },
    { env: 'QUICKBOOKS_CLIENT_ID', secret: false, required: true, description: 'Client ID of the app (developer.intuit.com → your app → Keys and credentials)' },
    { env: 'QUICKBOOKS_CLIENT_SECRET', secret: true, required: true, description: 'Client Secret of the app; also encrypts the stored refresh token' },
    {
      env: 'QUICKBOOKS_REFRESH_TOKEN',
      secret: true,
      required: true,
      description: 'OAuth refresh token of the company (scope com.intuit.quickbooks.accounting); used until Intuit rotates it, then the hub keeps the newest',
    },
    {
      env: 'QUICKBOOKS_API_URL',
      secret: false,
      required: false,
      description: 'Accounting API base URL: https://sandbox-quickbooks.api.intuit.com for a sandbox company (default https://quickbooks.api.intuit.com); a proxy or stub serves the token endpoint too',
    },
  ],
  createInbound: (env, services) => {
    const logger = services.logger;
    const clientSecret = env.QUICKBOOKS_CLIENT_SECRET ?? '';
    const refreshTokens = createRefreshTokenStore({ state: services.state, configured: env.QUICKBOOKS_REFRESH_TOKEN ?? '', clientSecret, logger });
    const tokens = createAccessTokens({ clientId: env.QUICKBOOKS_CLIENT_ID ?? '', clientSecret, refreshTokens, tokenUrl: tokenUrl(env.QUICKBOOKS_API_URL), logger });
    const api = createQuickBooksApi({ apiUrl: env.QUICKBOOKS_API_URL || undefined, tokens, logger });
    return createQuickBooksInbound({ verifierToken: env.QUICKBOOKS_VERIFIER_TOKEN ?? '', api, logger });
  },
} satisfies ConnectorDefinition;

/**
 * Intuit's token endpoint lives on its own host, whatever the API's (sandbox included). A
 * QUICKBOOKS_API_URL outside intuit.com is a proxy or a local stub, which serves both.
 */
export function tokenUrl(apiUrl: string | undefined): string {
  if (!apiUrl) return INTUIT_TOKEN_URL;
  const url = new URL(apiUrl);
  return url.hostname === 'intuit.com' || url.hostname.endsWith('.intuit.com') ? INTUIT_TOKEN_URL : `${apiUrl.replace(/\/+$/, '')}/oauth2/v1/tokens/bearer`;
}

