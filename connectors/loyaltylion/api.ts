/**
 * LoyaltyLion's Admin API as the connector calls it (docs/connectors/loyaltylion.md): the base URL
 * (`LOYALTYLION_API_URL` for tests and proxies) and the credentials. LoyaltyLion authenticates an
 * API key as a Bearer token; the older site token and secret (HTTP Basic) are deprecated and end
 * on 10 January 2027, so the connector sends `LOYALTYLION_TOKEN` as an API key only.
 */
export const LOYALTYLION_API_URL = 'https://api.loyaltylion.com';

/** LoyaltyLion's documented limit for every Admin API endpoint: 20 requests a second. */
export const LOYALTYLION_RATE = { requests: 20, perMs: 1000 } as const;

export interface LoyaltyLionApiConfig {
  /** `LOYALTYLION_TOKEN`: an API key with read_customers (import) and write_customers (adapter). */
  token: string;
  /** `LOYALTYLION_API_URL`; default https://api.loyaltylion.com. */
  apiUrl?: string;
}

export function apiBase(config: Pick<LoyaltyLionApiConfig, 'apiUrl'>): string {
  return (config.apiUrl?.trim() || LOYALTYLION_API_URL).replace(/\/+$/, '');
}

export function authHeaders(config: LoyaltyLionApiConfig): Record<string, string> {
  return { authorization: `Bearer ${config.token}`, accept: 'application/json' };
}

/**
 * LoyaltyLion's own reason from an error answer: `{ error: { message } }` (its documented error
 * shape), `{ error: "…" }` or `{ message }`; short, never the whole body.
 */
export function errorReason(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const b = body as { error?: unknown; message?: unknown; errors?: unknown };
  let text: string | undefined;
  if (typeof b.error === 'string') text = b.error;
  else if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string') text = (b.error as { message: string }).message;
  else if (typeof b.message === 'string') text = b.message;
  else if (Array.isArray(b.errors) && typeof b.errors[0] === 'string') text = b.errors[0];
  if (!text) return '';
  return ` ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}
