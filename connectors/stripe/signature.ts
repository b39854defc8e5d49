import type { HmacSignatureScheme } from '../../core/connectors/hmac-signature.js';

/** Stripe's own default, and what its docs recommend: an older signed timestamp is a replay. */
export const STRIPE_TOLERANCE_SECONDS = 300;

/**
 * `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (docs.stripe.com, "Verify webhook
 * signatures manually"): HMAC-SHA256 under the endpoint secret of `${t}.${raw body}`, equal to at
 * least one `v1` (Stripe sends one per active secret while a secret is rolled), `t` given once and
 * within 300 s of now in either direction. Checked by the shared verifier
 * (core/connectors/hmac-signature.ts), not the SDK's `constructEvent`: that throws a plain `Error`
 * (not its `StripeSignatureVerificationError`) for some malformed headers, so a wrapper that tells
 * its errors apart can fail open, and it accepts a `t` from the future (docs/security.md).
 */
export const STRIPE_SIGNATURE = {
  header: 'Stripe-Signature',
  encoding: 'hex',
  pairs: { separator: ',', signatureKey: 'v1' },
  signed: ['timestamp', { literal: '.' }, 'body'],
  timestamp: { key: 't', unit: 's', toleranceSeconds: STRIPE_TOLERANCE_SECONDS },
  hint: 'signed with STRIPE_WEBHOOK_SECRET',
} as const satisfies HmacSignatureScheme;
