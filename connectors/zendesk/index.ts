import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createZendeskAdapter } from './adapter.js';
import { zendeskOptions } from './options.js';

/** Zendesk Support tickets through the REST API (`POST /api/v2/tickets.json`), API-token auth. */
export default {
  name: 'zendesk',
  title: 'Zendesk',
  directions: ['outbound'],
  config: [
    { env: 'ZENDESK_SUBDOMAIN', secret: false, required: true, description: 'Your Zendesk subdomain: "acme" for acme.zendesk.com' },
    { env: 'ZENDESK_EMAIL', secret: false, required: true, description: 'E-mail address of the Zendesk agent the API token acts as' },
    { env: 'ZENDESK_API_TOKEN', secret: true, required: true, description: 'Zendesk API token (Admin Center → Apps and integrations → Zendesk API)' },
    {
      env: 'ZENDESK_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override for a proxy, a sandbox or a local stub (default https://<subdomain>.zendesk.com)',
    },
  ],
  adapter: { name: 'zendesk', options: zendeskOptions },
  createAdapter: (env) =>
    createZendeskAdapter({
      subdomain: env.ZENDESK_SUBDOMAIN ?? '',
      email: env.ZENDESK_EMAIL ?? '',
      apiToken: env.ZENDESK_API_TOKEN ?? '',
      apiUrl: env.ZENDESK_API_URL,
    }),
} satisfies ConnectorDefinition;
