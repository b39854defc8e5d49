import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';

/**
 * Adobe Commerce signs a webhook with the private half of the key pair generated in the Admin
 * (Stores → Configuration → Adobe Services → Webhooks → Digital Signature Configuration) and sends
 * `x-adobe-commerce-webhook-signature`: base64 of an RSA PKCS #1 v1.5 SHA-256 signature over the
 * **base64 encoding of the JSON body** — not over the body itself (the sources are in
 * tests/fixtures/platform-samples/magento/README.md). It is not an HMAC: the hub holds only the
 * public key (`MAGENTO_WEBHOOK_PUBLIC_KEY`), so the shared hmacVerifier does not apply. An RSA
 * verification compares nothing secret, so there is no timing to protect with timingSafeEqual.
 *
 * Commerce signs no timestamp, so a Commerce delivery cannot be refused as stale; the thin
 * notification of an Open Source store carries `sent_at` inside the signed body (freshness.ts).
 */
export const MAGENTO_SIGNATURE_HEADER = 'x-adobe-commerce-webhook-signature';

/** Standard base64 with padding, as PHP's base64_encode writes it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type PublicKeyReading = { key: KeyObject } | { problem: string };

/**
 * The configured public key, or why it cannot be used. Accepts the PEM as the Admin shows it,
 * with real line breaks or with `\n` escapes (an .env value on one line). Only RSA: Commerce
 * generates RSA key pairs. Never throws, so a bad key cannot stop the hub from starting.
 */
export function readPublicKey(pem: string): PublicKeyReading {
  const text = pem.replace(/\\n/g, '\n').trim();
  if (!text.startsWith('-----BEGIN PUBLIC KEY-----')) {
    return { problem: 'MAGENTO_WEBHOOK_PUBLIC_KEY is not a PEM public key (-----BEGIN PUBLIC KEY-----)' };
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    return { problem: 'MAGENTO_WEBHOOK_PUBLIC_KEY is not a readable PEM public key' };
  }
  if (key.asymmetricKeyType !== 'rsa') return { problem: `MAGENTO_WEBHOOK_PUBLIC_KEY is an ${key.asymmetricKeyType ?? 'unknown'} key; Adobe Commerce signs with RSA` };
  return { key };
}

/**
 * The signature check: refuses a missing or malformed header, a signature of the wrong length
 * and anything the key does not verify. With a key that could not be read, every delivery is
 * refused with that reason.
 */
export function magentoSignatureVerifier(publicKey: PublicKeyReading): (request: InboundRequest) => VerifyResult {
  return (request) => {
    if ('problem' in publicKey) return { ok: false, reason: `${publicKey.problem}: every delivery is refused until it is fixed` };
    const header = request.headers.get(MAGENTO_SIGNATURE_HEADER);
    if (header === null || header.trim() === '') return { ok: false, reason: `missing ${MAGENTO_SIGNATURE_HEADER}` };
    const value = header.trim();
    if (!BASE64.test(value)) return { ok: false, reason: `${MAGENTO_SIGNATURE_HEADER} is not base64` };
    const signature = Buffer.from(value, 'base64');
    const modulusBytes = Math.ceil((publicKey.key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
    if (signature.length !== modulusBytes) {
      return { ok: false, reason: `${MAGENTO_SIGNATURE_HEADER} is ${signature.length} bytes; the configured key signs ${modulusBytes}` };
    }
    const signed = Buffer.from(Buffer.from(request.rawBody).toString('base64'), 'ascii');
    return verifySignature('sha256', signed, publicKey.key, signature)
      ? { ok: true }
      : { ok: false, reason: `${MAGENTO_SIGNATURE_HEADER} does not match the body for MAGENTO_WEBHOOK_PUBLIC_KEY` };
  };
}
