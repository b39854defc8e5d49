import { InboundPayloadError } from '../../core/connectors/definition.js';
import { MoneyError, toMinorUnits } from '../../core/triggers/money.js';

/**
 * Reading Shopify's REST resources, which arrive as untyped JSON. Every reader is forgiving
 * (absent, null or "" → undefined) and the normalizers decide what is required, so one missing
 * optional field never rejects an order.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of an array field, each with its index in the original array (for pointers). */
export function objectsOf(value: unknown): { item: JsonObject; index: number }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown, index) => (isObject(item) ? [{ item, index }] : []));
}

/**
 * An id as a string: safe integers arrive as numbers, larger ones as the exact digits (see
 * lossless-json.ts), GraphQL-era ids as strings.
 */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  return textOf(value);
}

export function textOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** ISO 8601 with offset (`2025-04-02T11:31:02-05:00`) → epoch milliseconds. */
export function epochMsOf(value: unknown): number | undefined {
  const text = textOf(value);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An ISO 4217 code, upper case; undefined when absent or not three letters. */
export function currencyOf(value: unknown): string | undefined {
  const text = textOf(value)?.toUpperCase();
  return text !== undefined && /^[A-Z]{3}$/.test(text) ? text : undefined;
}

/**
 * A decimal amount ("123.45" or Shopify's occasional number) in minor units, through
 * `toMinorUnits` only. A malformed amount is the platform's payload problem: 400 with a pointer.
 */
export function minorUnitsAt(value: unknown, currency: string, pointer: string): number {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InboundPayloadError(`${pointer} is missing`, [{ pointer, detail: 'an amount is required here' }]);
  }
  try {
    return toMinorUnits(value, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw new InboundPayloadError(`${pointer}: ${error.message}`, [{ pointer, detail: error.message }]);
    throw error;
  }
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

/**
 * Checks required fields all at once, so a rejected delivery names every missing field in the
 * inbox (JSON pointers into the payload), and returns them typed as present.
 */
export function requireFields<T extends Record<string, unknown>>(
  what: string,
  fields: { [K in keyof T]: [value: T[K] | undefined, pointer: string, detail: string] },
): T {
  const errors: { pointer: string; detail: string }[] = [];
  const present: Record<string, unknown> = {};
  for (const [name, [value, pointer, detail]] of Object.entries(fields) as [string, [unknown, string, string]][]) {
    if (value === undefined) errors.push({ pointer, detail });
    else present[name] = value;
  }
  if (errors.length > 0) throw new InboundPayloadError(`${what} lacks ${errors.map((e) => e.pointer).join(', ')}`, errors);
  return present as T;
}

/** Drops undefined properties, so events carry only what the platform said. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
