import { InboundPayloadError } from '../../core/connectors/definition.js';
import { isCurrency, normalizeCurrency } from '../../core/triggers/money.js';
import type { LightspeedApi } from './api.js';
import type { LightspeedSale } from './schemas.js';

/**
 * A Lightspeed sale does not say its currency: the store's outlets do. LIGHTSPEED_CURRENCY, when
 * set, is the answer for every sale; otherwise the sale's outlet is looked up once
 * (`GET /outlets/{id}` → `currency`) with LIGHTSPEED_ACCESS_TOKEN. With neither, the delivery
 * cannot be valued: it fails (503, kept as failed) so that Lightspeed's retries — or a replay —
 * process it once the hub is configured, rather than earning in a guessed currency.
 */
export async function saleCurrency(sale: LightspeedSale, configured: string | undefined, api: LightspeedApi | undefined): Promise<string> {
  if (configured) return configured;
  if (!api) throw new Error('lightspeed: the sale names no currency; set LIGHTSPEED_CURRENCY, or LIGHTSPEED_ACCESS_TOKEN to read it from the outlet');
  if (!sale.outlet_id) throw new InboundPayloadError('Lightspeed sale names no outlet, so no currency', [{ pointer: '/payload/outlet_id', detail: 'required to find the currency' }]);
  const currency = await api.outletCurrency(sale.outlet_id);
  if (!currency || !isCurrency(currency)) {
    throw new InboundPayloadError('the currency of the sale\'s outlet cannot be read through the API', [
      { pointer: '/payload/outlet_id', detail: currency ? `outlet currency "${currency}" is not ISO 4217` : 'the outlet was not found with LIGHTSPEED_ACCESS_TOKEN' },
    ]);
  }
  return normalizeCurrency(currency);
}
