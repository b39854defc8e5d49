import Stripe from 'stripe';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';

/** Stripe's own default, and what its docs recommend: an older signed timestamp is a replay. */
const STRIPE_TOLERANCE_SECONDS = 300;

/**
 * Checks `Stripe-Signature` (`t=…,v1=…`) with the SDK, which compares in constant time and
 * accepts any of several `v1` signatures (Stripe signs with old and new secret while one is
 * rolled). `now` (epoch ms) is injectable so tests can pin the clock.
 */
export function verifyStripeSignature(request: InboundRequest, secret: string, now: () => number): VerifyResult {
  const header = request.headers.get('stripe-signature');
  if (!header) return { ok: false, reason: 'missing Stripe-Signature header' };
  try {
    // The raw bytes as received: re-serialized JSON would not match the signature.
    Stripe.webhooks.constructEvent(request.rawBody, header, secret, STRIPE_TOLERANCE_SECONDS, undefined, now());
    return { ok: true };
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
      // The SDK's messages run on with advice for developers; the first line says what failed.
      return { ok: false, reason: err.message.split('\n')[0]!.trim() };
    }
    // constructEvent parses only after the signature and timestamp passed: a signed body that is
    // not an event is the payload's problem (400 from normalize), not an authentication failure.
    return { ok: true };
  }
}
