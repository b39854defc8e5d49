import { currencyExponent, normalizeCurrency, toMinorUnits } from '../../core/triggers/money.js';

/**
 * Stripe's amounts are already integers in the currency's smallest unit — but "smallest unit" is
 * Stripe's, which is ISO 4217's except for a few currencies (https://docs.stripe.com/currencies):
 * ISK is two-decimal in the API (100 = 1 króna) while ISO gives it none, and MGA is zero-decimal
 * in Stripe while ISO gives it two. Everything else (USD 1099 = $10.99, JPY 10000 = ¥10,000,
 * KWD three decimals) passes through unchanged — never multiplied.
 */
const STRIPE_ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const STRIPE_THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

function stripeExponent(code: string): number {
  if (STRIPE_ZERO_DECIMAL.has(code)) return 0;
  if (STRIPE_THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** A Stripe amount in the ISO 4217 minor units of its currency (the hub's convention). */
export function fromStripeAmount(amount: number, currency: string): number {
  const code = normalizeCurrency(currency);
  const exponent = stripeExponent(code);
  if (exponent === currencyExponent(code)) return amount;
  // Rescale through the decimal text so a fraction ISO cannot hold is an error, not a rounding.
  const digits = String(amount).padStart(exponent + 1, '0');
  const decimal = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return toMinorUnits(decimal, code);
}
