import type { InboundHandler, NormalizeResult } from '../../core/connectors/definition.js';
import type { Logger } from '../../core/observability/logger.js';
import { createPayPalCertificates, type PayPalCertificates } from './certificates.js';
import { checkoutOrderCompleted } from './checkout-order.js';
import { peekPayPalField, readPayPalEvent, type PayPalEvent } from './event.js';
import { captureCompleted, saleCompleted } from './order-paid.js';
import { createPayPalPayerLookup, type PayPalPayerLookup } from './payer-api.js';
import { captureRefunded, saleRefunded } from './refund.js';
import { payPalVerifier } from './signature.js';

export interface PayPalInboundOptions {
  /** PAYPAL_WEBHOOK_ID: part of what PayPal signs. */
  webhookId: string;
  /** PAYPAL_CLIENT_ID / PAYPAL_CLIENT_SECRET: for the look-up of who paid. */
  clientId: string;
  clientSecret: string;
  /** PAYPAL_API_URL: base-URL override (sandbox, proxy, local stub). */
  apiUrl?: string;
  logger: Logger;
  /** Shared across handlers built in one process, so a certificate is fetched once. */
  certificates?: PayPalCertificates;
  clock?: () => number;
}

type Normalizer = (event: PayPalEvent, payers: PayPalPayerLookup) => Promise<NormalizeResult> | NormalizeResult;

/** The event types that matter to loyalty; every other type is answered `ignored`. */
const NORMALIZERS: Record<string, Normalizer> = {
  'PAYMENT.CAPTURE.COMPLETED': captureCompleted,
  'CHECKOUT.ORDER.COMPLETED': (event) => checkoutOrderCompleted(event),
  'PAYMENT.CAPTURE.REFUNDED': (event) => captureRefunded(event),
  'PAYMENT.CAPTURE.REVERSED': (event) => captureRefunded(event),
  'PAYMENT.SALE.COMPLETED': saleCompleted,
  'PAYMENT.SALE.REFUNDED': (event) => saleRefunded(event),
};

/** One certificate cache per process: PayPal signs every webhook with the same few certificates. */
const sharedCertificates = createPayPalCertificates();

export function createPayPalInbound(options: PayPalInboundOptions): InboundHandler {
  const payers = createPayPalPayerLookup({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    apiUrl: options.apiUrl,
    logger: options.logger,
    clock: options.clock,
  });

  return {
    verify: payPalVerifier({ webhookId: options.webhookId, certificates: options.certificates ?? sharedCertificates, clock: options.clock }),
    // PayPal's retries resend the event with the same id (each with a new transmission id).
    deliveryId: (request) => peekPayPalField(request, 'id'),
    topic: (request) => peekPayPalField(request, 'event_type'),
    async normalize(request) {
      const event = readPayPalEvent(request);
      const normalizer = NORMALIZERS[event.event_type];
      if (!normalizer) return { status: 'ignored', reason: `PayPal event ${event.event_type} is not used for loyalty` };
      return normalizer(event, payers);
    },
  };
}
