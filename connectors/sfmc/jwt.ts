/**
 * The JWT Journey Builder signs its calls to a custom activity with (`useJwt: true`): the POST
 * body is the token itself, HS256 over `header.payload` with the installed package's JWT Signing
 * Secret (docs/connectors/sfmc.md, "Security"). Checked with node:crypto, no JWT library: one
 * algorithm, a constant-time comparison and three time claims are all there is to it.
 *
 * Refused: anything but three base64url parts, an `alg` other than HS256 (never `none`, never an
 * asymmetric algorithm a forger could pick), a signature that does not match, `exp` in the past,
 * and `nbf` or `iat` in the future — each beyond a small clock skew.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Clock difference tolerated between Marketing Cloud and the hub. */
export const JWT_CLOCK_SKEW_SECONDS = 60;

export type JwtCheck = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: string };

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function verifyJourneyJwt(token: string, secret: string, nowMs: number): JwtCheck {
  if (!secret) return { ok: false, reason: 'SFMC_JWT_SECRET is not set' };
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !BASE64URL.test(p)) || !parts[0] || !parts[1]) {
    return { ok: false, reason: 'the body is not a JWT (Journey Builder sends the signed JWT as the body when useJwt is true)' };
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  if (!header) return { ok: false, reason: 'the JWT header is not JSON' };
  if (header.alg !== 'HS256') return { ok: false, reason: `the JWT is signed with ${JSON.stringify(header.alg ?? null)}, only HS256 is accepted` };

  const expected = createHmac('sha256', secret).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the JWT signature does not match SFMC_JWT_SECRET' };
  }

  const payload = decodeJson(payloadPart);
  if (!payload) return { ok: false, reason: 'the JWT payload is not a JSON object' };
  const now = nowMs / 1000;
  const claim = (name: string): number | undefined | null => {
    const value = payload[name];
    if (value === undefined) return undefined;
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const exp = claim('exp');
  const nbf = claim('nbf');
  const iat = claim('iat');
  if (exp === null || nbf === null || iat === null) return { ok: false, reason: 'a JWT time claim (exp, nbf, iat) is not a number' };
  if (exp !== undefined && now > exp + JWT_CLOCK_SKEW_SECONDS) return { ok: false, reason: `the JWT expired at ${new Date(exp * 1000).toISOString()}` };
  if (nbf !== undefined && nbf > now + JWT_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'the JWT is not valid yet (nbf in the future)' };
  if (iat !== undefined && iat > now + JWT_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'the JWT was issued in the future (iat)' };
  return { ok: true, payload };
}

/** The payload of a token already verified (or to be refused anyway): never throws. */
export function jwtPayloadOf(token: string): Record<string, unknown> | undefined {
  const part = token.trim().split('.')[1];
  return part && BASE64URL.test(part) ? decodeJson(part) : undefined;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
