/**
 * Money as integers in minor units, with the ISO 4217 exponent of the currency. Platforms send
 * decimal strings ("123.45") or numbers (WooCommerce's prices); both are converted digit by
 * digit, never multiplied as floats (0.1 + 0.2 is not a price).
 */

/** ISO 4217 currencies whose minor unit is not 2 (everything else has 2 decimals). */
const EXPONENTS: Record<string, number> = {
  // 0 decimals
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  // 3 decimals
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  // 4 decimals
  CLF: 4, UYW: 4,
};

/**
 * ISO 4217 codes in use for money (the list maintained by SIX, 2025), including the fund codes
 * some platforms report (BOV, CLF, …). Left out on purpose: precious metals, bond-market units,
 * SDR, XTS (testing) and XXX (no currency) — no shop prices in them. A code not here is refused
 * by the API schemas and by every connector's normalization alike (docs/security.md, "Input"),
 * so an order in `ZZZ` never earns. BGN and ANG stay for refunds of orders paid before their
 * replacement (EUR, XCG).
 */
const ISO_4217 = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
    'GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD ' +
    'KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO ' +
    'NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD ' +
    'SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV ' +
    'WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG'
  ).split(' '),
);

/** True for an ISO 4217 currency code (any case, surrounding blanks ignored). */
export function isCurrency(code: string): boolean {
  return ISO_4217.has(code.trim().toUpperCase());
}

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}

export function normalizeCurrency(currency: string): string {
  const code = currency.trim().toUpperCase();
  if (!ISO_4217.has(code)) throw new MoneyError(`${/^[A-Z]{3}$/.test(code) ? `"${code}"` : 'the value'} is not an ISO 4217 currency code`);
  return code;
}

/** Decimal places of the currency's minor unit: JPY 0, USD 2, KWD 3. */
export function currencyExponent(currency: string): number {
  return EXPONENTS[normalizeCurrency(currency)] ?? 2;
}

/**
 * "123.45" USD → 12345; "10000" JPY → 10000; "1.5" KWD → 1500. Extra decimals beyond the
 * currency's exponent must be zeros ("10.500" USD is 1050); anything else is an error rather
 * than a silent rounding.
 */
export function toMinorUnits(value: string | number, currency: string): number {
  const exponent = currencyExponent(currency);
  // A number is formatted by the shortest round-trip representation, which is the decimal the
  // platform wrote (WooCommerce's 18.5 → "18.5"), then parsed like a string.
  const text = typeof value === 'number' ? numberToDecimal(value) : value.trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new MoneyError(`"${String(value)}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new MoneyError(`"${text}" has more decimals than ${normalizeCurrency(currency)} allows (${exponent})`);
  }
  const minor = BigInt(whole + kept);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyError(`"${text}" is too large`);
  const n = Number(minor);
  return sign === '-' && n !== 0 ? -n : n;
}

function numberToDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new MoneyError(`${value} is not an amount`);
  const text = String(value);
  if (/e/i.test(text)) {
    // 1e21 and up, or 1e-7 and below: no price looks like that.
    throw new MoneyError(`${text} is not a plausible amount`);
  }
  return text;
}

/** 12345 USD → "123.45" (for messages and the evaluate endpoint). */
export function formatMinorUnits(amount: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(amount);
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
