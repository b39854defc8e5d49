import Stripe from 'stripe';
import type { Logger } from '../../core/observability/logger.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import { customerFacts } from './customer.js';

/**
 * Read-only look-ups through the Stripe API, for what a webhook does not carry: the e-mail of a
 * customer the event names only by id, the PaymentIntent behind an invoice (API versions since
 * 2025-03-31.basil no longer put it on the invoice). Only built when STRIPE_API_KEY is set.
 *
 * A look-up that fails for a passing reason (network, timeout, 429, 5xx) throws: the core answers
 * 5xx and Stripe retries the webhook later (for up to three days), so nothing is decided on a
 * half-known event. A look-up Stripe refuses (401 wrong key, 403, 404 deleted) will not get better
 * by retrying: it is logged and the event goes on without what it would have added.
 */
export interface StripeLookups {
  customer(id: string): Promise<TriggerCustomer | undefined>;
  invoicePaymentIntent(invoiceId: string): Promise<string | undefined>;
}

export interface StripeApiOptions {
  apiKey: string;
  /** `STRIPE_API_URL`: only its protocol, host and port are used (the SDK has no base path). */
  apiUrl?: string;
  logger: Logger;
}

export function createStripeLookups(options: StripeApiOptions): StripeLookups {
  const stripe = new Stripe(options.apiKey, {
    ...baseAddress(options.apiUrl),
    // The webhook itself is Stripe's retry loop; a slow look-up must not hold the request open
    // (an event needs two look-ups at most: an invoice's PaymentIntent, then its customer).
    maxNetworkRetries: 0,
    timeout: 5_000,
    appInfo: { name: 'loyalty-hub' },
  });

  async function guarded<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      if (isPermanent(err)) {
        options.logger.warn('stripe look-up refused; going on without it', { lookup: what, status: (err as Stripe.errors.StripeError).statusCode, error: (err as Error).message });
        return undefined;
      }
      throw new Error(`Stripe look-up ${what} failed (${failure(err)}); answering 5xx so Stripe retries the webhook`, { cause: err });
    }
  }

  return {
    async customer(id) {
      const found = await guarded(`customers/${id}`, () => stripe.customers.retrieve(id));
      if (!found || found.deleted) return undefined;
      return customerFacts({ id: found.id, email: found.email ?? undefined, name: found.name ?? undefined, phone: found.phone ?? undefined });
    },
    async invoicePaymentIntent(invoiceId) {
      const list = await guarded(`invoice_payments?invoice=${invoiceId}`, () => stripe.invoicePayments.list({ invoice: invoiceId, status: 'paid', limit: 10 }));
      for (const payment of list?.data ?? []) {
        const pi = payment.payment.payment_intent;
        if (pi) return typeof pi === 'string' ? pi : pi.id;
      }
      return undefined;
    },
  };
}

function baseAddress(apiUrl: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

/** The status when Stripe answered, else the first line of the error. */
function failure(err: unknown): string {
  if (err instanceof Stripe.errors.StripeError && err.statusCode !== undefined) return `HTTP ${err.statusCode}: ${err.message}`;
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** 4xx other than 429: Stripe answered and will answer the same next time. */
function isPermanent(err: unknown): boolean {
  if (!(err instanceof Stripe.errors.StripeError)) return false;
  const status = err.statusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}
