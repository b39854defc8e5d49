/**
 * Readers for webhook payloads, which arrive as untyped JSON: a small toolkit for connectors.
 * Every reader is forgiving (absent, null or "" → undefined) and the normalizers decide what is
 * required — `requireFields` names every missing field at once, as JSON pointers, so a rejected
 * delivery says in the inbox exactly what was wrong. Money goes through `toMinorUnits` only.
 */
import type { z } from 'zod';
import { jsonPointer } from '../json-pointer.js';
import { isCurrency, MoneyError, normalizeCurrency, toMinorUnits } from '../triggers/money.js';
import { InboundPayloadError } from './definition.js';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function textOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** An ISO 4217 code, upper case; undefined when absent or not a currency (`ZZZ`). */
export function currencyOf(value: unknown): string | undefined {
  const text = textOf(value);
  return text !== undefined && isCurrency(text) ? normalizeCurrency(text) : undefined;
}

/**
 * An amount (a decimal string "29.35", or a JSON number 18.5) in minor units, through
 * `toMinorUnits` only. A malformed amount is the payload's problem: 400 with a pointer.
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

/**
 * A verified payload read with a zod schema: a shape we cannot understand is answered 400 and
 * kept in the inbox as rejected, with a JSON pointer per problem so support sees which field was
 * wrong. `what` names it in the message ("Stripe charge").
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, value: unknown, pointer: string, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InboundPayloadError(
    `${what} cannot be read`,
    result.error.issues.map((issue) => ({ pointer: jsonPointer(issue.path, pointer), detail: issue.message })),
  );
}
