import { saleOrderId, SOURCE, type ChangeResult } from './change.js';
import type { EntityChange } from './notification.js';

/**
 * A voided or deleted Invoice or SalesReceipt → `order.cancelled` of that sale: what it earned is
 * taken back. Nothing is looked up (a deleted entity cannot be read). A sale that never earned
 * (an unpaid invoice voided) leaves the cancellation waiting in the core, harmlessly: the sale
 * cannot be paid any more.
 */
export function saleCancelled(change: EntityChange): ChangeResult {
  const kind = change.entity === 'Invoice' ? 'invoice' : 'salesreceipt';
  return {
    events: [
      {
        type: 'order.cancelled',
        source: SOURCE,
        occurredAt: change.occurredAt,
        order: { id: saleOrderId(change.realmId, kind, change.entityId) },
        attributes: { quickbooksRealmId: change.realmId, quickbooksOperation: change.operation },
      },
    ],
  };
}
