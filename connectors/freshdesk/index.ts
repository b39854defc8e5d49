import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createFreshdeskAdapter } from './adapter.js';
import { freshdeskOptions } from './options.js';

/** Freshdesk tickets through the REST API v2 (`POST /api/v2/tickets`), API-key auth (docs/connectors/freshdesk.md). */
export default {
  name: 'freshdesk',
  title: 'Freshdesk',
  directions: ['outbound'],
  config: [
    { env: 'FRESHDESK_DOMAIN', secret: false, required: true, description: 'Your Freshdesk domain: "acme" for acme.freshdesk.com' },
    { env: 'FRESHDESK_API_KEY', secret: true, required: true, description: 'API key of the Freshdesk agent the hub acts as (Profile settings → View API key)' },
    {
      env: 'FRESHDESK_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override for a proxy, a sandbox or a local stub (default https://<domain>.freshdesk.com)',
    },
    {
      env: 'FRESHDESK_RATE_LIMIT_PER_MINUTE',
      secret: false,
      required: false,
      description: "Requests per minute the hub may make to Freshdesk (default 50); set your plan's figure, or the hub's share of it",
    },
  ],
  adapter: { name: 'freshdesk', options: freshdeskOptions },
  createAdapter: (env, services) =>
    createFreshdeskAdapter({
      domain: env.FRESHDESK_DOMAIN ?? '',
      apiKey: env.FRESHDESK_API_KEY ?? '',
      apiUrl: env.FRESHDESK_API_URL,
      requestsPerMinute: env.FRESHDESK_RATE_LIMIT_PER_MINUTE,
      services,
    }),
} satisfies ConnectorDefinition;
