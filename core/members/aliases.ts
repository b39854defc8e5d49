import { MemberError } from './errors.js';

/** `platform:id`, e.g. `shopify:7390123`, `stripe:cus_Nx…`, `email:ann@example.com`. */
const ALIAS = /^[a-z][a-z0-9_-]{1,31}:\S{1,200}$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailAlias(email: string): string {
  return `email:${normalizeEmail(email)}`;
}

/** Lower-cases the platform part (and the whole of an e-mail alias); refuses malformed ones. */
export function normalizeAlias(alias: string): string {
  const trimmed = alias.trim();
  const colon = trimmed.indexOf(':');
  const platform = trimmed.slice(0, colon).toLowerCase();
  const normalized = platform === 'email' ? emailAlias(trimmed.slice(colon + 1)) : `${platform}:${trimmed.slice(colon + 1)}`;
  if (colon < 1 || !ALIAS.test(normalized)) {
    throw new MemberError('invalid_alias', `alias "${alias}" is not of the form platform:id (e.g. shopify:123)`, { alias });
  }
  return normalized;
}
