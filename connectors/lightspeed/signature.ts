import { hmacVerifier, type HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';

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
  pairs: { separator: ',', signatureKey: 'signature' },
  hint: 'signed with LIGHTSPEED_CLIENT_SECRET',
} as const satisfies HmacSignatureScheme;

/** The only algorithm Lightspeed names; anything else is refused rather than guessed at. */
export const LIGHTSPEED_ALGORITHM = 'HMAC-SHA256';

/**
 * The shared HMAC check, after making sure the header names exactly one `algorithm=`, and that
 * it is HMAC-SHA256: a header claiming another algorithm is not one we can check, so it refuses.
 */
export function lightspeedVerifier(secret: string): (request: InboundRequest) => VerifyResult {
  const hmac = hmacVerifier(LIGHTSPEED_SIGNATURE, secret);
  return (request) => {
    const header = request.headers.get(LIGHTSPEED_SIGNATURE.header);
    if (header !== null && header.trim() !== '') {
      const algorithms = header
        .split(',')
        .map((item) => item.split('='))
        .filter(([key]) => key?.trim() === 'algorithm')
        .map(([, value]) => value?.trim() ?? '');
      if (algorithms.length !== 1) {
        return { ok: false, reason: `X-Signature must name its algorithm once (algorithm=${LIGHTSPEED_ALGORITHM}); it names it ${algorithms.length} times` };
      }
      if (algorithms[0] !== LIGHTSPEED_ALGORITHM) return { ok: false, reason: `X-Signature algorithm is not ${LIGHTSPEED_ALGORITHM}` };
    }
    return hmac(request);
  };
}
