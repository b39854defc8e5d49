/**
 * Stripe events around Stripe's own fixture objects (tests/fixtures/platform-samples/stripe: the
 * objects stripe-mock serves), put into the state of one purchase. The fixtures are
 * schema-complete but not state-consistent, so each builder sets status and amounts.
 */
import { sample, type Json } from './webhook-helpers.js';

export const PI = 'pi_3PurchaseB7WZ01zgkW0000001';
export const CHARGE = 'ch_3PurchaseB7WZ01zgkW0000001';
export const CUSTOMER = 'cus_QXg1o8vcGmoR32';

export interface Purchase {
  pi?: string;
  charge?: string;
  customer?: string | null;
  email?: string | null;
  /** Stripe's minor units (JPY: yen). */
  amount?: number;
  currency?: string;
}

let events = 0;

/** A snapshot event in the envelope of event_envelope_plan_created.json. */
export function stripeEvent(type: string, object: Json, id = `evt_1E2E${String(++events).padStart(8, '0')}`): Json {
  return {
    ...sample('stripe', 'event_envelope_plan_created'),
    id,
    type,
    created: Math.floor(Date.now() / 1000) - 2,
    api_version: '2025-03-31.basil',
    data: { object },
    request: { id: 'req_e2e', idempotency_key: null },
  };
}

const defaults = (p: Purchase) => ({ pi: PI, charge: CHARGE, customer: CUSTOMER, email: 'ann@example.com', amount: 4200, currency: 'usd', ...p });

export function paidSession(purchase: Purchase = {}, changes: Json = {}): Json {
  const p = defaults(purchase);
  const base = sample('stripe', 'checkout_session');
  return {
    ...base,
    id: 'cs_test_e2e000001',
    status: 'complete',
    payment_status: 'paid',
    amount_subtotal: p.amount,
    amount_total: p.amount,
    currency: p.currency,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    payment_intent: p.pi,
    customer: p.customer,
    customer_email: null,
    customer_details: { ...(base.customer_details as Json), email: p.email, name: 'Ann Lee' },
    ...changes,
  };
}

export function succeededIntent(purchase: Purchase = {}, changes: Json = {}): Json {
  const p = defaults(purchase);
  return {
    ...sample('stripe', 'payment_intent'),
    id: p.pi,
    status: 'succeeded',
    amount: p.amount,
    amount_received: p.amount,
    currency: p.currency,
    customer: p.customer,
    receipt_email: p.email,
    latest_charge: p.charge,
    payment_method_types: ['card'],
    ...changes,
  };
}

export function succeededCharge(purchase: Purchase = {}, changes: Json = {}): Json {
  const p = defaults(purchase);
  const base = sample('stripe', 'charge');
  return {
    ...base,
    id: p.charge,
    amount: p.amount,
    amount_captured: p.amount,
    captured: true,
    paid: true,
    status: 'succeeded',
    currency: p.currency,
    payment_intent: p.pi,
    customer: p.customer,
    receipt_email: p.email,
    billing_details: { ...(base.billing_details as Json), email: p.email, name: 'Ann Lee' },
    ...changes,
  };
}

/** The charge after refunds adding up to `amountRefunded` (Stripe's cumulative figure). */
export function refundedCharge(amountRefunded: number, purchase: Purchase = {}): Json {
  const charge = succeededCharge(purchase);
  return { ...charge, amount_refunded: amountRefunded, refunded: amountRefunded === charge.amount };
}

export function paidInvoice(purchase: Purchase = {}, changes: Json = {}): Json {
  const p = defaults(purchase);
  return {
    ...sample('stripe', 'invoice'),
    id: 'in_1E2E000001',
    status: 'paid',
    amount_due: p.amount,
    amount_paid: p.amount,
    amount_remaining: 0,
    total: p.amount,
    subtotal: p.amount,
    currency: p.currency,
    customer: p.customer,
    customer_email: p.email,
    total_taxes: [],
    // Expanded on this endpoint: since API 2025-03-31.basil the PaymentIntent is only here.
    payments: { object: 'list', data: [{ object: 'invoice_payment', status: 'paid', payment: { type: 'payment_intent', payment_intent: p.pi } }], has_more: false, url: '/v1/invoice_payments' },
    ...changes,
  };
}
