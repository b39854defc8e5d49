import { bodyOf } from '../../core/connectors/body.js';
import { InboundPayloadError, type InboundHandler } from '../../core/connectors/definition.js';
import type { Logger } from '../../core/observability/logger.js';
import { acknowledgeCommerceHook } from './acknowledge.js';
import { isCommerceHook, isThinNotification, topicOf } from './delivery-kind.js';
import { checkNotificationFreshness } from './freshness.js';
import { hookEvents } from './hook.js';
import { notificationEvents } from './notification.js';
import { createMagentoRestApi, type MagentoRestApi } from './rest-api.js';
import { magentoSignatureVerifier, readPublicKey } from './signature.js';

export interface MagentoInboundOptions {
  /** `MAGENTO_WEBHOOK_PUBLIC_KEY`: the PEM from the Admin's Digital Signature Configuration. */
  publicKey: string;
  /** `MAGENTO_API_URL` and `MAGENTO_ACCESS_TOKEN`: REST look-ups, only with both. */
  apiUrl?: string;
  accessToken?: string;
  logger: Logger;
  /** For the notifications' `sent_at` tolerance; `Date.now()` by default. */
  clock?: () => number;
}

export function createMagentoInbound(options: MagentoInboundOptions): InboundHandler {
  const publicKey = readPublicKey(options.publicKey);
  // The hub starts anyway, and refuses every delivery with this reason (signature.ts).
  if ('problem' in publicKey) options.logger.error(`magento: ${publicKey.problem}; every webhook will be refused`);
  const checkSignature = magentoSignatureVerifier(publicKey);
  const clock = options.clock ?? Date.now;
  const api = restApi(options);

  return {
    verify(request) {
      const signed = checkSignature(request);
      return signed.ok ? checkNotificationFreshness(request, clock()) : signed;
    },
    // Neither kind of delivery has an id. Commerce's x-adobe-commerce-request-id traces the store's
    // request in its logs (docs/connectors/magento.md) — the hooks of one request may share it —
    // so the core's default applies: the body's sha256, the same for a resend of the same bytes.
    deliveryId: () => undefined,
    topic: topicOf,
    async normalize(request) {
      if (isCommerceHook(request)) return hookEvents(bodyOf(request), api);
      if (isThinNotification(request)) return notificationEvents(bodyOf(request), api);
      throw new InboundPayloadError('neither an Adobe Commerce webhook nor a notification', [
        { pointer: '', detail: 'expected an object with eventName and data (Adobe Commerce) or event (notification)' },
      ]);
    },
    acknowledge: acknowledgeCommerceHook,
  };
}

function restApi(options: MagentoInboundOptions): MagentoRestApi | undefined {
  const apiUrl = options.apiUrl?.trim();
  const accessToken = options.accessToken?.trim();
  if (apiUrl && accessToken) return createMagentoRestApi({ apiUrl, accessToken, logger: options.logger });
  if (apiUrl || accessToken) options.logger.warn('magento: REST look-ups need both MAGENTO_API_URL and MAGENTO_ACCESS_TOKEN; invoices and notifications are ignored until both are set');
  return undefined;
}
