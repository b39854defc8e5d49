import { InboundPayloadError, type InboundHandler, type NormalizeResult } from '../../core/connectors/definition.js';
import { hmacVerifier } from '../../core/connectors/hmac-signature.js';
import type { Logger } from '../../core/observability/logger.js';
import { MoneyError } from '../../core/triggers/money.js';
import { createStripeLookups, type StripeLookups } from './api.js';
import { customerTrigger } from './customer.js';
import { peekStripeField, readStripeEvent, type StripeEvent } from './event.js';
import { chargePaid, checkoutSessionPaid, invoicePaid, paymentIntentPaid, type PurchaseContext } from './order-paid.js';
import { chargeRefunded } from './refund.js';
import { STRIPE_SIGNATURE } from './signature.js';

export interface StripeInboundOptions {
  /** `STRIPE_WEBHOOK_SECRET`, the endpoint's `whsec_…`. */
  webhookSecret: string;
  /** `STRIPE_API_KEY`: enables look-ups (a customer's e-mail, an invoice's PaymentIntent). */
  apiKey?: string;
  /** `STRIPE_API_URL`: base-URL override for a proxy or a local stub. */
  apiUrl?: string;
  logger: Logger;
  /** Epoch ms, for the timestamp tolerance; tests pin it. */
  now?: () => number;
}

type Normalizer = (context: PurchaseContext) => Promise<NormalizeResult> | NormalizeResult;

/** The event types that matter to loyalty; every other type is answered `ignored`. */
const NORMALIZERS: Record<string, Normalizer> = {
  'checkout.session.completed': checkoutSessionPaid,
  // Delayed payment methods (SEPA, bank transfers): the session completes unpaid, then this.
  'checkout.session.async_payment_succeeded': checkoutSessionPaid,
  'payment_intent.succeeded': paymentIntentPaid,
  'charge.succeeded': chargePaid,
  'charge.captured': chargePaid,
  'invoice.paid': invoicePaid,
  'invoice.payment_succeeded': invoicePaid,
  'charge.refunded': ({ event }) => chargeRefunded(event),
  'customer.created': ({ event }) => ({ status: 'events', events: [customerTrigger(event, 'customer.created')] }),
  'customer.updated': ({ event }) => ({ status: 'events', events: [customerTrigger(event, 'customer.updated')] }),
};

export function createStripeInbound(options: StripeInboundOptions): InboundHandler {
  const now = options.now ?? Date.now;
  const lookups: StripeLookups | undefined = options.apiKey
    ? createStripeLookups({ apiKey: options.apiKey, apiUrl: options.apiUrl, logger: options.logger })
    : undefined;

  return {
    verify: hmacVerifier(STRIPE_SIGNATURE, options.webhookSecret, now),
    // `evt_…`: Stripe redelivers an event with the same id.
    deliveryId: (request) => peekStripeField(request, 'id'),
    topic: (request) => peekStripeField(request, 'type'),
    async normalize(request) {
      const event: StripeEvent = readStripeEvent(request);
      const normalizer = NORMALIZERS[event.type];
      if (!normalizer) return { status: 'ignored', reason: `Stripe event ${event.type} is not used for loyalty` };
      try {
        return await normalizer({ event, lookups });
      } catch (err) {
        // An amount the hub cannot hold exactly (a fractional ISK from before 2023) is the
        // payload's problem, not a reason for Stripe to retry.
        if (err instanceof MoneyError) throw new InboundPayloadError(`Stripe ${event.type}: ${err.message}`, [{ pointer: '/data/object', detail: err.message }]);
        throw err;
      }
    },
  };
}
