/**
 * zod field schemas for webhook payloads, shared by every connector that reads its platform's
 * resources with zod (docs/adding-a-connector.md, "The files of an inbound connector"). They read
 * the way platforms fill what a shop never set: absent, `null` and blank text are undefined,
 * never an error; a field of the wrong type is (400 with its JSON pointer, `parseWithSchema`).
 */
import { z } from 'zod';
import { currencyOf, textOf } from './payload.js';

/** Text, trimmed; absent, null or blank → undefined. */
export const optionalText = z.string().nullish().transform(textOf);

/**
 * An amount as platforms send it: a decimal string ("29.35") or a JSON number. Never used as a
 * float: readers turn it into minor units with `minorUnitsAt` (./payload.ts), which also names a
 * missing one.
 */
export const optionalAmount = z.union([z.string(), z.number()]).nullish();

/** An ISO 4217 code, upper case; undefined when absent or not a currency. */
export const optionalCurrency = optionalText.transform(currencyOf);

/** An array of `item`s; absent or null → empty. */
export function listOf<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);
}
