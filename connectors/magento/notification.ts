import { InboundPayloadError, type NormalizeResult } from '../../core/connectors/definition.js';
import { parseWithSchema, requireFields } from '../../core/connectors/payload.js';
import { paidOrderOrIgnored } from './order-saved.js';
import { creditmemoRefunded } from './refund.js';
import type { MagentoRestApi } from './rest-api.js';
import { creditmemoSchema, notificationSchema, orderSchema } from './schemas.js';

/**
 * The thin notification of a Magento Open Source store, which has no Adobe Commerce webhooks
 * (docs/connectors/magento.md, "Magento Open Source"): it says only what happened to which record,
 * and the record is read through the REST API — so the amounts are Magento's, never the sender's.
 *
 * - `order.paid` + `order_id` → `GET /V1/orders/{order_id}`: earns once the order is fully paid;
 * - `creditmemo.refunded` + `creditmemo_id` → `GET /V1/creditmemo/{creditmemo_id}`: takes back.
 *
 * A look-up that fails for a passing reason throws (rest-api.ts): 503, and the sender retries.
 * A record the API does not know is the notification's mistake: 400, kept in the inbox as rejected.
 */
export async function notificationEvents(body: unknown, api: MagentoRestApi | undefined): Promise<NormalizeResult> {
  const notification = parseWithSchema(notificationSchema, body, '', 'Magento notification');
  if (!api) return { status: 'ignored', reason: 'a notification is completed through the REST API: set MAGENTO_API_URL and MAGENTO_ACCESS_TOKEN' };

  if (notification.event === 'order.paid') {
    const { orderId } = requireFields<{ orderId: string }>('order.paid notification', {
      orderId: [notification.order_id, '/order_id', 'the order entity id is required'],
    });
    const found = await api.order(orderId);
    if (found === undefined) throw new InboundPayloadError(`order ${orderId} does not exist`, [{ pointer: '/order_id', detail: 'the REST API knows no order with this entity id (404)' }]);
    return paidOrderOrIgnored(parseWithSchema(orderSchema, found, '', `Magento REST order ${orderId}`), '');
  }

  const { creditmemoId } = requireFields<{ creditmemoId: string }>('creditmemo.refunded notification', {
    creditmemoId: [notification.creditmemo_id, '/creditmemo_id', 'the credit memo entity id is required'],
  });
  const found = await api.creditmemo(creditmemoId);
  if (found === undefined) {
    throw new InboundPayloadError(`credit memo ${creditmemoId} does not exist`, [{ pointer: '/creditmemo_id', detail: 'the REST API knows no credit memo with this entity id (404)' }]);
  }
  return creditmemoRefunded(parseWithSchema(creditmemoSchema, found, '', `Magento REST credit memo ${creditmemoId}`), '');
}
