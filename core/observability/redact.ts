/**
 * Log hygiene: secrets never reach a log, e-mail addresses and phone numbers only masked.
 * Applied to every structured log record, whatever the caller passed.
 */
const SECRET_KEY = /(secret|token|password|passwd|api[-_]?key|authorization|signature|cookie|credential)/i;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9])[A-Za-z0-9.-]*\.([A-Za-z]{2,})/g;
// International numbers (+…) in free text; fields named like a phone are masked whole.
const PHONE = /\+\d[\d\s().-]{5,}(\d{2})/g;
const PHONE_KEY = /(phone|mobile|msisdn)/i;
const API_KEY = /\blh_[0-9a-z]+_[A-Za-z0-9_-]+/g;

export function maskEmail(email: string): string {
  return email.replace(EMAIL, (_m, first: string, domainFirst: string, tld: string) => `${first}***@${domainFirst}***.${tld}`);
}

export function maskPhone(text: string): string {
  return text.replace(PHONE, (_m, last: string) => `***${last}`);
}

export function maskText(text: string): string {
  return maskPhone(maskEmail(text.replace(API_KEY, 'lh_***')));
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
