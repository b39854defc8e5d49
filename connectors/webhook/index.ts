import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createWebhookAdapter } from './adapter.js';
import { createEndpointRouter } from './endpoint-router.js';
import { webhookOptions } from './options.js';

/**
 * Signed outbound webhooks (Standard Webhooks): merchants subscribe their own endpoints through
 * `/v1/webhook-endpoints`; nothing to configure in the environment.
 */
export default {
  name: 'webhook',
  title: 'Signed webhooks',
  directions: ['outbound'],
  config: [],
  adapter: { name: 'webhook', options: webhookOptions },
  createAdapter: (_env, { store, commit, outbound }) => createWebhookAdapter({ store, commit, outbound }),
  createRouter: ({ store, logger }) => createEndpointRouter(store, { logger }),
} satisfies ConnectorDefinition;
