import type { NormalizeResult } from '../../core/connectors/definition.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import { creditmemoSaved } from './creditmemo-saved.js';
import { invoicePaid } from './invoice-paid.js';
import { orderSaved } from './order-saved.js';
import type { MagentoRestApi } from './rest-api.js';
import { hookSchema } from './schemas.js';

type HookNormalizer = (data: Record<string, unknown>, api: MagentoRestApi | undefined) => Promise<NormalizeResult> | NormalizeResult;

/**
 * The observer events whose webhooks matter to loyalty (docs/connectors/magento.md lists the
 * webhooks.xml). Commerce cancels only unpaid orders, on which nothing was earned, so there is no
 * cancellation; every other event is answered `ignored`.
 */
const HOOKS: Record<string, HookNormalizer> = {
  sales_order_save_after: (data) => orderSaved(data),
  sales_order_save_commit_after: (data) => orderSaved(data),
  sales_order_invoice_pay: invoicePaid,
  sales_order_creditmemo_save_after: (data) => creditmemoSaved(data),
  sales_order_creditmemo_save_commit_after: (data) => creditmemoSaved(data),
};

/** An Adobe Commerce webhook, default payload: `{ eventName, data }`. */
export async function hookEvents(body: unknown, api: MagentoRestApi | undefined): Promise<NormalizeResult> {
  const hook = parseWithSchema(hookSchema, body, '', 'Adobe Commerce webhook');
  const eventName = hook.eventName.replace(/^observer\./, '');
  const normalize = HOOKS[eventName];
  if (!normalize) return { status: 'ignored', reason: `Adobe Commerce event ${eventName} is not used for loyalty` };
  return normalize(hook.data, api);
}
