import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createIntercomAdapter } from './adapter.js';
import { intercomOptions } from './options.js';

/**
 * Intercom, outbound: the `intercom` mapping adapter submits data events to the member's Intercom
 * user (for outbound messages that trigger on them) and writes loyalty custom attributes on them.
 * Merchant setup: docs/connectors/intercom.md.
 */
export default {
  name: 'intercom',
  title: 'Intercom',
  directions: ['outbound'],
  config: [
    {
      env: 'INTERCOM_ACCESS_TOKEN',
      secret: true,
      required: true,
      description: 'Access token of your Intercom app (Developer Hub → your app → Configure → Authentication): submits events, finds and updates users, creates the loyalty data attributes',
    },
    {
      env: 'INTERCOM_API_URL',
      secret: false,
      required: false,
      description: 'Intercom API host of your workspace: https://api.eu.intercom.io (Europe) or https://api.au.intercom.io (Australia); also a proxy or a local stub (default https://api.intercom.io)',
    },
  ],
  adapter: { name: 'intercom', options: intercomOptions },
  createAdapter: (env) => createIntercomAdapter({ accessToken: env.INTERCOM_ACCESS_TOKEN ?? '', apiUrl: env.INTERCOM_API_URL || undefined }),
} satisfies ConnectorDefinition;
