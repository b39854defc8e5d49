import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { parseActivityEvents } from './activity-rules.js';
import { createZohoAdapter } from './adapter.js';
import { zohoApiFor } from './api.js';
import { CHANNEL_EVERY_MS, renewChannel } from './channel.js';
import { createZohoInbound } from './inbound.js';
import { zohoOptions } from './options.js';

/**
 * Zoho CRM, both ways. Out: the `zoho` mapping adapter writes loyalty fields on the member's
 * Contact (upsert by e-mail). In: `POST /webhooks/zoho` takes the qualifying actions a Deluge
 * function posts from a workflow rule, and the record events of Zoho's notification channel that
 * `ZOHO_ACTIVITY_EVENTS` names, as activities; a scheduled job keeps that channel subscribed.
 * Merchant setup: docs/connectors/zoho.md.
 */
export default {
  name: 'zoho',
  title: 'Zoho CRM',
  directions: ['inbound', 'outbound'],
  config: [
    { env: 'ZOHO_CLIENT_ID', secret: false, required: true, description: 'Client ID of the Self Client (api-console.zoho.com) the hub calls Zoho CRM as' },
    { env: 'ZOHO_CLIENT_SECRET', secret: true, required: true, description: 'Client Secret of that Self Client' },
    {
      env: 'ZOHO_REFRESH_TOKEN',
      secret: true,
      required: true,
      description: 'Refresh token of the Self Client, with the scopes ZohoCRM.modules.ALL and ZohoCRM.notifications.ALL',
    },
    {
      env: 'ZOHO_WEBHOOK_TOKEN',
      secret: true,
      required: true,
      description: 'Shared secret of POST /webhooks/zoho: the Deluge function sends it in X-Loyalty-Hub-Token; the notification channel token is derived from it',
    },
    {
      env: 'ZOHO_ACCOUNTS_URL',
      secret: false,
      required: false,
      description: "Zoho Accounts of the account's data centre (default https://accounts.zoho.com; https://accounts.zoho.eu, .in, .com.au, .jp, …)",
    },
    {
      env: 'ZOHO_API_URL',
      secret: false,
      required: false,
      description: "Base URL override for a proxy or a local stub (default: the api_domain Zoho names with each access token, e.g. https://www.zohoapis.eu)",
    },
    {
      env: 'ZOHO_ACTIVITY_EVENTS',
      secret: false,
      required: false,
      description: 'Record events that are qualifying actions, as activity=Module.operation[:Field=Value] entries: deal.won=Deals.edit:Stage=Closed Won,call.logged=Calls.create',
    },
  ],
  createInbound: (env, services) =>
    createZohoInbound({
      webhookToken: env.ZOHO_WEBHOOK_TOKEN?.trim() ?? '',
      rules: parseActivityEvents(env.ZOHO_ACTIVITY_EVENTS),
      api: zohoApiFor(env),
      logger: services.logger,
    }),
  createJobs: (env, services) => {
    const rules = parseActivityEvents(env.ZOHO_ACTIVITY_EVENTS);
    const config = { api: zohoApiFor(env), state: services.state, logger: services.logger, rules, webhookToken: env.ZOHO_WEBHOOK_TOKEN?.trim() ?? '', publicUrl: services.publicUrl };
    return [{ name: 'notification-channel', everyMs: CHANNEL_EVERY_MS, run: (now) => renewChannel(config, now) }];
  },
  adapter: { name: 'zoho', options: zohoOptions },
  createAdapter: (env) => createZohoAdapter(zohoApiFor(env)),
} satisfies ConnectorDefinition;
