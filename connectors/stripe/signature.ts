import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';

/** Stripe's own default, and what its docs recommend: an older signed timestamp is a replay. */
export const STRIPE_TOLERANCE_SECONDS = 300;

const HEADER = 'Stripe-Signature';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Checks `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (docs.stripe.com, "Verify
 * webhook signatures manually"): HMAC-SHA256 under the endpoint secret of `${t}.${raw body}`,
 * equal to at least one `v1` (Stripe sends one per active secret while a secret is rolled), and
 * `t` within 300 s of now in either direction.
 *
 * Parsed and computed here rather than through the SDK's `constructEvent`: that throws a plain
 * `Error` (not its `StripeSignatureVerificationError`) for some malformed headers, so any
 * wrapper that tells its errors apart can fail open; it also accepts a `t` from the future. Every
 * path below ends in `{ ok: false }` unless a v1 matched — there is no "other error" branch
 * (docs/security.md). `now` (epoch ms) is injectable so tests can pin the clock.
 */
export function verifyStripeSignature(request: InboundRequest, secret: string, now: () => number): VerifyResult {
  const header = request.headers.get(HEADER);
  if (!header?.trim()) return { ok: false, reason: `missing ${HEADER} header` };
  if (!secret) return { ok: false, reason: 'STRIPE_WEBHOOK_SECRET is empty' };

  const timestamps: string[] = [];
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at < 0) continue;
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (key === 't') timestamps.push(value);
    else if (key === 'v1') signatures.push(value);
  }
  if (timestamps.length !== 1 || !/^\d{1,12}$/.test(timestamps[0]!)) {
    return { ok: false, reason: `${HEADER} has no single integer timestamp (t=)` };
  }
  const candidates = signatures.filter((s) => HEX_SHA256.test(s));
  if (candidates.length === 0) return { ok: false, reason: `${HEADER} has no v1 signature of 64 hex digits` };

  const timestamp = timestamps[0]!;
  const age = Math.floor(now() / 1000) - Number(timestamp);
  if (Math.abs(age) > STRIPE_TOLERANCE_SECONDS) {
    return { ok: false, reason: `${HEADER} timestamp is ${Math.abs(age)} s ${age > 0 ? 'old' : 'in the future'} (tolerance ${STRIPE_TOLERANCE_SECONDS} s)` };
  }

  // The raw bytes as received: re-serialized JSON would not match the signature.
  const expected = createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(request.rawBody).digest();
  // Every candidate is compared (no early exit), each in constant time over 32 bytes.
  let matched = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(Buffer.from(candidate, 'hex'), expected)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: `no ${HEADER} v1 signature matches the body signed with STRIPE_WEBHOOK_SECRET` };
}
