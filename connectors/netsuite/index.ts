import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createNetSuiteInbound } from './inbound.js';

/**
 * Oracle NetSuite inbound: NetSuite has no signed webhooks, so the merchant deploys the hub's
 * user-event script (suitescript/loyalty_hub_ue.js), which posts cash sales, paid invoices,
 * credit memos and cash refunds to `/webhooks/netsuite`, signed under an API Secret.
 * Merchant setup: docs/connectors/netsuite.md.
 */
export default {
  name: 'netsuite',
  title: 'Oracle NetSuite',
  directions: ['inbound'],
  config: [
    {
      env: 'NETSUITE_WEBHOOK_SECRET',
      secret: true,
      required: true,
      description: 'The value of the API Secret the Loyalty Hub script signs with (Setup → Company → API Secrets, ID custsecret_loyalty_hub)',
    },
    {
      env: 'NETSUITE_ACCOUNT_ID',
      secret: false,
      required: true,
      description: 'The NetSuite account whose deliveries are accepted, e.g. 1234567 or 1234567_SB1 for a sandbox (Setup → Company → Company Information → Account ID)',
    },
  ],
  createInbound: (env) => createNetSuiteInbound({ secret: env.NETSUITE_WEBHOOK_SECRET ?? '', accountId: env.NETSUITE_ACCOUNT_ID }),
} satisfies ConnectorDefinition;
