import { jsonObjectBody } from '../../core/connectors/body.js';
import type { InboundHandler, NormalizeResult } from '../../core/connectors/definition.js';
import { hmacVerifier } from '../../core/connectors/hmac-signature.js';
import { customerEvent } from './customer.js';
import { deliveryIdOf } from './delivery-id.js';
import { orderEvents } from './order-events.js';
import { paidStatusesFrom } from './paid-statuses.js';
import { answerPing } from './ping.js';
import { WOOCOMMERCE_SIGNATURE } from './signature.js';
import { topicOf } from './topic.js';

export interface WooCommerceInboundOptions {
  secret: string;
  /** `WOOCOMMERCE_PAID_STATUSES`, comma-separated; default `processing,completed`. */
  paidStatuses?: string;
}

export function createWooCommerceInbound(options: WooCommerceInboundOptions): InboundHandler {
  const paidStatuses = paidStatusesFrom(options.paidStatuses);
  /** The topics that matter to loyalty; coupons, products and deletions are answered `ignored`. */
  const topics: Record<string, (payload: unknown) => NormalizeResult> = {
    'order.created': (order) => orderEvents(order, paidStatuses),
    'order.updated': (order) => orderEvents(order, paidStatuses),
    'customer.created': (customer) => ({ status: 'events', events: [customerEvent(customer, 'created')] }),
    'customer.updated': (customer) => ({ status: 'events', events: [customerEvent(customer, 'updated')] }),
  };
  return {
    preflight: answerPing,
    verify: hmacVerifier(WOOCOMMERCE_SIGNATURE, options.secret),
    deliveryId: deliveryIdOf,
    topic: topicOf,
    normalize: async (request) => {
      const topic = topicOf(request);
      if (topic === undefined) return { status: 'ignored', reason: 'no X-WC-Webhook-Topic header' };
      const handle = topics[topic];
      if (!handle) return { status: 'ignored', reason: `topic ${topic} is not used for loyalty` };
      return handle(jsonObjectBody(request));
    },
  };
}
