import { InboundPayloadError } from '../../core/connectors/definition.js';
import { currencyExponent } from '../../core/triggers/money.js';

/**
 * Lightspeed keeps amounts to five decimal places ("877.40000", a tax of "65.80500", a
 * tax-exclusive unit price of "4.34783") and rounds to the currency only on the receipt, so its
 * amounts are rounded here half away from zero to the currency's minor unit — digit by digit,
 * never through a float (docs/adding-a-connector.md, "money"). The core's `toMinorUnits` refuses
 * such digits on purpose, because for other platforms they would be a mistake.
 */
export function lightspeedMinorUnits(value: unknown, currency: string, pointer: string): number {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) throw new InboundPayloadError(`${pointer} is missing`, [{ pointer, detail: 'an amount is required here' }]);
  const match = /^([-+]?)(\d{1,16})(?:\.(\d{0,12}))?$/.exec(text);
  if (!match) throw new InboundPayloadError(`${pointer} is not a decimal amount`, [{ pointer, detail: `"${text}" is not a decimal amount` }]);
  const [, sign, whole, fraction = ''] = match;
  const exponent = currencyExponent(currency);
  const padded = fraction.padEnd(exponent + 1, '0');
  let minor = BigInt(whole! + padded.slice(0, exponent));
  if (Number(padded[exponent]) >= 5) minor += 1n;
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new InboundPayloadError(`${pointer} is too large`, [{ pointer, detail: `"${text}" is too large` }]);
  const n = Number(minor);
  return sign === '-' && n !== 0 ? -n : n;
}
