import type { InboundRequest } from '../../core/connectors/definition.js';

export const TOPIC_HEADER = 'X-WC-Webhook-Topic';

/** `order.updated`, `customer.created`, … as WooCommerce names the webhook's topic. */
export function topicOf(request: InboundRequest): string | undefined {
  return request.headers.get(TOPIC_HEADER)?.trim() || undefined;
}
