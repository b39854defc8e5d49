import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';
import { isThinNotification } from './delivery-kind.js';

/**
 * The thin notification (docs/connectors/magento.md, "Magento Open Source") dates itself in the
 * signed body (`sent_at`), so a captured notification replayed later is refused like a stale
 * signature: within 5 minutes either way of the hub's clock, as the other connectors that sign a
 * time (docs/adding-a-connector.md, "Signature"). The sender signs a new `sent_at` on every
 * retry; the order's identity, not the bytes, keeps a retry from earning twice.
 *
 * Adobe Commerce's own webhooks carry no send time, so they are not checked here.
 */
export const NOTIFICATION_TOLERANCE_SECONDS = 300;

export function checkNotificationFreshness(request: InboundRequest, now: number): VerifyResult {
  const notification = isThinNotification(request);
  if (!notification) return { ok: true };
  const sentAt = notification.sent_at;
  const at = typeof sentAt === 'number' ? sentAt * 1000 : typeof sentAt === 'string' && /(Z|[+-]\d{2}:?\d{2})$/i.test(sentAt.trim()) ? Date.parse(sentAt) : NaN;
  if (!Number.isFinite(at)) return { ok: false, reason: 'the notification lacks sent_at (ISO 8601 with a zone, or epoch seconds), which its signature dates' };
  const skew = Math.round((now - at) / 1000);
  if (Math.abs(skew) > NOTIFICATION_TOLERANCE_SECONDS) {
    return { ok: false, reason: `sent_at is ${Math.abs(skew)} s ${skew > 0 ? 'old' : 'in the future'}; notifications are accepted within ${NOTIFICATION_TOLERANCE_SECONDS} s` };
  }
  return { ok: true };
}
