import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createMailchimpAdapter } from './adapter.js';
import { createMailchimpApi } from './api.js';
import { mailchimpBaseUrl } from './api-url.js';
import { mailchimpOptions } from './options.js';

/**
 * Mailchimp (Marketing API v3), outbound: the `mailchimp` mapping adapter writes the member's
 * loyalty fields (POINTS, TIER, …) on their audience contact and records member events that start
 * Mailchimp Customer Journeys. Merchant setup: docs/connectors/mailchimp.md.
 */
export default {
  name: 'mailchimp',
  title: 'Mailchimp',
  directions: ['outbound'],
  config: [
    {
      env: 'MAILCHIMP_API_KEY',
      secret: true,
      required: true,
      description: 'Mailchimp API key (Profile → Extras → API keys), e.g. "0123…cdef-us6": the suffix names the data centre the hub calls',
    },
    {
      env: 'MAILCHIMP_LIST_ID',
      secret: false,
      required: true,
      description: 'The audience ID (Audience → Settings → Audience name and defaults), e.g. "a1b2c3d4e5"',
    },
    {
      env: 'MAILCHIMP_API_URL',
      secret: false,
      required: false,
      description: 'Base URL override for a proxy or a local stub, including /3.0 (default https://<data centre>.api.mailchimp.com/3.0)',
    },
  ],
  adapter: { name: 'mailchimp', options: mailchimpOptions },
  createAdapter(env) {
    const apiKey = env.MAILCHIMP_API_KEY?.trim() ?? '';
    const listId = env.MAILCHIMP_LIST_ID?.trim() ?? '';
    const missing = [!apiKey && 'MAILCHIMP_API_KEY', !listId && 'MAILCHIMP_LIST_ID'].filter(Boolean);
    if (missing.length) throw new Error(`mailchimp: set ${missing.join(', ')}`);
    const base = mailchimpBaseUrl(apiKey, env.MAILCHIMP_API_URL);
    if ('error' in base) throw new Error(base.error);
    return createMailchimpAdapter(createMailchimpApi({ baseUrl: base.url, apiKey, listId }));
  },
} satisfies ConnectorDefinition;
