/**
 * Log hygiene: secrets never reach a log, e-mail addresses and phone numbers only masked, query
 * parameters never (docs/security.md, "Logs"). Applied to every structured log record, whatever
 * the caller passed; `describeError` is the first line of defence, this is the second.
 */
const SECRET_KEY = /(secret|token|password|passwd|api[-_]?key|authorization|signature|cookie|credential)/i;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9])[A-Za-z0-9.-]*\.([A-Za-z]{2,})/g;
/**
 * Phone numbers in free text. International: `+` then digits with separators. National: a run
 * that starts with `0` or `(`, or is three groups like `555-123-4567`, with 9 to 12 digits and
 * at least one separator or a leading 0. Not masked: ISO timestamps and dates (`2026-11-21`,
 * which have at most 8 digits before a `T`/`:`), ids such as `mem_01…` (a letter or `_` touches
 * the digits) and plain order numbers (`450789469`: no leading 0, no separator).
 */
const PHONE_INTL = /\+\d[\d\s().-]{5,}(\d{2})/g;
const PHONE_NATIONAL = /(?<![\w+.:/-])(?:\(\d{2,5}\)[\s.-]?\d[\d\s.-]{4,}\d|0\d(?:[\s.-]?\d){7,11}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w:.-]*\d)(?![\w:])/g;
const PHONE_KEY = /(phone|mobile|msisdn)/i;
const API_KEY = /\blh_[0-9a-z]+_[A-Za-z0-9_-]+/g;
const SECRET_TOKENS = /\b(whsec|sk_live|sk_test|rk_live|rk_test)_[A-Za-z0-9_]+/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
/** A Drizzle failed-query message: everything from its `params:` line on is values. */
const QUERY_PARAMS = /(Failed query:[\s\S]*?)\n?\s*params:[\s\S]*$/;

export function maskEmail(email: string): string {
  return email.replace(EMAIL, (_m, first: string, domainFirst: string, tld: string) => `${first}***@${domainFirst}***.${tld}`);
}

const lastTwo = (m: string) => `***${m.replace(/\D/g, '').slice(-2)}`;

export function maskPhone(text: string): string {
  return text.replace(PHONE_INTL, (_m, last: string) => `***${last}`).replace(PHONE_NATIONAL, (m) => {
    const digits = m.replace(/\D/g, '').length;
    return digits >= 9 && digits <= 13 ? lastTwo(m) : m;
  });
}

/** A failed query's message without its parameter values (docs/security.md, "Logs"). */
export function cutQueryParams(text: string): string {
  return text.replace(QUERY_PARAMS, '$1 [params not logged]');
}

export function maskText(text: string): string {
  const cut = cutQueryParams(text);
  return maskPhone(maskEmail(cut.replace(API_KEY, 'lh_***').replace(SECRET_TOKENS, '$1_***').replace(BEARER, '$1 ***')));
}

export function redact(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key)) return value === undefined || value === null || value === '' ? value : '[redacted]';
  if (typeof value === 'string') return PHONE_KEY.test(key) ? `***${value.replace(/\D/g, '').slice(-2)}` : maskText(value);
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  }
  return value;
}
