import type { HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

/**
 * `X-WC-Webhook-Signature` is base64(HMAC-SHA256(raw body, the webhook's secret)); WooCommerce
 * signs no timestamp. Checked by the shared verifier (core/connectors/hmac-signature.ts).
 */
export const WOOCOMMERCE_SIGNATURE = { header: 'X-WC-Webhook-Signature', encoding: 'base64' } as const satisfies HmacSignatureScheme;
