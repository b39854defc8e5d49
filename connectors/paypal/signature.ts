import { verify as verifySignature } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';
import type { PayPalCertificates } from './certificates.js';

/**
 * PayPal's webhook signature (docs/connectors/paypal.md, "How deliveries are verified"). PayPal
 * signs, with the private key of a certificate it publishes, the text
 *
 *     <PAYPAL-TRANSMISSION-ID>|<PAYPAL-TRANSMISSION-TIME>|<webhook id>|<CRC-32 of the raw body, unsigned decimal>
 *
 * and sends the signature base64-encoded in `PAYPAL-TRANSMISSION-SIG`, the algorithm in
 * `PAYPAL-AUTH-ALGO` and where the certificate is in `PAYPAL-CERT-URL`. The webhook id is ours
 * (PAYPAL_WEBHOOK_ID), never read from the request: a delivery signed for another merchant's
 * webhook does not verify here.
 *
 * This is a public-key signature, not an HMAC: there is no secret to compare, so
 * `timingSafeEqual` has no place; `crypto.verify` decides.
 */
export const PAYPAL_SIGNATURE = {
  transmissionId: 'paypal-transmission-id',
  transmissionTime: 'paypal-transmission-time',
  signature: 'paypal-transmission-sig',
  algorithm: 'paypal-auth-algo',
  certificateUrl: 'paypal-cert-url',
  /** PAYPAL-AUTH-ALGO → the digest Node verifies with; any other algorithm is refused. */
  algorithms: { SHA256withRSA: 'sha256' } as Record<string, string>,
  /** PayPal sends the transmission time of each attempt (a retry is a new transmission). */
  toleranceSeconds: 300,
  /** PayPal's limits on the headers (verify-webhook-signature request schema). */
  maxTransmissionId: 50,
  maxSignature: 1024,
} as const;

export interface PayPalVerifierOptions {
  /** PAYPAL_WEBHOOK_ID: the id of the webhook pointing at /webhooks/paypal. */
  webhookId: string;
  certificates: PayPalCertificates;
  /** For the transmission-time tolerance and certificate validity; Date.now by default. */
  clock?: () => number;
}

/** RFC 3339 with a time zone, as PayPal writes it (`2024-08-02T19:35:04Z`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function payPalVerifier(options: PayPalVerifierOptions) {
  const clock = options.clock ?? Date.now;
  return async (request: InboundRequest): Promise<VerifyResult> => {
    if (!options.webhookId) return { ok: false, reason: 'PAYPAL_WEBHOOK_ID is not set' };
    const header = (name: string) => request.headers.get(name)?.trim() || undefined;
    const transmissionId = header(PAYPAL_SIGNATURE.transmissionId);
    const transmissionTime = header(PAYPAL_SIGNATURE.transmissionTime);
    const signature = header(PAYPAL_SIGNATURE.signature);
    const algorithm = header(PAYPAL_SIGNATURE.algorithm);
    const certificateUrl = header(PAYPAL_SIGNATURE.certificateUrl);
    const missing = [
      [transmissionId, 'PAYPAL-TRANSMISSION-ID'],
      [transmissionTime, 'PAYPAL-TRANSMISSION-TIME'],
      [signature, 'PAYPAL-TRANSMISSION-SIG'],
      [algorithm, 'PAYPAL-AUTH-ALGO'],
      [certificateUrl, 'PAYPAL-CERT-URL'],
    ].filter(([value]) => value === undefined);
    if (missing.length > 0) return { ok: false, reason: `missing ${missing.map(([, name]) => name).join(', ')}` };

    // A pipe inside the id would let one signed text be read as another.
    if (transmissionId!.length > PAYPAL_SIGNATURE.maxTransmissionId || !/^[\w-]+$/.test(transmissionId!)) {
      return { ok: false, reason: 'PAYPAL-TRANSMISSION-ID is malformed' };
    }
    const digest = PAYPAL_SIGNATURE.algorithms[algorithm!];
    if (!digest || !Object.hasOwn(PAYPAL_SIGNATURE.algorithms, algorithm!)) {
      return { ok: false, reason: `PAYPAL-AUTH-ALGO ${JSON.stringify(algorithm!.slice(0, 40))} is not an algorithm the hub accepts (SHA256withRSA)` };
    }
    if (signature!.length > PAYPAL_SIGNATURE.maxSignature || !BASE64.test(signature!)) {
      return { ok: false, reason: 'PAYPAL-TRANSMISSION-SIG is not base64' };
    }
    const now = clock();
    const sentAt = RFC3339.test(transmissionTime!) ? Date.parse(transmissionTime!) : Number.NaN;
    if (Number.isNaN(sentAt)) return { ok: false, reason: 'PAYPAL-TRANSMISSION-TIME is not an RFC 3339 time' };
    const age = now - sentAt;
    if (Math.abs(age) > PAYPAL_SIGNATURE.toleranceSeconds * 1000) {
      return {
        ok: false,
        reason: `PAYPAL-TRANSMISSION-TIME is ${Math.round(Math.abs(age) / 1000)} s ${age > 0 ? 'old' : 'in the future'} (at most ${PAYPAL_SIGNATURE.toleranceSeconds} s either way)`,
      };
    }

    const certificate = await options.certificates.certificate(certificateUrl!, now);
    if (!certificate.ok) return certificate;

    const signed = `${transmissionId}|${transmissionTime}|${options.webhookId}|${crc32(request.rawBody)}`;
    const valid = verifySignature(digest, Buffer.from(signed, 'utf8'), certificate.publicKey, Buffer.from(signature!, 'base64'));
    return valid
      ? { ok: true }
      : { ok: false, reason: 'PAYPAL-TRANSMISSION-SIG does not match the delivery signed for PAYPAL_WEBHOOK_ID' };
  };
}
