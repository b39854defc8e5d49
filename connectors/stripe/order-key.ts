import type { StripeLookups } from './api.js';

/*
 * One purchase, one order id (docs/connectors/stripe.md). Stripe announces a purchase several
 * times — `checkout.session.completed`, `payment_intent.succeeded`, `charge.succeeded`,
 * `invoice.paid` — and the ledger must earn once, so every one of them names the order by the
 * PaymentIntent that moved the money (`pi_…`); the core derives the order's identity from it.
 * Only when there is none does an order fall back to its own id: a legacy Charges-API charge
 * (`ch_…`), an invoice paid without one (`in_…`, e.g. from credit balance), a session that never
 * had one (`cs_…`).
 */

/**
 * The PaymentIntent that paid an invoice. Before API version 2025-03-31.basil it is on the
 * invoice; since then only in its `payments` list, which webhooks carry only when expanded — so
 * with an API key it is looked up, and without one the invoice stays `in_…` (and an invoice
 * paid by card would count separately from its `payment_intent.succeeded`: see the docs).
 */
export async function invoiceOrderId(
  invoice: { id: string; payment_intent?: string; payments?: { data: { payment?: { payment_intent?: string } | null }[] } | null },
  lookups: StripeLookups | undefined,
): Promise<string> {
  const listed = invoice.payments?.data.map((p) => p.payment?.payment_intent).find((pi) => pi !== undefined);
  const known = invoice.payment_intent ?? listed;
  if (known) return known;
  return (await lookups?.invoicePaymentIntent(invoice.id)) ?? invoice.id;
}
