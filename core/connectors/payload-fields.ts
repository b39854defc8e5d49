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

/**
 * A platform's auto-increment entity id (an order, a customer) as a string: a number or digits.
 * Zero — WooCommerce's guest `customer_id: 0` — or anything but a positive whole number is no id.
 */
export const optionalEntityId = z
  .union([z.number().int('an id is a whole number').nonnegative('an id is not negative'), z.string()])
  .nullish()
  .transform((v) => {
    if (typeof v === 'number') return v > 0 ? String(v) : undefined;
    const digits = textOf(v);
    return digits !== undefined && /^[1-9]\d*$/.test(digits) ? digits : undefined;
  });

/**
 * A time a platform writes in UTC without saying so (WooCommerce's `*_gmt`
 * `2017-03-22T19:28:08`, Magento's `2017-08-21 22:22:19`), as epoch milliseconds: read as local
 * time it would shift by the server's offset, so UTC is said explicitly. A time with its own zone
 * keeps it; unreadable → undefined.
 */
export const optionalUtcTime = optionalText.transform((v) => {
  if (v === undefined) return undefined;
  const iso = v.replace(' ', 'T');
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(ms) ? undefined : ms;
});

/** An array of `item`s; absent or null → empty. */
export function listOf<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);
}
