import type { NormalizeResult } from '../../core/connectors/definition.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { LightspeedApi } from './api.js';
import { saleVoided, tookPayment } from './cancel.js';
import { saleCurrency } from './currency.js';
import { saleCustomer } from './customer.js';
import { salePaid } from './order-paid.js';
import { saleReturned } from './refund.js';
import { saleAmounts, saleOccurredAt } from './sale.js';
import type { LightspeedSale } from './schemas.js';

/**
 * The statuses of a finished sale: paid in full at the till, a layby paid off, an account sale
 * settled. SAVED (parked), LAYBY and ONACCOUNT are not finished; `sale.update` fires again when
 * they are (docs/connectors/lightspeed.md, "What earns").
 */
const FINISHED = new Set(['CLOSED', 'LAYBY_CLOSED', 'ONACCOUNT_CLOSED']);

export interface SaleContext {
  /** LIGHTSPEED_CURRENCY, when set. */
  currency?: string;
  api?: LightspeedApi;
}

/**
 * `sale.update` → what it means for loyalty:
 * - a finished sale earns on what it sold (`order.paid`, keyed by the sale id);
 * - a finished return (`return_for`) takes back the value of its returned lines from the sale it
 *   names (`order.refunded`, refund id = the return's id); what it sold besides (an exchange)
 *   earns as a sale of its own;
 * - goods returned without naming their sale cannot be matched to any earn: that part is ignored;
 * - a voided sale that took a payment is cancelled (`order.cancelled`).
 */
export async function saleUpdated(sale: LightspeedSale, context: SaleContext): Promise<NormalizeResult> {
  const status = sale.status?.toUpperCase();
  if (status === 'VOIDED') {
    if (sale.return_for) return { status: 'ignored', reason: `return ${sale.id} was voided: a return is not undone, what it took back stays taken back` };
    if (!tookPayment(sale)) return { status: 'ignored', reason: `sale ${sale.id} was voided before it took a payment, so it earned nothing` };
    return { status: 'events', events: [saleVoided(sale, saleOccurredAt(sale))] };
  }
  if (!status || !FINISHED.has(status)) {
    return { status: 'ignored', reason: `sale ${sale.id} is ${status ?? 'without a status'}: points are earned once it is CLOSED` };
  }

  const occurredAt = saleOccurredAt(sale);
  const currency = await saleCurrency(sale, context.currency, context.api);
  const { sold, returned } = saleAmounts(sale, currency);
  const linked = sale.return_for ? (sale as LightspeedSale & { return_for: string }) : undefined;
  // What the sale earns on: all it sold when it names the sale it returns goods of (the return
  // is taken back from that one); otherwise its net, as Lightspeed totals it.
  const earns = linked ? sold : sold - returned;
  if (earns <= 0 && !(linked && returned > 0)) {
    return {
      status: 'ignored',
      reason: returned > 0 ? `sale ${sale.id} returns goods without naming the sale they came from (no return_for): nothing to take back from` : `sale ${sale.id} sold nothing`,
    };
  }

  const customer = await saleCustomer(sale, context.api);
  const facts = { currency, occurredAt, ...(customer ? { customer } : {}) };
  const events: PlatformTrigger[] = [];
  if (linked && returned > 0) events.push(saleReturned(linked, { ...facts, amount: returned }));
  if (earns > 0) events.push(salePaid(sale, { ...facts, amount: earns, withTax: returned === 0 }));
  return { status: 'events', events };
}
