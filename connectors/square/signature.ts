import type { HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

/**
 * Square signs `notificationUrl + body` with HMAC-SHA256 under the subscription's signature key
 * and sends it base64-encoded in `x-square-hmacsha256-signature`. The URL is part of what is
 * signed, so it must be exactly the one in the subscription (scheme, host, port, path, no
 * trailing slash). Checked by the shared verifier (core/connectors/hmac-signature.ts), not the
 * SDK's `WebhooksHelper.verifySignature`: in square@46 it compares with `===`, which leaks through
 * timing how much of a forged signature was right.
 */
export function squareSignature(notificationUrl: string): HmacSignatureScheme {
  return { header: 'x-square-hmacsha256-signature', encoding: 'base64', signed: [{ literal: notificationUrl }, 'body'], hint: `signed for ${notificationUrl}` };
}
