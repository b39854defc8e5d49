import { X509Certificate, type KeyObject } from 'node:crypto';

/**
 * The certificates PayPal signs webhooks with, fetched from the `PAYPAL-CERT-URL` of a delivery
 * (docs/connectors/paypal.md, "How deliveries are verified").
 *
 * What makes a certificate trusted here:
 * - it is fetched only over HTTPS, only from PayPal's own API hosts (an exact list, no suffix
 *   match, no port, no credentials, no query) and only under `/v1/notifications/certs/`: TLS to
 *   api.paypal.com is what authenticates it, so a delivery cannot point us at a certificate of
 *   its own;
 * - it is issued to `messageverificationcerts.paypal.com` (or its sandbox name), the subject
 *   PayPal's own SDKs require;
 * - it is within its validity dates at the moment of each verification (checked on every use,
 *   not only when fetched: a cached certificate can expire).
 * Not checked: the chain to a certificate authority (PayPal serves the leaf alone, and Node has
 * no intermediate store to complete it) and revocation. Those are what TLS to PayPal's host
 * stands in for.
 *
 * Certificates are cached by URL (PayPal reuses one for months); concurrent deliveries naming
 * the same URL share one fetch. A failed fetch is not cached, so PayPal's retry fetches again.
 */
export const PAYPAL_CERTIFICATE_HOSTS: readonly string[] = ['api.paypal.com', 'api-m.paypal.com', 'api.sandbox.paypal.com', 'api-m.sandbox.paypal.com'];
export const PAYPAL_CERTIFICATE_PATH = '/v1/notifications/certs/';
export const PAYPAL_CERTIFICATE_SUBJECTS: readonly string[] = ['messageverificationcerts.paypal.com', 'messageverificationcerts.sandbox.paypal.com'];

/** The core allows a signature check 5 s (core/inbound/verify-closed.ts); the fetch gets less. */
const FETCH_TIMEOUT_MS = 3000;
/** A PEM certificate, or a short chain, is a few KiB. */
const MAX_CERTIFICATE_BYTES = 64 * 1024;
/** PayPal rotates certificates rarely; a bound keeps a stream of distinct URLs from growing memory. */
const MAX_CACHED = 16;

export type CertificateResult = { ok: true; publicKey: KeyObject } | { ok: false; reason: string; unavailable?: true };

export interface PayPalCertificates {
  certificate(url: string, now: number): Promise<CertificateResult>;
}

interface Checked {
  publicKey: KeyObject;
  validFrom: number;
  validTo: number;
}

export function createPayPalCertificates(options: { fetch?: typeof fetch } = {}): PayPalCertificates {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const cache = new Map<string, Promise<Checked>>();

  return {
    async certificate(url, now) {
      const allowed = allowedCertificateUrl(url);
      if ('reason' in allowed) return { ok: false, reason: allowed.reason };
      const key = allowed.href;
      let pending = cache.get(key);
      if (!pending) {
        pending = download(doFetch, key);
        cache.set(key, pending);
        if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
        // Failures are not kept: the next delivery (PayPal's retry) tries again.
        const attempt = pending;
        attempt.catch(() => {
          if (cache.get(key) === attempt) cache.delete(key);
        });
      }
      let checked: Checked;
      try {
        checked = await pending;
      } catch (error) {
        const reason = `the certificate at PAYPAL-CERT-URL could not be used: ${(error as Error).message}`;
        // PayPal's host down or slow is no forged delivery: refused without the alert, and PayPal's retry verifies it.
        return error instanceof CertificateHostUnavailable ? { ok: false, reason, unavailable: true } : { ok: false, reason };
      }
      if (now < checked.validFrom || now > checked.validTo) {
        return { ok: false, reason: `the certificate at PAYPAL-CERT-URL is not valid now (valid ${new Date(checked.validFrom).toISOString()} to ${new Date(checked.validTo).toISOString()})` };
      }
      return { ok: true, publicKey: checked.publicKey };
    },
  };
}

/** The URL if it is one of PayPal's certificate URLs, or why not. */
export function allowedCertificateUrl(value: string): { href: string } | { reason: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { reason: 'PAYPAL-CERT-URL is not a URL' };
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol !== 'https:' || !PAYPAL_CERTIFICATE_HOSTS.includes(host) || url.port !== '' || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    return { reason: `PAYPAL-CERT-URL is not on PayPal's certificate hosts (https://${PAYPAL_CERTIFICATE_HOSTS.join(', https://')})` };
  }
  const name = url.pathname.slice(PAYPAL_CERTIFICATE_PATH.length);
  if (!url.pathname.startsWith(PAYPAL_CERTIFICATE_PATH) || !/^[A-Za-z0-9-]{1,100}$/.test(name)) {
    return { reason: `PAYPAL-CERT-URL is not under ${PAYPAL_CERTIFICATE_PATH}` };
  }
  return { href: `https://${host}${PAYPAL_CERTIFICATE_PATH}${name}` };
}

/** PayPal's certificate host did not answer, or answered 429 or 5xx: a passing failure. */
class CertificateHostUnavailable extends Error {}

async function download(doFetch: typeof fetch, url: string): Promise<Checked> {
  let response: Response;
  try {
    response = await doFetch(url, { redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    throw new CertificateHostUnavailable((error as Error).name === 'TimeoutError' ? `no answer within ${FETCH_TIMEOUT_MS} ms` : 'the host could not be reached', { cause: error });
  }
  if (response.status === 429 || response.status >= 500) throw new CertificateHostUnavailable(`HTTP ${response.status}`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_CERTIFICATE_BYTES) throw new Error('the answer is too large for a certificate');
  const text = await response.text();
  if (text.length > MAX_CERTIFICATE_BYTES) throw new Error('the answer is too large for a certificate');
  // The first certificate of the PEM is the signing one (any that follow are its chain).
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  if (!pem) throw new Error('the answer is not a PEM certificate');
  const certificate = new X509Certificate(pem);
  const subject = commonNames(certificate.subject);
  if (!subject.some((cn) => PAYPAL_CERTIFICATE_SUBJECTS.includes(cn))) {
    throw new Error(`it is not issued to ${PAYPAL_CERTIFICATE_SUBJECTS.join(' or ')}`);
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') throw new Error('its key is not RSA');
  const validFrom = Date.parse(certificate.validFrom);
  const validTo = Date.parse(certificate.validTo);
  if (Number.isNaN(validFrom) || Number.isNaN(validTo)) throw new Error('its validity dates cannot be read');
  return { publicKey: certificate.publicKey, validFrom, validTo };
}

/** The CN values of an X.509 subject as Node prints it (one `KEY=value` per line). */
function commonNames(subject: string): string[] {
  return subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3).trim().toLowerCase());
}
