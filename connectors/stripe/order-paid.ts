import type { NormalizeResult } from '../../core/connectors/definition.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { normalizeCurrency } from '../../core/triggers/money.js';
import type { StripeLookups } from './api.js';
import { customerFacts, mergeCustomer } from './customer.js';
import type { StripeEvent } from './event.js';
import { fromStripeAmount } from './money.js';
import { invoiceOrderId } from './order-key.js';
import { parseStripeObject, requiredField } from './payload.js';
import { chargeSchema, checkoutSessionSchema, invoiceSchema, paymentIntentSchema } from './schemas.js';

/**
 * The events that announce a paid purchase, each turned into the same `order.paid` (same id,
 * see order-key.ts). The amount points are earned on is what the event can tell:
 * - a Checkout Session reports shipping and tax: `amount_total − amount_shipping − amount_tax`;
 * - an invoice reports them too: `amount_paid − amount_shipping − taxes`;
 * - a PaymentIntent or a Charge does not: the whole amount received.
 * The ledger keeps the first event of a purchase that arrives, so which amount wins depends on
 * Stripe's delivery order. `total` is always the whole charge, the amount refunds are parts of.
 */
export interface PurchaseContext {
  event: StripeEvent;
  lookups: StripeLookups | undefined;
}

const OBJECT = '/data/object';

export async function checkoutSessionPaid({ event, lookups }: PurchaseContext): Promise<NormalizeResult> {
  const session = parseStripeObject(checkoutSessionSchema, event.data.object, OBJECT, 'checkout session');
  if (session.payment_status !== 'paid') {
    return ignored(`checkout session ${session.id} is ${session.payment_status}: points are earned once it is paid`);
  }
  const total = requiredField(session.amount_total, `${OBJECT}/amount_total`, 'a paid session has an amount');
  const currency = requiredField(session.currency, `${OBJECT}/currency`, 'a paid session has a currency');
  const excluded = (session.total_details?.amount_shipping ?? 0) + (session.total_details?.amount_tax ?? 0);
  const orderId = session.payment_intent ?? (session.invoice ? await invoiceOrderId({ id: session.invoice }, lookups) : session.id);
  const details = session.customer_details;
  return orderPaid(event, lookups, {
    orderId,
    currency,
    amount: Math.max(0, total - excluded),
    total,
    channel: 'online',
    customer: customerFacts({ id: session.customer, email: details?.email ?? session.customer_email, name: details?.name, phone: details?.phone }),
  });
}

export async function paymentIntentPaid({ event, lookups }: PurchaseContext): Promise<NormalizeResult> {
  const intent = parseStripeObject(paymentIntentSchema, event.data.object, OBJECT, 'payment intent');
  if (intent.status !== 'succeeded') return ignored(`payment intent ${intent.id} is ${intent.status}: points are earned once it succeeded`);
  const types = intent.payment_method_types ?? [];
  return orderPaid(event, lookups, {
    orderId: intent.id,
    currency: intent.currency,
    amount: intent.amount_received,
    total: intent.amount_received,
    channel: types.length > 0 && types.every(isInPerson) ? 'pos' : 'online',
    customer: customerFacts({ id: intent.customer, email: intent.receipt_email }),
  });
}

export async function chargePaid({ event, lookups }: PurchaseContext): Promise<NormalizeResult> {
  const charge = parseStripeObject(chargeSchema, event.data.object, OBJECT, 'charge');
  if (!charge.paid || charge.status !== 'succeeded') return ignored(`charge ${charge.id} is ${charge.status}: points are earned once it succeeded`);
  // An authorization is `paid` too; the money moves at capture (`charge.captured` follows).
  if (charge.captured === false) return ignored(`charge ${charge.id} is authorized but not captured yet`);
  const amount = charge.amount_captured ? charge.amount_captured : charge.amount;
  const billing = charge.billing_details;
  return orderPaid(event, lookups, {
    orderId: charge.payment_intent ?? charge.id,
    currency: charge.currency,
    amount,
    total: amount,
    channel: charge.payment_method_details && isInPerson(charge.payment_method_details.type) ? 'pos' : 'online',
    customer: customerFacts({ id: charge.customer, email: charge.receipt_email ?? billing?.email, name: billing?.name, phone: billing?.phone }),
  });
}

export async function invoicePaid({ event, lookups }: PurchaseContext): Promise<NormalizeResult> {
  const invoice = parseStripeObject(invoiceSchema, event.data.object, OBJECT, 'invoice');
  if (invoice.status !== 'paid' && invoice.paid !== true) return ignored(`invoice ${invoice.id} is ${invoice.status ?? 'not paid'}`);
  if (invoice.amount_paid === 0) return ignored(`invoice ${invoice.id} was paid with nothing (a trial or fully credited): no points`);
  const taxes = invoice.total_taxes ? invoice.total_taxes.reduce((sum, t) => sum + t.amount, 0) : (invoice.tax ?? 0);
  return orderPaid(event, lookups, {
    orderId: await invoiceOrderId(invoice, lookups),
    currency: invoice.currency,
    amount: Math.max(0, invoice.amount_paid - (invoice.amount_shipping ?? 0) - taxes),
    total: invoice.amount_paid,
    channel: 'online',
    customer: customerFacts({ id: invoice.customer, email: invoice.customer_email, name: invoice.customer_name, phone: invoice.customer_phone }),
  });
}

interface PaidFacts {
  orderId: string;
  /** Stripe's lower-case code. */
  currency: string;
  /** Stripe units (see money.ts). */
  amount: number;
  total: number;
  channel: string;
  customer: TriggerCustomer | undefined;
}

async function orderPaid(event: StripeEvent, lookups: StripeLookups | undefined, facts: PaidFacts): Promise<NormalizeResult> {
  const trigger: PlatformTrigger = {
    type: 'order.paid',
    source: 'stripe',
    occurredAt: event.created * 1000,
    order: {
      id: facts.orderId,
      channel: facts.channel,
      currency: normalizeCurrency(facts.currency),
      amount: fromStripeAmount(facts.amount, facts.currency),
      total: fromStripeAmount(facts.total, facts.currency),
      // Webhooks carry neither promotion codes (only their ids) nor line items (Checkout's need
      // another API call): Stripe orders earn on the amount alone.
      discountCodes: [],
      lineItems: [],
    },
  };
  const customer = await withEmail(facts.customer, lookups);
  if (customer) trigger.customer = customer;
  return { status: 'events', events: [trigger] };
}

/** The e-mail is what joins a Stripe buyer to the same person on other platforms: fetch it if missing. */
async function withEmail(customer: TriggerCustomer | undefined, lookups: StripeLookups | undefined): Promise<TriggerCustomer | undefined> {
  if (!customer?.platformId || customer.email || !lookups) return customer;
  return mergeCustomer(customer, await lookups.customer(customer.platformId));
}

/** Stripe Terminal: `card_present`, `interac_present`. */
function isInPerson(paymentMethodType: string): boolean {
  return paymentMethodType.endsWith('_present');
}

function ignored(reason: string): NormalizeResult {
  return { status: 'ignored', reason };
}
