import type { HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

/**
 * `X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256(raw body, app client secret)); Shopify signs no
 * timestamp. Checked by the shared verifier (core/connectors/hmac-signature.ts) rather than
 * `@shopify/shopify-api`'s `webhooks.validate`, which needs a whole `shopifyApi({…})` instance
 * and the exact raw body string for what is one HMAC over bytes we already hold.
 */
export const SHOPIFY_SIGNATURE = { header: 'X-Shopify-Hmac-Sha256', encoding: 'base64' } as const satisfies HmacSignatureScheme;
