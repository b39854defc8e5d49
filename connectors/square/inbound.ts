import type { ConnectorState, InboundHandler, NormalizeResult } from '../../core/connectors/definition.js';
import { hmacVerifier } from '../../core/connectors/hmac-signature.js';
import type { Logger } from '../../core/observability/logger.js';
import { customerChanged } from './customer.js';
import { loyaltyEventCreated } from './loyalty-event.js';
import { peekSquareField, readSquareEvent, type SquareEvent } from './event.js';
import { createSquareOrderLookup, type SquareOrderLookup } from './orders-api.js';
import { paymentCompleted } from './order-paid.js';
import { refundCompleted } from './refund.js';
import { createSquareRewardLookup, type SquareRewardLookup } from './rewards-api.js';
import { squareSignature } from './signature.js';

export interface SquareInboundOptions {
  /** `SQUARE_WEBHOOK_SIGNATURE_KEY` of the webhook subscription. */
  signatureKey: string;
  /** Exactly the subscription's notification URL: `PUBLIC_URL` + `/webhooks/square`. */
  notificationUrl: string;
  /** `SQUARE_ACCESS_TOKEN`: enables order look-ups for line items. */
  accessToken?: string;
  /** `SQUARE_API_URL`: base-URL override (sandbox, proxy, local stub). */
  apiUrl?: string;
  logger: Logger;
  /** The connector's state, where the store-code adapter records the rewards it made. */
  state: ConnectorState;
}

interface Lookups {
  orders: SquareOrderLookup | undefined;
  rewards: SquareRewardLookup | undefined;
  state: ConnectorState;
}

type Normalizer = (event: SquareEvent, lookups: Lookups) => Promise<NormalizeResult> | NormalizeResult;

const THIN_ORDER_EVENT: Normalizer = () => ({ status: 'ignored', reason: 'thin order event; points are earned on payment.updated' });

/** The event types that matter to loyalty; every other type is answered `ignored`. */
const NORMALIZERS: Record<string, Normalizer> = {
  'payment.created': (event, { orders }) => paymentCompleted(event, orders),
  'payment.updated': (event, { orders }) => paymentCompleted(event, orders),
  'refund.created': (event) => refundCompleted(event),
  'refund.updated': (event) => refundCompleted(event),
  'customer.created': (event) => customerChanged(event, 'customer.created'),
  'customer.updated': (event) => customerChanged(event, 'customer.updated'),
  'order.created': THIN_ORDER_EVENT,
  'order.updated': THIN_ORDER_EVENT,
  'order.fulfillment.updated': THIN_ORDER_EVENT,
  // A hub reward redeemed or deleted at Square (store-code-adapter.ts).
  'loyalty.event.created': (event, { state, rewards }) => loyaltyEventCreated(event, state, rewards),
};

/** `PUBLIC_URL` + `/webhooks/square`, without doubling a trailing slash of PUBLIC_URL. */
export function squareNotificationUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/webhooks/square`;
}

export function createSquareInbound(options: SquareInboundOptions): InboundHandler {
  const orders = options.accessToken
    ? createSquareOrderLookup({ accessToken: options.accessToken, apiUrl: options.apiUrl, logger: options.logger })
    : undefined;
  const rewards = options.accessToken ? createSquareRewardLookup({ accessToken: options.accessToken, apiUrl: options.apiUrl }) : undefined;

  return {
    verify: hmacVerifier(squareSignature(options.notificationUrl), options.signatureKey),
    // Square redelivers a notification with the same event_id.
    deliveryId: (request) => peekSquareField(request, 'event_id'),
    topic: (request) => peekSquareField(request, 'type'),
    async normalize(request) {
      const event = readSquareEvent(request);
      const normalizer = NORMALIZERS[event.type];
      if (!normalizer) return { status: 'ignored', reason: `Square event ${event.type} is not used for loyalty` };
      return normalizer(event, { orders, rewards, state: options.state });
    },
  };
}
