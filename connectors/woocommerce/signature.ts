import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';

export const SIGNATURE_HEADER = 'X-WC-Webhook-Signature';

/**
 * `X-WC-Webhook-Signature` is base64(HMAC-SHA256(raw body, the webhook's secret)) — WooCommerce
 * signs no timestamp, so there is no tolerance to check. Compared over the base64 texts, equal
 * length first, then `timingSafeEqual`.
 */
export function verifyWooCommerceSignature(request: InboundRequest, secret: string): VerifyResult {
  const given = request.headers.get(SIGNATURE_HEADER)?.trim();
  if (!given) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const expected = Buffer.from(createHmac('sha256', secret).update(request.rawBody).digest('base64'));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: `${SIGNATURE_HEADER} does not match the body` };
  }
  return { ok: true };
}
