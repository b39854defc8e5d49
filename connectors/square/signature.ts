import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';

const SQUARE_SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

/**
 * Square signs `notificationUrl + body` with HMAC-SHA256 under the subscription's signature key
 * and sends it base64-encoded. The URL is part of what is signed, so it must be exactly the one
 * in the subscription (scheme, host, port, path, no trailing slash).
 *
 * Not the SDK's `WebhooksHelper.verifySignature`: in square@46 it compares with `===`, which
 * leaks through timing how much of a forged signature was right; this compares in constant time.
 * Square sends no timestamp header, so there is no tolerance window: replays are stopped by the
 * core's de-duplication on `event_id`.
 */
export function squareSignatureMatches(input: { rawBody: Uint8Array; signature: string; signatureKey: string; notificationUrl: string }): boolean {
  // The raw bytes, not a decoded string: what Square signed is what arrived.
  const expected = createHmac('sha256', input.signatureKey).update(input.notificationUrl, 'utf8').update(input.rawBody).digest('base64');
  const given = Buffer.from(input.signature.trim(), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  // The length of a base64 SHA-256 is public (44): comparing it first leaks nothing.
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function verifySquareSignature(request: InboundRequest, signatureKey: string, notificationUrl: string): VerifyResult {
  const signature = request.headers.get(SQUARE_SIGNATURE_HEADER);
  if (!signature) return { ok: false, reason: `missing ${SQUARE_SIGNATURE_HEADER} header` };
  if (!squareSignatureMatches({ rawBody: request.rawBody, signature, signatureKey, notificationUrl })) {
    return { ok: false, reason: `signature does not match the body signed for ${notificationUrl}` };
  }
  return { ok: true };
}
