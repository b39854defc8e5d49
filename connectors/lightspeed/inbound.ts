import { hmacVerifier } from '../../core/connectors/hmac-signature.js';
import type { InboundHandler } from '../../core/connectors/definition.js';
import type { Logger } from '../../core/observability/logger.js';
import { createLightspeedApi, lightspeedApiUrl } from './api.js';
import { deliveryStore, deliveryType, looksLikeSale, readSale } from './sale.js';
import { saleUpdated } from './sale-update.js';
import { LIGHTSPEED_SIGNATURE } from './signature.js';

export interface LightspeedInboundOptions {
  /** `LIGHTSPEED_CLIENT_SECRET`: the app's client secret, which signs its webhooks. */
  clientSecret: string;
  /** `LIGHTSPEED_DOMAIN_PREFIX`: the store this hub serves (`<prefix>.retail.lightspeed.app`). */
  domainPrefix: string;
  /** `LIGHTSPEED_ACCESS_TOKEN`: enables customer and outlet look-ups. */
  accessToken?: string;
  /** `LIGHTSPEED_API_URL`: base-URL override of API 2.0. */
  apiUrl?: string;
  /** `LIGHTSPEED_CURRENCY`: the stores' currency, instead of reading it from the outlet. */
  currency?: string;
  logger: Logger;
}

export function createLightspeedInbound(options: LightspeedInboundOptions): InboundHandler {
  const api = options.accessToken
    ? createLightspeedApi({ accessToken: options.accessToken, baseUrl: lightspeedApiUrl(options.domainPrefix, options.apiUrl), logger: options.logger })
    : undefined;
  const store = options.domainPrefix.toLowerCase();

  return {
    verify: hmacVerifier(LIGHTSPEED_SIGNATURE, options.clientSecret),
    // Lightspeed sends no delivery id: the core keys a delivery by its body's sha256, and a sale
    // announced by several deliveries earns once by its id (docs/adding-a-connector.md).
    deliveryId: () => undefined,
    topic: (request) => deliveryType(request),
    async normalize(request) {
      // One app (one client secret) may be installed in several stores: a delivery that says it
      // is from another store is genuine, but not this hub's to credit.
      const from = deliveryStore(request);
      if (from && from.toLowerCase() !== store) return { status: 'ignored', reason: `a delivery from Lightspeed store ${from}; this hub serves ${options.domainPrefix}` };
      const type = deliveryType(request);
      if (type === 'sale.update' || (type === undefined && looksLikeSale(request))) {
        return saleUpdated(readSale(request), { ...(options.currency ? { currency: options.currency } : {}), ...(api ? { api } : {}) });
      }
      return { status: 'ignored', reason: `Lightspeed ${type ?? 'delivery without a type'} is not used for loyalty` };
    },
  };
}
