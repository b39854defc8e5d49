/**
 * HubSpot's request signatures (developers.hubspot.com, "Validating requests"):
 *
 * - v3, on every webhook batch (and on newer app features): `X-HubSpot-Signature-v3` =
 *   base64(HMAC-SHA256(client secret, method + URI + body + X-HubSpot-Request-Timestamp)), the
 *   timestamp in epoch milliseconds; a request more than 5 minutes old is refused. HubSpot signs
 *   the URI with the percent-encodings of `: / ? @ ! $ ' ( ) * , ;` decoded; both that form and
 *   the URI exactly as called are accepted (they only differ for a URL with such escapes).
 * - v2, on custom workflow action requests (`X-HubSpot-Signature-Version: v2`):
 *   `X-HubSpot-Signature` = hex(SHA-256(client secret + method + URI + body)). No timestamp:
 *   a replay is stopped by the callback id having been seen.
 * - v1 (secret + body only: it does not cover the URL) is never accepted; HubSpot sends v3 with
 *   every webhook.
 *
 * Computed here with node:crypto and compared with `timingSafeEqual`, not through the SDK's
 * `Signature.isValid`: that defaults to v1 when no version is passed and compares with `===`,
 * which leaks through timing how much of a forged signature was right. (Its `getSignature` is
 * the same formula; the tests check ours against it and against HubSpot's published vectors.)
 *
 * Several client secrets may be configured (a secret being rotated, or a private app sending the
 * webhooks and a developer app sending the workflow action): a request signed with any of them
 * passes.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';

export const SIGNATURE_V3_HEADER = 'X-HubSpot-Signature-v3';
export const TIMESTAMP_HEADER = 'X-HubSpot-Request-Timestamp';
export const SIGNATURE_HEADER = 'X-HubSpot-Signature';
export const SIGNATURE_VERSION_HEADER = 'X-HubSpot-Signature-Version';

/** HubSpot's own limit on a v3 request's age (`Signature.MAX_ALLOWED_TIMESTAMP` in the SDK). */
export const MAX_AGE_MS = 5 * 60 * 1000;

/** The percent-encodings HubSpot decodes in the URI before it signs it (v3). */
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function v3SignedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (match) => DECODED[match.toUpperCase()] ?? match);
}

/** base64(HMAC-SHA256(secret, method + uri + body + timestamp)): the v3 signature. */
export function signatureV3(secret: string, method: string, uri: string, body: string | Uint8Array, timestamp: string): string {
  return createHmac('sha256', secret).update(method, 'utf8').update(uri, 'utf8').update(body).update(timestamp, 'utf8').digest('base64');
}

/** hex(SHA-256(secret + method + uri + body)): the v2 signature. */
export function signatureV2(secret: string, method: string, uri: string, body: string | Uint8Array): string {
  return createHash('sha256').update(secret, 'utf8').update(method, 'utf8').update(uri, 'utf8').update(body).digest('hex');
}

/** Equal length first (the length of a SHA-256 digest's encoding is public), then constant time. */
function same(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Which scheme a request is signed with, by its headers. */
export function signatureVersion(headers: Headers): 'v3' | 'v2' | 'v1' | undefined {
  if (headers.get(SIGNATURE_V3_HEADER)) return 'v3';
  const declared = headers.get(SIGNATURE_VERSION_HEADER)?.trim().toLowerCase();
  if (headers.get(SIGNATURE_HEADER)) return declared === 'v2' ? 'v2' : 'v1';
  return undefined;
}

export interface VerifyOptions {
  secrets: readonly string[];
  now: number;
  /** Whether a v2 signature is acceptable for this request (custom workflow actions only). */
  allowV2: boolean;
}

export function verifyHubSpotSignature(request: InboundRequest, options: VerifyOptions): VerifyResult {
  const version = signatureVersion(request.headers);
  if (version === 'v3') return verifyV3(request, options);
  if (version === 'v2') {
    if (!options.allowV2) return { ok: false, reason: `a v2 signature is only accepted on workflow action requests; webhooks must carry ${SIGNATURE_V3_HEADER}` };
    const given = request.headers.get(SIGNATURE_HEADER)!.trim().toLowerCase();
    const matches = options.secrets.some((secret) => same(given, signatureV2(secret, request.method, request.url, request.rawBody)));
    return matches ? { ok: true } : { ok: false, reason: `${SIGNATURE_HEADER} (v2) does not match the request signed for ${request.url}` };
  }
  if (version === 'v1') return { ok: false, reason: `v1 signatures are not accepted (they do not cover the URL); expected ${SIGNATURE_V3_HEADER}` };
  return { ok: false, reason: `missing ${SIGNATURE_V3_HEADER} header` };
}

function verifyV3(request: InboundRequest, { secrets, now }: VerifyOptions): VerifyResult {
  const given = request.headers.get(SIGNATURE_V3_HEADER)!.trim();
  const timestamp = request.headers.get(TIMESTAMP_HEADER)?.trim();
  if (!timestamp) return { ok: false, reason: `missing ${TIMESTAMP_HEADER} header` };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} is not a time in milliseconds` };
  const age = now - Number(timestamp);
  // Older than HubSpot allows, or from further in the future than any clock skew explains.
  if (age > MAX_AGE_MS || age < -MAX_AGE_MS) {
    return { ok: false, reason: `${TIMESTAMP_HEADER} is ${Math.round(Math.abs(age) / 1000)} s ${age > 0 ? 'old' : 'in the future'} (at most ${MAX_AGE_MS / 60000} minutes)` };
  }
  const uris = [...new Set([v3SignedUri(request.url), request.url])];
  const matches = secrets.some((secret) => uris.some((uri) => same(given, signatureV3(secret, request.method, uri, request.rawBody, timestamp))));
  return matches ? { ok: true } : { ok: false, reason: `${SIGNATURE_V3_HEADER} does not match the request signed for ${request.url}` };
}
