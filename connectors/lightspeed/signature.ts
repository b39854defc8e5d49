import type { HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

/**
 * Lightspeed X-Series signs each webhook of an OAuth application with the application's client
 * secret: `X-Signature: signature=<HMAC-SHA256, lower-case hex>,algorithm=HMAC-SHA256`, computed
 * over the request body exactly as sent — the raw `application/x-www-form-urlencoded` bytes, not
 * the decoded `payload` field (docs/connectors/lightspeed.md, "What Lightspeed signs", gives the
 * sources). Lightspeed signs no timestamp, so there is no tolerance to check: a replayed delivery
 * is answered `duplicate` by the body's sha256, and a sale earns once whatever delivered it.
 */
export const LIGHTSPEED_SIGNATURE = {
  header: 'X-Signature',
  encoding: 'hex',
  // The only algorithm Lightspeed names; a header claiming another is refused, not guessed at.
  pairs: { separator: ',', signatureKey: 'signature', required: { algorithm: 'HMAC-SHA256' } },
  hint: 'signed with LIGHTSPEED_CLIENT_SECRET',
} as const satisfies HmacSignatureScheme;
