import { createHash } from 'node:crypto';
import type { InboundRequest } from '../../core/connectors/definition.js';
import { topicOf } from './topic.js';

/**
 * WooCommerce's `X-WC-Webhook-Delivery-ID` is not an event id: it is the id of a log entry, new
 * for every send, and WooCommerce does not retry on its own — so it identifies nothing that could
 * repeat. The delivery id is therefore derived from what was sent: sha256(topic, raw body).
 * A resend of the same delivery (the admin's "resend", a proxy's retry) is then `duplicate`,
 * while every order save that changed anything (WooCommerce bumps `date_modified`) is new. The
 * ledger does not rely on it: trigger ids are business facts (`woocommerce:order:<id>`), so five
 * different `order.updated` deliveries still earn once.
 */
export function deliveryIdOf(request: InboundRequest): string {
  return createHash('sha256')
    .update(topicOf(request) ?? '')
    .update('\n')
    .update(request.rawBody)
    .digest('hex');
}
