import type { NormalizeResult } from '../../core/connectors/definition.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { normalizeCurrency } from '../../core/triggers/money.js';
import { occurredAt, type SquareEvent } from './event.js';
import type { SquareOrderLookup } from './orders-api.js';
import { parseSquareObject } from './payload.js';
import { paymentSchema, type SquarePayment } from './schemas.js';

/**
 * `payment.created` / `payment.updated` → `order.paid` once the payment is COMPLETED.
 *
 * The purchase's order id is the payment's (the core keys it `square:order:<payment id>`), which every event about it
 * names: `payment.created` and each later `payment.updated` of the same payment are one fact, and
 * a refund — which names its payment, while its `order_id` is a new order Square creates for the
 * refund — finds the purchase it reverses. An order paid with two tenders (card + cash) earns on
 * both payments.
 *
 * The amount is `amount_money`, which Square reports without the tip. When the order is looked
 * up (SQUARE_ACCESS_TOKEN) and this payment paid all of it, its tax and service charges come
 * off too and its lines are attached.
 */
export async function paymentCompleted(event: SquareEvent, orders: SquareOrderLookup | undefined): Promise<NormalizeResult> {
  const payment = parseSquareObject(paymentSchema, event.data.object?.payment, '/data/object/payment', 'payment');
  if (payment.status !== 'COMPLETED') {
    return { status: 'ignored', reason: `payment ${payment.id} is ${payment.status}: points are earned once it is COMPLETED` };
  }
  const paid = payment.amount_money.amount;
  const details = payment.order_id && orders ? await orders.order(payment.order_id) : undefined;
  // Lines and taxes belong to the order; only a payment that paid the whole order may carry them.
  const wholeOrder = details && details.tenderCount <= 1 ? details : undefined;

  const trigger: PlatformTrigger = {
    type: 'order.paid',
    source: 'square',
    occurredAt: occurredAt(event),
    order: {
      id: payment.id,
      channel: squareChannel(payment),
      currency: normalizeCurrency(payment.amount_money.currency),
      amount: wholeOrder ? Math.max(0, paid - wholeOrder.taxes - wholeOrder.serviceCharges) : paid,
      total: payment.total_money?.amount ?? paid + (payment.tip_money?.amount ?? 0),
      discountCodes: [],
      lineItems: wholeOrder?.lineItems ?? [],
    },
  };
  if (payment.location_id) trigger.order.location = payment.location_id;
  if (payment.order_id) trigger.attributes = { squareOrderId: payment.order_id };
  const customer = paymentCustomer(payment);
  if (customer) trigger.customer = customer;
  return { status: 'events', events: [trigger] };
}

/**
 * Square is mostly a point of sale; a payment is `online` only when the product that took it
 * says so (Square Online, the e-commerce API, a paid invoice).
 */
const ONLINE_PRODUCTS = new Set(['ONLINE_STORE', 'ECOMMERCE_API', 'INVOICES']);

function squareChannel(payment: SquarePayment): 'online' | 'pos' {
  const product = payment.application_details?.square_product;
  return product && ONLINE_PRODUCTS.has(product) ? 'online' : 'pos';
}

function paymentCustomer(payment: SquarePayment): TriggerCustomer | undefined {
  const customer: TriggerCustomer = {};
  if (payment.customer_id) customer.platformId = payment.customer_id;
  if (payment.buyer_email_address) customer.email = payment.buyer_email_address;
  return Object.keys(customer).length > 0 ? customer : undefined;
}
