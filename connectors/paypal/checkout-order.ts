import type { NormalizeResult } from '../../core/connectors/definition.js';
import { minorUnitsAt } from '../../core/connectors/payload.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { orderPayer } from './customer.js';
import { occurredAt, readResource, type PayPalEvent } from './event.js';
import { currencyAt } from './money.js';
import { completedOrderSchema } from './schemas.js';

/**
 * `CHECKOUT.ORDER.COMPLETED` → one `order.paid` per COMPLETED capture the order lists. It
 * announces the same money as `PAYMENT.CAPTURE.COMPLETED`, under the same key — the capture id
 * (order-paid.ts) — so whichever of the two arrives first earns and the other is a duplicate.
 * The order carries its payer itself: no look-up. An order with nothing captured yet (approved,
 * authorized) is ignored: its captures will be announced.
 */
export function checkoutOrderCompleted(event: PayPalEvent): NormalizeResult {
  const order = readResource(event, completedOrderSchema, 'order');
  const customer = orderPayer(order);
  const events: PlatformTrigger[] = [];
  order.purchase_units.forEach((unit, u) => {
    (unit.payments?.captures ?? []).forEach((capture, c) => {
      if (capture.status !== 'COMPLETED') return;
      const at = `/resource/purchase_units/${u}/payments/captures/${c}/amount`;
      const currency = currencyAt(capture.amount.currency_code, `${at}/currency_code`);
      const paid = minorUnitsAt(capture.amount.value, currency, `${at}/value`);
      const trigger: PlatformTrigger = {
        type: 'order.paid',
        source: 'paypal',
        occurredAt: occurredAt(event),
        order: { id: capture.id, channel: 'online', currency, amount: paid, total: paid, discountCodes: [], lineItems: [] },
        attributes: { paypalOrderId: order.id, ...(capture.invoice_id ? { invoiceId: capture.invoice_id } : {}) },
      };
      if (customer) trigger.customer = customer;
      events.push(trigger);
    });
  });
  if (events.length === 0) return { status: 'ignored', reason: `order ${order.id} has no COMPLETED capture: points are earned on its captures` };
  return { status: 'events', events };
}
