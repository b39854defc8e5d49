import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { LightspeedSale } from './schemas.js';

/**
 * A voided sale → `order.cancelled`: Lightspeed voids a sale as a whole, so whatever it earned is
 * taken back. Only a sale that took a payment can have earned: a parked sale discarded unpaid is
 * VOIDED too, and announcing its cancellation would leave the core an unmatched cancellation.
 */
export function tookPayment(sale: LightspeedSale): boolean {
  return sale.register_sale_payments.some((p) => p.amount !== undefined && p.amount !== null && Number(p.amount) !== 0);
}

export function saleVoided(sale: LightspeedSale, occurredAt: number): PlatformTrigger {
  return { type: 'order.cancelled', source: 'lightspeed', occurredAt, order: { id: sale.id } };
}
