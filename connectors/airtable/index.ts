import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { createAirtableAdapter } from './adapter.js';
import { airtableApi } from './api.js';
import { payloadCursor } from './cursor.js';
import { createAirtableInbound } from './inbound.js';
import { airtableOptions } from './options.js';
import { purchaseColumns } from './order-paid.js';
import { macSecretUsable } from './signature.js';
import { refreshWebhookJob } from './webhook-refresh.js';

/**
 * Airtable, both ways. Out: the `airtable` mapping adapter creates or updates a record per
 * delivery (upsert on the mapping's merge fields). In: `POST /webhooks/airtable` receives the
 * webhook's pings, reads the payloads from the stored cursor, and a new row of the purchases
 * table earns as `order.paid`; a daily job refreshes the webhook before its 7-day expiry.
 * Merchant setup: docs/connectors/airtable.md.
 *
 * The connector is enabled by the token and the base. Pings are refused (401) until
 * AIRTABLE_WEBHOOK_MAC_SECRET is set; payloads are read and the webhook refreshed once
 * AIRTABLE_WEBHOOK_ID is set; rows earn once the purchases table and its columns are named.
 */
export default {
  name: 'airtable',
  title: 'Airtable',
  directions: ['inbound', 'outbound'],
  config: [
    {
      env: 'AIRTABLE_TOKEN',
      secret: true,
      required: true,
      description: 'Personal access token (pat…) with data.records:read, data.records:write and webhook:manage on the base',
    },
    { env: 'AIRTABLE_BASE_ID', secret: false, required: true, description: 'The base (appXXXXXXXXXXXXXX) the hub writes to and watches' },
    {
      env: 'AIRTABLE_WEBHOOK_MAC_SECRET',
      secret: true,
      required: false,
      requiredFor: 'inbound',
      description: 'The webhook\'s macSecretBase64, as the create-webhook answer gave it: the key of the pings\' X-Airtable-Content-MAC. Without it the hub still writes to the base, and its webhook answers 404 naming this variable',
    },
    { env: 'AIRTABLE_WEBHOOK_ID', secret: false, required: false, description: 'The webhook (achXXXXXXXXXXXXXX) whose payloads are read and which the hub refreshes daily' },
    { env: 'AIRTABLE_PURCHASES_TABLE', secret: false, required: false, description: 'The table (tblXXXXXXXXXXXXXX) whose new rows are purchases that earn points' },
    { env: 'AIRTABLE_ORDER_ID_FIELD', secret: false, required: false, description: 'Field id (fld…) of the purchase\'s order id: a purchase earns once per order id' },
    { env: 'AIRTABLE_AMOUNT_FIELD', secret: false, required: false, description: 'Field id (fld…) of the amount points are earned on (number, currency or text like 49.90)' },
    { env: 'AIRTABLE_CURRENCY_FIELD', secret: false, required: false, description: 'Field id (fld…) of the ISO 4217 currency code; or set AIRTABLE_CURRENCY' },
    { env: 'AIRTABLE_CURRENCY', secret: false, required: false, description: 'One ISO 4217 currency for every purchase row (EUR), when the table has no currency column' },
    { env: 'AIRTABLE_EMAIL_FIELD', secret: false, required: false, description: 'Field id (fld…) of the customer\'s e-mail address' },
    { env: 'AIRTABLE_CUSTOMER_ID_FIELD', secret: false, required: false, description: 'Field id (fld…) of a customer id of yours: with it, a purchase enrolls its customer' },
    { env: 'AIRTABLE_API_URL', secret: false, required: false, description: 'Base URL override for a proxy or a local stub (default https://api.airtable.com)' },
  ],
  adapter: { name: 'airtable', options: airtableOptions },
  createAdapter: (env) => createAirtableAdapter(airtableApi(env)),
  createInbound: (env, services) => {
    if (!macSecretUsable(env.AIRTABLE_WEBHOOK_MAC_SECRET)) services.logger.warn('airtable: AIRTABLE_WEBHOOK_MAC_SECRET is not set (or not base64): every ping is refused');
    const webhookId = env.AIRTABLE_WEBHOOK_ID?.trim() || undefined;
    if (!webhookId) services.logger.warn('airtable: AIRTABLE_WEBHOOK_ID is not set: pings are acknowledged but no payload is read');
    return createAirtableInbound({
      api: airtableApi(env),
      macSecret: env.AIRTABLE_WEBHOOK_MAC_SECRET?.trim() ?? '',
      webhookId,
      purchases: purchaseColumns(env),
      cursor: payloadCursor(services.state, services.logger),
      logger: services.logger,
    });
  },
  createJobs: (env, services) => {
    const webhookId = env.AIRTABLE_WEBHOOK_ID?.trim();
    return webhookId ? [refreshWebhookJob(airtableApi(env), webhookId, services.logger)] : [];
  },
} satisfies ConnectorDefinition;
