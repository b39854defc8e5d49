import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { getMember } from '../../core/members/members.js';
import { createDynamicsAdapter } from './adapter.js';
import { createDataverseApi, type DataverseConfig } from './api.js';
import { createDynamicsInbound } from './inbound.js';
import { dynamicsOptions } from './options.js';
import { DYNAMICS_KEY_HEADER } from './signature.js';
import { DEFAULT_AUTH_URL } from './token.js';
import { DEFAULT_ACTIVITY_TABLE } from './triggers.js';

function dataverse(env: Record<string, string | undefined>): DataverseConfig {
  return {
    url: env.DYNAMICS_URL ?? '',
    tenantId: env.DYNAMICS_TENANT_ID ?? '',
    clientId: env.DYNAMICS_CLIENT_ID ?? '',
    clientSecret: env.DYNAMICS_CLIENT_SECRET ?? '',
    authUrl: env.DYNAMICS_AUTH_URL || undefined,
    apiUrl: env.DYNAMICS_API_URL || undefined,
  };
}

/**
 * Microsoft Dynamics 365 / Dataverse, both ways. In: a Dataverse webhook (`POST /webhooks/dynamics`,
 * the `X-Loyalty-Hub-Key` header) turns contact Create and Update into `customer.created` /
 * `customer.updated`, and the Create of a loyalty activity row into its named activity. Out: the
 * `dynamics` mapping adapter writes loyalty columns on the member's contact through the Web API
 * (PATCH by alternate key, update-only or upsert), with an application user's client-credentials
 * token. Merchant setup: docs/connectors/dynamics.md.
 */
export default {
  name: 'dynamics',
  title: 'Microsoft Dynamics 365 / Dataverse',
  directions: ['inbound', 'outbound'],
  config: [
    { env: 'DYNAMICS_URL', secret: false, required: true, description: 'The environment URL, e.g. https://contoso.crm.dynamics.com (Power Platform admin center → Environments → your environment → Environment URL)' },
    { env: 'DYNAMICS_TENANT_ID', secret: false, required: true, description: 'Directory (tenant) ID of the Microsoft Entra app registration' },
    { env: 'DYNAMICS_CLIENT_ID', secret: false, required: true, description: 'Application (client) ID of that app registration, added to the environment as an application user' },
    { env: 'DYNAMICS_CLIENT_SECRET', secret: true, required: true, description: 'A client secret of that app registration (Certificates & secrets → Client secrets → Value)' },
    {
      env: 'DYNAMICS_WEBHOOK_KEY',
      secret: true,
      required: true,
      description: `The value of the ${DYNAMICS_KEY_HEADER} header the Dataverse webhook sends (Authentication: HttpHeader); a long random value, e.g. openssl rand -hex 32`,
    },
    { env: 'DYNAMICS_ACTIVITY_TABLE', secret: false, required: false, description: `Logical name of the loyalty activity table whose new rows award activities (default ${DEFAULT_ACTIVITY_TABLE})` },
    { env: 'DYNAMICS_AUTH_URL', secret: false, required: false, description: `Base URL override for the token endpoint (default ${DEFAULT_AUTH_URL}; a proxy or a test stub)` },
    { env: 'DYNAMICS_API_URL', secret: false, required: false, description: 'Base URL override for the Web API calls (default DYNAMICS_URL; a proxy or a test stub)' },
  ],
  createInbound: (env) =>
    createDynamicsInbound({ webhookKey: env.DYNAMICS_WEBHOOK_KEY ?? '', activityTable: env.DYNAMICS_ACTIVITY_TABLE || undefined, api: createDataverseApi(dataverse(env)) }),
  adapter: { name: 'dynamics', options: dynamicsOptions },
  createAdapter: (env, services) =>
    createDynamicsAdapter({
      ...dataverse(env),
      // Read at send time only (building the adapter touches no database).
      aliasesOf: async (memberId) => (await getMember(services.store.db, memberId))?.aliases ?? [],
    }),
} satisfies ConnectorDefinition;
