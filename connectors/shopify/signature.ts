import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';

export const HMAC_HEADER = 'X-Shopify-Hmac-Sha256';

/**
 * `X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256(raw body, app client secret)).
 *
 * Checked with node:crypto rather than `@shopify/shopify-api`'s `webhooks.validate`: that helper
 * needs a `shopifyApi({ apiKey, apiSecretKey, hostName, … })` instance (configuration this
 * inbound-only connector does not otherwise need), insists on the Topic/Shop-Domain/API-Version/
 * Webhook-Id headers being present, and only works when handed the exact raw body string — the
 * whole check is one HMAC over bytes we already hold, so doing it here has fewer ways to go wrong.
 *
 * The comparison is over the base64 texts, equal length first, then `timingSafeEqual`, so neither
 * a wrong signature's content nor its length leaks through timing beyond "wrong length".
 */
export function verifyShopifySignature(request: InboundRequest, secret: string): VerifyResult {
  const given = request.headers.get(HMAC_HEADER)?.trim();
  if (!given) return { ok: false, reason: `missing ${HMAC_HEADER} header` };
  const expected = Buffer.from(createHmac('sha256', secret).update(request.rawBody).digest('base64'));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: `${HMAC_HEADER} does not match the body` };
  }
  return { ok: true };
}
