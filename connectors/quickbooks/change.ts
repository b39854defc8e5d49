import type { Logger } from '../../core/observability/logger.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { QuickBooksApi } from './api.js';

/** What reading one entity change needs. */
export interface ChangeContext {
  api: QuickBooksApi;
  logger: Logger;
}

/** One change of a notification: trigger events, or why it earns or takes back nothing. */
export type ChangeResult = { events: PlatformTrigger[] } | { ignored: string };

export const SOURCE = 'quickbooks';

/**
 * The order id of a sale: realm, kind and QuickBooks id (`9130…:invoice:130`). QuickBooks ids
 * are unique per company and entity, so both are part of it; an invoice keeps this id whichever
 * notification (the invoice's or a payment's) announces it paid (order-paid.ts).
 */
export function saleOrderId(realmId: string, kind: 'invoice' | 'salesreceipt', id: string): string {
  return `${realmId}:${kind}:${id}`;
}

/** The sale kind a linked transaction names, if it is one points are earned on. */
export function saleKind(txnType: string | undefined): 'invoice' | 'salesreceipt' | undefined {
  if (txnType === 'Invoice') return 'invoice';
  if (txnType === 'SalesReceipt') return 'salesreceipt';
  return undefined;
}
