import { formFieldJson, formFieldText } from '../../core/connectors/body.js';
import { InboundPayloadError, type InboundRequest } from '../../core/connectors/definition.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import { lightspeedMinorUnits } from './money.js';
import { saleSchema, type LightspeedSale } from './schemas.js';

/**
 * Reading a delivery: Lightspeed posts a form whose `payload` field is the entity as JSON; `type`
 * (`sale.update`), `domain_prefix` and `retailer_id` ride along but are "not guaranteed" by the
 * docs, so nothing depends on them being there (docs/connectors/lightspeed.md).
 */
export const PAYLOAD_FIELD = 'payload';

/** The form field `type` (`sale.update`), for the inbox; never throws. */
export function deliveryType(request: InboundRequest): string | undefined {
  return formFieldText(request, 'type');
}

/** The store the delivery says it is from, when it says (`domain_prefix`). */
export function deliveryStore(request: InboundRequest): string | undefined {
  return formFieldText(request, 'domain_prefix');
}

/** The sale in `payload`, or InboundPayloadError (400) with `/payload/…` pointers. */
export function readSale(request: InboundRequest): LightspeedSale {
  return parseWithSchema(saleSchema, formFieldJson(request, PAYLOAD_FIELD), `/${PAYLOAD_FIELD}`, 'Lightspeed sale');
}

/** Whether a payload without a `type` field is a sale (API 1.0 register sales carry their lines). */
export function looksLikeSale(request: InboundRequest): boolean {
  const payload = formFieldJson(request, PAYLOAD_FIELD);
  return Array.isArray(payload.register_sale_products) || 'totals' in payload;
}

/**
 * When the sale happened, epoch ms: `sale_date`, else `updated_at`. API 1.0 writes UTC both as
 * RFC 3339 (`2019-07-24T21:46:18Z`) and as `2019-07-24 21:46:25` without a zone.
 */
export function saleOccurredAt(sale: LightspeedSale): number {
  const [text, pointer] = sale.sale_date ? [sale.sale_date, '/payload/sale_date'] : [sale.updated_at, '/payload/updated_at'];
  if (!text) throw new InboundPayloadError('Lightspeed sale has no date', [{ pointer: '/payload/sale_date', detail: 'required' }]);
  const at = Date.parse(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  if (Number.isNaN(at)) throw new InboundPayloadError('Lightspeed sale date cannot be read', [{ pointer, detail: `"${text}" is not a date` }]);
  return at;
}

/**
 * What a sale sold and what it took back, tax excluded, in minor units: the sum of its lines of
 * positive and of negative `price_total` — a sale may exchange (return some goods, sell others).
 * A sale without lines is all one or the other, by the sign of `totals.total_price`.
 */
export function saleAmounts(sale: LightspeedSale, currency: string): { sold: number; returned: number } {
  if (sale.register_sale_products.length === 0) {
    const total = lightspeedMinorUnits(sale.totals?.total_price, currency, '/payload/totals/total_price');
    return total >= 0 ? { sold: total, returned: 0 } : { sold: 0, returned: -total };
  }
  let sold = 0;
  let returned = 0;
  sale.register_sale_products.forEach((line, i) => {
    const total = lightspeedMinorUnits(line.price_total, currency, `/payload/register_sale_products/${i}/price_total`);
    if (total >= 0) sold += total;
    else returned -= total;
  });
  return { sold, returned };
}
