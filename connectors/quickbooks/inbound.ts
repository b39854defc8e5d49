import type { InboundHandler, NormalizeResult } from '../../core/connectors/definition.js';
import { hmacVerifier } from '../../core/connectors/hmac-signature.js';
import type { Logger } from '../../core/observability/logger.js';
import { identifyTrigger, type PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { QuickBooksApi } from './api.js';
import { saleCancelled } from './cancel.js';
import type { ChangeContext, ChangeResult } from './change.js';
import { notificationDeliveryId, notificationTopic, readNotification, type EntityChange } from './notification.js';
import { invoiceChanged, paymentChanged, salesReceiptChanged } from './order-paid.js';
import { refundChanged } from './refund.js';
import { QUICKBOOKS_SIGNATURE } from './signature.js';

export interface QuickBooksInboundOptions {
  /** `QUICKBOOKS_VERIFIER_TOKEN`: the app's webhook Verifier Token. */
  verifierToken: string;
  api: QuickBooksApi;
  logger: Logger;
}

type ChangeReader = (change: EntityChange, ctx: ChangeContext) => Promise<ChangeResult> | ChangeResult;

const READ: Record<string, ChangeReader> = {
  Invoice: invoiceChanged,
  Payment: paymentChanged,
  SalesReceipt: salesReceiptChanged,
  RefundReceipt: refundChanged,
  CreditMemo: refundChanged,
};

/** Operations after which an entity is read again; `Emailed` changes nothing that earns. */
const READ_AFTER = new Set(['Create', 'Update']);

function readerFor(change: EntityChange): ChangeReader | string {
  const read = READ[change.entity];
  if (!read) return `${change.entity} changes are not used for loyalty`;
  if ((change.entity === 'Invoice' || change.entity === 'SalesReceipt') && (change.operation === 'Void' || change.operation === 'Delete')) return saleCancelled;
  if (READ_AFTER.has(change.operation)) return read;
  return `${change.entity} ${change.operation} is not used for loyalty`;
}

/**
 * `POST /webhooks/quickbooks`: one notification (docs/connectors/quickbooks.md) is verified once
 * by its HMAC, then every entity change it lists, in every realm, is read through the API
 * (api.ts) and translated; the delivery's trigger events are all of theirs. A look-up that
 * fails for a passing reason throws, and Intuit delivers the whole notification again: what was
 * already applied is then a duplicate, so nothing earns twice.
 */
export function createQuickBooksInbound(options: QuickBooksInboundOptions): InboundHandler {
  const ctx: ChangeContext = { api: options.api, logger: options.logger };
  return {
    verify: hmacVerifier(QUICKBOOKS_SIGNATURE, options.verifierToken),
    deliveryId: notificationDeliveryId,
    topic: notificationTopic,
    async normalize(request): Promise<NormalizeResult> {
      const events: PlatformTrigger[] = [];
      const seen = new Set<string>();
      const reasons: string[] = [];
      for (const change of readNotification(request)) {
        const reader = readerFor(change);
        const result = typeof reader === 'string' ? { ignored: reader } : await reader(change, ctx);
        if ('ignored' in result) {
          reasons.push(`${change.realmId}/${change.entity} ${change.entityId}: ${result.ignored}`);
          continue;
        }
        // An invoice announced twice in one notification (its update and its payment) is one fact.
        for (const event of result.events) {
          const key = `${event.type} ${identifyTrigger(event).id}`;
          if (!seen.has(key)) events.push(event);
          seen.add(key);
        }
      }
      if (reasons.length) options.logger.info('quickbooks changes ignored', { reasons: reasons.slice(0, 20) });
      return events.length ? { status: 'events', events } : { status: 'ignored', reason: reasons.join('; ') || 'no entity changes' };
    },
  };
}
