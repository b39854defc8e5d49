import type { HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

/**
 * Intuit signs the raw body with HMAC-SHA256 under the app's webhook Verifier Token and sends it
 * base64-encoded in `intuit-signature` (docs/connectors/quickbooks.md). Intuit signs no time, so
 * there is no timestamp to hold against a window: a notification replayed later is a duplicate
 * delivery (same body) and, failing that, names facts whose keys already exist.
 */
export const QUICKBOOKS_SIGNATURE = {
  header: 'intuit-signature',
  encoding: 'base64',
  hint: 'signed with QUICKBOOKS_VERIFIER_TOKEN',
} as const satisfies HmacSignatureScheme;
