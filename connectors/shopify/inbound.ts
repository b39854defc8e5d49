import { jsonObjectBody } from '../../core/connectors/body.js';
import type { InboundHandler, InboundRequest, NormalizeResult } from '../../core/connectors/definition.js';
import { hmacVerifier } from '../../core/connectors/hmac-signature.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { customerEvent } from './customer.js';
import { orderCancelled } from './cancel.js';
import { orderPaid } from './order-paid.js';
import { refundCreated } from './refund.js';
import { SHOPIFY_SIGNATURE } from './signature.js';

const TOPIC_HEADER = 'X-Shopify-Topic';

const single = (event: PlatformTrigger): NormalizeResult => ({ status: 'events', events: [event] });

/**
 * The Shopify webhook topics that matter to loyalty. Everything else a shop may send
 * (orders/updated, orders/create, products/…) is verified and answered `ignored`: orders/paid is
 * the one moment an order has been paid, so earning never depends on which update came first.
 */
const TOPICS: Record<string, (payload: unknown) => NormalizeResult> = {
  'orders/paid': (order) => orderPaid(order),
  'orders/cancelled': (order) => orderCancelled(order),
  'refunds/create': (refund) => refundCreated(refund),
  'customers/create': (customer) => single(customerEvent(customer, 'created')),
  'customers/update': (customer) => single(customerEvent(customer, 'updated')),
};

function topicOf(request: InboundRequest): string | undefined {
  return request.headers.get(TOPIC_HEADER)?.trim() || undefined;
}

export function createShopifyInbound(secret: string): InboundHandler {
  return {
    verify: hmacVerifier(SHOPIFY_SIGNATURE, secret),
    /**
     * `X-Shopify-Event-Id` is the same on every retry of one event (the older
     * `X-Shopify-Webhook-Id` is the fallback). It is scoped by topic because one change in the
     * shop can raise several topics, and an ignored orders/updated must never make the
     * orders/paid of the same moment look like a duplicate.
     */
    deliveryId: (request) => {
      const id = request.headers.get('X-Shopify-Event-Id')?.trim() || request.headers.get('X-Shopify-Webhook-Id')?.trim();
      return id ? `${topicOf(request) ?? ''}:${id}` : undefined;
    },
    topic: topicOf,
    normalize: async (request) => {
      const topic = topicOf(request);
      if (topic === undefined) return { status: 'ignored', reason: `no ${TOPIC_HEADER} header` };
      const handle = TOPICS[topic];
      if (!handle) return { status: 'ignored', reason: `topic ${topic} is not used for loyalty` };
      // The bare REST resource (no `{"order": …}` wrapper), its ids past 2^53 kept exact; each
      // topic reads it with its schema (schemas.ts).
      return handle(jsonObjectBody(request, 'json-exact-integers'));
    },
  };
}
