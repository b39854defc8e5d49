import type { HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

export const TIMESTAMP_HEADER = 'X-Loyalty-Hub-Timestamp';
export const ACCOUNT_HEADER = 'X-NetSuite-Account';
export const SIGNATURE_HEADER = 'X-Loyalty-Hub-Signature';

/**
 * NetSuite signs no webhooks of its own: the hub's user-event script
 * (suitescript/loyalty_hub_ue.js) signs what it posts with N/crypto's HMAC-SHA256 under an API
 * Secret holding NETSUITE_WEBHOOK_SECRET: `sha256=<hex>` of `<timestamp>.<account>.<body>`, the
 * timestamp in unix seconds, five minutes either way. The account is signed so that a delivery
 * from another account (a sandbox refreshed from production keeps the script and its secret) can
 * be told apart and refused (account.ts). Checked by the shared verifier
 * (core/connectors/hmac-signature.ts; docs/connectors/netsuite.md).
 */
export const NETSUITE_SIGNATURE = {
  header: SIGNATURE_HEADER,
  encoding: 'hex',
  prefix: 'sha256=',
  signed: ['timestamp', { literal: '.' }, { header: ACCOUNT_HEADER }, { literal: '.' }, 'body'],
  timestamp: { header: TIMESTAMP_HEADER, unit: 's', toleranceSeconds: 300 },
  hint: 'signed with NETSUITE_WEBHOOK_SECRET (the API Secret the script signs with)',
} as const satisfies HmacSignatureScheme;
