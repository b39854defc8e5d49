import type { InboundRequest } from '../../core/connectors/definition.js';
import { WOOCOMMERCE_SIGNATURE } from './signature.js';
import { TOPIC_HEADER } from './topic.js';

/**
 * When a webhook is saved as Active, WooCommerce first POSTs an unsigned `webhook_id=<n>`
 * (form-encoded, no signature, no topic) and shows an error instead of activating the webhook unless it gets a 2xx.
 * Only that exact shape is answered here; anything else — a JSON body, a signature or topic
 * header, another form field — goes on to signature verification and fails there if unsigned.
 */
export function answerPing(request: InboundRequest): Response | undefined {
  if (request.headers.has(WOOCOMMERCE_SIGNATURE.header) || request.headers.has(TOPIC_HEADER)) return undefined;
  const contentType = request.headers.get('content-type');
  if (contentType !== null && !/^application\/x-www-form-urlencoded\b/i.test(contentType.trim())) return undefined;
  if (!/^webhook_id=\d{1,20}$/.test(request.body)) return undefined;
  return Response.json({ status: 'ignored', reason: 'ping' }, { status: 200 });
}
