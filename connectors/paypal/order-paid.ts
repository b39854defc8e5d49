import type { NormalizeResult } from '../../core/connectors/definition.js';
import { minorUnitsAt } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { orderPayer, paymentPayer } from './customer.js';
import { occurredAt, readResource, type PayPalEvent } from './event.js';
import type { PayPalPayerLookup } from './payer-api.js';
import { currencyAt } from './money.js';
import { captureSchema, saleSchema } from './schemas.js';

/**
 * `PAYMENT.CAPTURE.COMPLETED` (Payments v2) → `order.paid`, keyed by the capture id.
 *
 * Why the capture and not the checkout order (docs/connectors/paypal.md, "One capture, one
 * earn"): a refund names only the capture it returns money from (its `up` link), and an order
 * authorized once may be captured in several parts, each its own money. Keyed by capture, each
 * part earns once and each refund finds exactly what it takes back from; keyed by order, the
 * second part would be a duplicate and the refund would have to look its order up. Every
 * redelivery of the event names the same capture, so it earns once. The checkout order id is
 * kept as `attributes.paypalOrderId` and is where the payer comes from (./payer-api.ts).
 *
 * The amount is the captured gross: a capture carries no breakdown of shipping and tax.
 */
export async function captureCompleted(event: PayPalEvent, payers: PayPalPayerLookup): Promise<NormalizeResult> {
  const capture = readResource(event, captureSchema, 'capture');
  if (capture.status !== 'COMPLETED') {
    return { status: 'ignored', reason: `capture ${capture.id} is ${capture.status}: points are earned once it is COMPLETED` };
  }
  const currency = currencyAt(capture.amount.currency_code, '/resource/amount/currency_code');
  const paid = minorUnitsAt(capture.amount.value, currency, '/resource/amount/value');
  const orderId = capture.supplementary_data?.related_ids?.order_id ?? checkoutOrderFromLinks(capture.links);
  const order = orderId ? await payers.order(orderId) : undefined;

  const trigger: PlatformTrigger = {
    type: 'order.paid',
    source: 'paypal',
    occurredAt: occurredAt(event),
    order: { id: capture.id, channel: 'online', currency, amount: paid, total: paid, discountCodes: [], lineItems: [] },
  };
  const attributes: Record<string, string> = {};
  if (orderId) attributes.paypalOrderId = orderId;
  if (capture.invoice_id) attributes.invoiceId = capture.invoice_id;
  if (Object.keys(attributes).length > 0) trigger.attributes = attributes;
  const customer = order ? orderPayer(order) : undefined;
  if (customer) trigger.customer = customer;
  return { status: 'events', events: [trigger] };
}

/**
 * `PAYMENT.SALE.COMPLETED` (Payments v1, still sent for older integrations and subscriptions)
 * → `order.paid`, keyed by the sale id, which is what a v1 refund names (`sale_id`). The amount
 * is the items' subtotal when PayPal breaks the total down (shipping, tax and handling left
 * out), else the total. A sale names no payer: it comes from the sale's payment
 * (`parent_payment`, ./payer-api.ts); a sale without one (some subscription payments) names nobody
 * and is never credited (docs/program.md, "Guest orders").
 */
export async function saleCompleted(event: PayPalEvent, payers: PayPalPayerLookup): Promise<NormalizeResult> {
  const sale = readResource(event, saleSchema, 'sale');
  if (sale.state !== 'completed') {
    return { status: 'ignored', reason: `sale ${sale.id} is ${sale.state}: points are earned once it is completed` };
  }
  const currency = currencyAt(sale.amount.currency, '/resource/amount/currency');
  const total = minorUnitsAt(sale.amount.total, currency, '/resource/amount/total');
  const subtotal = sale.amount.details?.subtotal;
  const amount = subtotal === undefined || subtotal === null ? total : minorUnitsAt(subtotal, currency, '/resource/amount/details/subtotal');
  const trigger: PlatformTrigger = {
    type: 'order.paid',
    source: 'paypal',
    occurredAt: occurredAt(event),
    order: { id: sale.id, channel: 'online', currency, amount: Math.min(amount, total), total, discountCodes: [], lineItems: [] },
  };
  const attributes: Record<string, string> = {};
  if (sale.parent_payment) attributes.paypalPaymentId = sale.parent_payment;
  if (sale.invoice_number) attributes.invoiceId = sale.invoice_number;
  if (Object.keys(attributes).length > 0) trigger.attributes = attributes;
  const payment = sale.parent_payment ? await payers.payment(sale.parent_payment) : undefined;
  const customer = payment ? paymentPayer(payment) : undefined;
  if (customer) trigger.customer = customer;
  return { status: 'events', events: [trigger] };
}

/** A capture made without `supplementary_data` still links its order (`up` → /v2/checkout/orders/{id}). */
function checkoutOrderFromLinks(links: { href?: string; rel?: string }[]): string | undefined {
  const up = links.find((l) => l.rel === 'up')?.href;
  return up ? /\/v2\/checkout\/orders\/([A-Z0-9]{1,36})$/.exec(up)?.[1] : undefined;
}
