import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createSalesforceAdapter } from './adapter.js';
import { createSalesforceInbound } from './inbound.js';
import { DEFAULT_LOGIN_URL } from './session.js';
import { DEFAULT_ACTIVITY_FIELD } from './triggers.js';
import { salesforceOptions } from './options.js';

/**
 * Salesforce, both ways. In: `POST /webhooks/salesforce` takes Outbound Messages (SOAP, from a
 * Flow; the secret in the URL and the org's id authenticate them; answered with the SOAP Ack) and
 * JSON callouts (Flow HTTP Callout or Apex, `Authorization: Bearer <secret>`), and turns Contacts
 * and Leads into `customer.created` / `customer.updated` and named activities. Out: the
 * `salesforce` mapping adapter updates the member's Contact or Lead (points, tier, any field)
 * with jsforce, optionally recording each change as a `Loyalty_Transaction__c`.
 *
 * The hub enables a connector as a whole: both directions need all four required variables
 * (an inbound-only or outbound-only setup sets the other two too; see docs/connectors/salesforce.md).
 * Merchant setup: docs/connectors/salesforce.md.
 */
export default {
  name: 'salesforce',
  title: 'Salesforce',
  directions: ['inbound', 'outbound'],
  config: [
    {
      env: 'SALESFORCE_INBOUND_SECRET',
      secret: true,
      required: true,
      description:
        'Shared secret of inbound calls: the ?secret= of the Outbound Message endpoint URL, and the Authorization: Bearer of JSON callouts (a long random value, e.g. openssl rand -hex 32)',
    },
    {
      env: 'SALESFORCE_ORGANIZATION_ID',
      secret: false,
      required: true,
      description: 'The org whose Outbound Messages are accepted (Setup → Company Information → Salesforce.com Organization ID, 00D…; 15 or 18 characters)',
    },
    {
      env: 'SALESFORCE_USERNAME',
      secret: false,
      required: true,
      description: 'Username of the integration user the outbound adapter logs in as (API Enabled, edit access to the loyalty fields)',
    },
    {
      env: 'SALESFORCE_PASSWORD',
      secret: true,
      required: true,
      description: "That user's password followed by its security token (unless the hub's IP address is trusted in the org)",
    },
    {
      env: 'SALESFORCE_LOGIN_URL',
      secret: false,
      required: false,
      description: `Login endpoint: ${DEFAULT_LOGIN_URL} (the default), https://test.salesforce.com for a sandbox, or the org's My Domain URL`,
    },
    {
      env: 'SALESFORCE_INSTANCE_URL',
      secret: false,
      required: false,
      description: 'Base URL override for the REST calls (a proxy, a local stub); by default the instance the login names',
    },
    {
      env: 'SALESFORCE_ACTIVITY_FIELD',
      secret: false,
      required: false,
      description: `The Contact/Lead field whose value, in an Outbound Message, names an activity to award (default ${DEFAULT_ACTIVITY_FIELD})`,
    },
  ],
  createInbound: (env) =>
    createSalesforceInbound({
      secret: env.SALESFORCE_INBOUND_SECRET ?? '',
      organizationId: env.SALESFORCE_ORGANIZATION_ID ?? '',
      activityField: env.SALESFORCE_ACTIVITY_FIELD || undefined,
    }),
  adapter: { name: 'salesforce', options: salesforceOptions },
  createAdapter: (env, services) =>
    createSalesforceAdapter({
      loginUrl: env.SALESFORCE_LOGIN_URL || undefined,
      username: env.SALESFORCE_USERNAME ?? '',
      password: env.SALESFORCE_PASSWORD ?? '',
      instanceUrl: env.SALESFORCE_INSTANCE_URL || undefined,
      store: services.store,
    }),
} satisfies ConnectorDefinition;
