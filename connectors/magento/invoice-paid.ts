import type { NormalizeResult } from '../../core/connectors/definition.js';
import { minorUnitsAt, parseWithSchema, requireFields } from '../../core/connectors/payload.js';
import { paidOrderOrIgnored } from './order-saved.js';
import type { MagentoRestApi } from './rest-api.js';
import { invoiceSchema, orderSchema } from './schemas.js';

/** Magento\Sales\Model\Order\Invoice::STATE_PAID. */
const STATE_PAID = 2;

/**
 * `sales_order_invoice_pay`: an invoice was paid (captured online, or marked paid offline). The
 * invoice names its order (`order_id`) but carries neither the buyer nor the order's totals, so the
 * order is read through the REST API (`GET /V1/orders/{order_id}`).
 *
 * Commerce sends this webhook from inside `Invoice::pay()`, before the order is saved with its new
 * `total_paid`; the REST API therefore still shows what was paid before this invoice, and the
 * order is fully paid when that plus this invoice reaches its grand total. An invoice that pays
 * part of the order is ignored; the one that completes it earns, once, on the whole order — the
 * same fact as the order's own save (order-saved.ts), whichever arrives first.
 *
 * Without REST access (MAGENTO_API_URL, MAGENTO_ACCESS_TOKEN) it is ignored with that reason: the
 * order's `sales_order_save_after` webhook earns on its own.
 */
export async function invoicePaid(data: Record<string, unknown>, api: MagentoRestApi | undefined): Promise<NormalizeResult> {
  const invoice = parseWithSchema(invoiceSchema, data.invoice, '/data/invoice', 'Magento invoice');
  const { orderId, currency } = requireFields<{ orderId: string; currency: string }>('invoice', {
    orderId: [invoice.order_id, '/data/invoice/order_id', 'the order entity id is required'],
    currency: [invoice.order_currency_code, '/data/invoice/order_currency_code', 'an ISO 4217 currency code is required'],
  });
  if (invoice.state !== undefined && invoice.state !== STATE_PAID) {
    return { status: 'ignored', reason: `the invoice of order ${orderId} is in state ${invoice.state}, not paid (2)` };
  }
  const invoiceTotal = minorUnitsAt(invoice.grand_total, currency, '/data/invoice/grand_total');
  if (!api) {
    return { status: 'ignored', reason: 'an invoice names no buyer: set MAGENTO_API_URL and MAGENTO_ACCESS_TOKEN to earn on it, or subscribe sales_order_save_after' };
  }
  const found = await api.order(orderId);
  if (found === undefined) return { status: 'ignored', reason: `order ${orderId} of the paid invoice is not found through the REST API` };
  const order = parseWithSchema(orderSchema, found, '', `Magento REST order ${orderId}`);
  if (order.order_currency_code !== currency) {
    return { status: 'ignored', reason: `the invoice is in ${currency} but order ${orderId} in ${order.order_currency_code ?? 'no currency'}` };
  }
  return paidOrderOrIgnored(order, '', { amount: invoiceTotal, at: invoice.created_at });
}
