import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createKlaviyoAdapter } from './adapter.js';
import { klaviyoOptions } from './options.js';

/**
 * Klaviyo, outbound: the `klaviyo` mapping adapter records loyalty events as Klaviyo metric
 * events (for flows such as "e-mail upon point changes") and keeps the member's loyalty
 * properties on their Klaviyo profile. Merchant setup: docs/connectors/klaviyo.md.
 */
export default {
  name: 'klaviyo',
  title: 'Klaviyo',
  directions: ['outbound'],
  config: [
    {
      env: 'KLAVIYO_API_KEY',
      secret: true,
      required: true,
      description: 'Private API key (pk_…) with the scopes events:write and profiles:write (Klaviyo → Settings → API keys)',
    },
    {
      env: 'KLAVIYO_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override for a proxy or a local stub (default https://a.klaviyo.com)',
    },
  ],
  adapter: { name: 'klaviyo', options: klaviyoOptions },
  createAdapter: (env) => createKlaviyoAdapter({ apiKey: env.KLAVIYO_API_KEY?.trim() ?? '', apiUrl: env.KLAVIYO_API_URL || undefined }),
} satisfies ConnectorDefinition;
