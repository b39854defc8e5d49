/**
 * Reading Shopify's REST resources: the generic readers of core/connectors/payload.ts, plus
 * Shopify's ids (exact beyond 2^53, see core/connectors/lossless-json.ts), dates and money bags.
 */
export { currencyOf, isObject, minorUnitsAt, objectsOf, requireFields, textOf, withoutUndefined, type JsonObject } from '../../core/connectors/payload.js';
import { currencyOf, isObject, textOf } from '../../core/connectors/payload.js';

/**
 * An id as a string: safe integers arrive as numbers, larger ones as the exact digits (see
 * core/connectors/lossless-json.ts), GraphQL-era ids as strings.
 */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  return textOf(value);
}

/** ISO 8601 with offset (`2025-04-02T11:31:02-05:00`) → epoch milliseconds. */
export function epochMsOf(value: unknown): number | undefined {
  const text = textOf(value);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * From a Shopify money bag (`{ shop_money: {amount, currency_code}, presentment_money: … }`) the
 * amount in `currency`, so refunds add up amounts of one currency even in a multi-currency shop.
 */
export function amountInCurrency(set: unknown, currency: string): string | undefined {
  if (!isObject(set)) return undefined;
  for (const key of ['shop_money', 'presentment_money']) {
    const money = set[key];
    if (isObject(money) && currencyOf(money.currency_code) === currency && typeof money.amount === 'string') return money.amount;
  }
  return undefined;
}
