import { parsedBody } from '../../core/connectors/body.js';
import type { InboundRequest } from '../../core/connectors/definition.js';
import { isObject, textOf, type JsonObject } from '../../core/connectors/payload.js';

/**
 * Two kinds of delivery arrive at `/webhooks/magento`, both signed the same way (signature.ts):
 *
 * - an Adobe Commerce webhook (`magento/commerce-webhooks`): `{ eventName, data: {…} }`, the
 *   entity in full, sent synchronously while Commerce waits for `{"op":"success"}`;
 * - the thin notification of a Magento Open Source store: `{ event, order_id | creditmemo_id,
 *   sent_at }`, completed through the REST API (notification.ts).
 *
 * These readers never throw: they serve `topic`, `verify` and `acknowledge`, which run before
 * (or whatever) the payload is validated.
 */
export function isCommerceHook(request: InboundRequest): JsonObject | undefined {
  const body = objectBody(request);
  return body && typeof body.eventName === 'string' ? body : undefined;
}

export function isThinNotification(request: InboundRequest): JsonObject | undefined {
  const body = objectBody(request);
  return body && typeof body.eventName !== 'string' && typeof body.event === 'string' ? body : undefined;
}

/** `sales_order_invoice_pay` for a Commerce webhook (`observer.` prefix dropped), `order.paid` for a notification. */
export function topicOf(request: InboundRequest): string | undefined {
  const hook = isCommerceHook(request);
  if (hook) return textOf(hook.eventName)?.replace(/^observer\./, '');
  return textOf(isThinNotification(request)?.event);
}

function objectBody(request: InboundRequest): JsonObject | undefined {
  const entry = parsedBody(request);
  return 'error' in entry || !isObject(entry.value) ? undefined : entry.value;
}
