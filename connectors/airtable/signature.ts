/**
 * Airtable's ping signature (docs/connectors/airtable.md, "How a ping is checked"): the header
 * `X-Airtable-Content-MAC: hmac-sha256=<hex>`, an HMAC-SHA256 of the raw body keyed with the
 * *decoded* bytes of the webhook's `macSecretBase64` — the shared check, declared as data.
 */
import { base64Key, type HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

export const AIRTABLE_SIGNATURE: HmacSignatureScheme = {
  header: 'X-Airtable-Content-MAC',
  encoding: 'hex',
  prefix: 'hmac-sha256=',
  secretEncoding: 'base64',
  hint: '(signed with AIRTABLE_WEBHOOK_MAC_SECRET)',
};

/** Whether `AIRTABLE_WEBHOOK_MAC_SECRET` (the create answer's `macSecretBase64`) can key anything: said at start. */
export function macSecretUsable(secretBase64: string | undefined): boolean {
  return base64Key(secretBase64 ?? '') !== undefined;
}
