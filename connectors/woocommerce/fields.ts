import { InboundPayloadError } from '../../core/connectors/definition.js';
import { MoneyError, toMinorUnits } from '../../core/triggers/money.js';

/**
 * Reading WooCommerce's REST v3 resources (what its webhooks deliver), which arrive as untyped
 * JSON. Readers are forgiving (absent, null, "" → undefined); the normalizers decide what is
 * required.
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
 * A WordPress id (an auto-increment number, far below 2^53) as a string. 0 means "none" in
 * WooCommerce (`customer_id: 0` is a guest), so it is not an id.
 */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  const text = textOf(value);
  return text !== undefined && /^[1-9]\d*$/.test(text) ? text : undefined;
}

export function textOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
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

/** An ISO 4217 code, upper case; undefined when absent or not three letters. */
export function currencyOf(value: unknown): string | undefined {
  const text = textOf(value)?.toUpperCase();
  return text !== undefined && /^[A-Z]{3}$/.test(text) ? text : undefined;
}

/**
 * An amount — totals are decimal strings ("29.35"), prices JSON numbers (3, 18.5) — in minor
 * units through `toMinorUnits` only. A malformed amount is the payload's problem: 400 with a
 * pointer.
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
