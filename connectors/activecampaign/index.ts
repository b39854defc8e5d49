import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createActiveCampaignAdapter } from './adapter.js';
import { activeCampaignOptions } from './options.js';

/**
 * ActiveCampaign, outbound: the `activecampaign` mapping adapter syncs a member's contact with the
 * loyalty custom fields (points, tier, points expiring) and adds or removes tags when thresholds
 * are crossed or the tier changes. Merchant setup: docs/connectors/activecampaign.md.
 */
export default {
  name: 'activecampaign',
  title: 'ActiveCampaign',
  directions: ['outbound'],
  config: [
    {
      env: 'ACTIVECAMPAIGN_API_URL',
      secret: false,
      required: true,
      description: "The account's API URL from Settings → Developer, e.g. https://youraccount.api-us1.com (also where tests and proxies point it)",
    },
    {
      env: 'ACTIVECAMPAIGN_API_KEY',
      secret: true,
      required: true,
      description: 'The API key from Settings → Developer (each user has their own): sent as the Api-Token header',
    },
  ],
  adapter: { name: 'activecampaign', options: activeCampaignOptions },
  createAdapter: (env) => createActiveCampaignAdapter({ apiUrl: env.ACTIVECAMPAIGN_API_URL ?? '', apiKey: env.ACTIVECAMPAIGN_API_KEY ?? '' }),
} satisfies ConnectorDefinition;
