import type { NormalizeResult } from '../../core/connectors/definition.js';
import { minorUnitsAt } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { occurredAt, readResource, type PayPalEvent } from './event.js';
import { currencyAt } from './money.js';
import { refundSchema, saleRefundSchema } from './schemas.js';

/**
 * `PAYMENT.CAPTURE.REFUNDED` and `PAYMENT.CAPTURE.REVERSED` (money returned by PayPal, e.g. after
 * a dispute) → `order.refunded` once the refund is COMPLETED. Each PayPal refund is its own
 * amount with its own id (the core keys it `paypal:refund:<refund id>`); the purchase it takes
 * back from is the capture its `up` link names — the id the capture earned under (order-paid.ts).
 * Refund and capture amounts are both the gross, so the core takes back the refund's share of
 * the capture (`measuredAgainst: 'total'`): 10.00 of 30.00 is a third of the points, and a last
 * refund larger than what is left takes back only the rest.
 */
export function captureRefunded(event: PayPalEvent): NormalizeResult {
  const refund = readResource(event, refundSchema, 'refund');
  if (refund.status !== 'COMPLETED') {
    return { status: 'ignored', reason: `refund ${refund.id} is ${refund.status}: points are taken back once it is COMPLETED` };
  }
  const captureId = refund.supplementary_data?.related_ids?.capture_id ?? captureFromLinks(refund.links);
  if (!captureId) return { status: 'ignored', reason: `refund ${refund.id} names no capture, so no purchase to take back from` };
  const currency = currencyAt(refund.amount.currency_code, '/resource/amount/currency_code');
  const trigger: PlatformTrigger = {
    type: 'order.refunded',
    source: 'paypal',
    occurredAt: occurredAt(event),
    refund: {
      orderId: captureId,
      refundId: refund.id,
      measuredAgainst: 'total',
      currency,
      amount: Math.abs(minorUnitsAt(refund.amount.value, currency, '/resource/amount/value')),
    },
  };
  return { status: 'events', events: [trigger] };
}

/**
 * `PAYMENT.SALE.REFUNDED` (Payments v1) → `order.refunded` of the sale it names (`sale_id`, the
 * id the sale earned under). PayPal writes the refunded total negative ("-0.01"): its size is
 * the refund.
 */
export function saleRefunded(event: PayPalEvent): NormalizeResult {
  const refund = readResource(event, saleRefundSchema, 'sale refund');
  if (refund.state !== 'completed') {
    return { status: 'ignored', reason: `refund ${refund.id} is ${refund.state}: points are taken back once it is completed` };
  }
  if (!refund.sale_id) return { status: 'ignored', reason: `refund ${refund.id} names no sale, so no purchase to take back from` };
  const currency = currencyAt(refund.amount.currency, '/resource/amount/currency');
  const trigger: PlatformTrigger = {
    type: 'order.refunded',
    source: 'paypal',
    occurredAt: occurredAt(event),
    refund: {
      orderId: refund.sale_id,
      refundId: refund.id,
      measuredAgainst: 'total',
      currency,
      amount: Math.abs(minorUnitsAt(refund.amount.total, currency, '/resource/amount/total')),
    },
  };
  if (refund.parent_payment) trigger.attributes = { paypalPaymentId: refund.parent_payment };
  return { status: 'events', events: [trigger] };
}

/** `…/v2/payments/captures/{id}` of the refund's `up` link. */
function captureFromLinks(links: { href?: string; rel?: string }[]): string | undefined {
  const up = links.find((l) => l.rel === 'up')?.href;
  return up ? /\/v2\/payments\/captures\/([A-Za-z0-9]{1,36})$/.exec(up)?.[1] : undefined;
}
