import type { InboundRequest } from '../../core/connectors/definition.js';
import { isCommerceHook } from './delivery-kind.js';

/**
 * Adobe Commerce waits for each webhook's answer and reads it as operations: HTTP 200 with
 * `{"op": "success"}` lets the order, invoice or credit memo go on unchanged. Anything else — the
 * hub's usual `{status: accepted}` included — is "a wrong format", which Commerce treats as the
 * hook failing, and a hook configured `required` would then abort the merchant's save. So every
 * delivery the hub took (applied, already seen, or not about loyalty) is answered exactly that.
 * Refusals (401, 400, 503) keep the hub's problem answer: Commerce logs them, and with the hook
 * `required="false"` (docs/connectors/magento.md) the store carries on.
 *
 * Thin notifications are not Commerce's: they get the hub's usual answer.
 */
const TAKEN = new Set(['accepted', 'duplicate', 'ignored']);

export function acknowledgeCommerceHook(request: InboundRequest, outcome: { status: string }): Response | undefined {
  if (!TAKEN.has(outcome.status) || !isCommerceHook(request)) return undefined;
  return new Response(JSON.stringify({ op: 'success' }), { status: 200, headers: { 'content-type': 'application/json' } });
}
