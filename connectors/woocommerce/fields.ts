/**
 * Reading WooCommerce's REST v3 resources (what its webhooks deliver): the generic readers of
 * core/connectors/payload.ts, plus WordPress ids and `*_gmt` dates.
 */
export { currencyOf, isObject, minorUnitsAt, objectsOf, requireFields, textOf, withoutUndefined, type JsonObject } from '../../core/connectors/payload.js';
import { textOf } from '../../core/connectors/payload.js';

/**
 * A WordPress id (an auto-increment number, far below 2^53) as a string. 0 means "none" in
 * WooCommerce (`customer_id: 0` is a guest), so it is not an id.
 */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  const text = textOf(value);
  return text !== undefined && /^[1-9]\d*$/.test(text) ? text : undefined;
}

/**
 * WooCommerce's `*_gmt` dates are UTC without a zone designator (`2017-03-22T19:28:08`); read as
 * local time they would shift by the server's offset, so UTC is said explicitly. The fields
 * without `_gmt` are in the shop's own time zone and are never used.
 */
export function gmtEpochMsOf(value: unknown): number | undefined {
  const text = textOf(value);
  if (text === undefined) return undefined;
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}
