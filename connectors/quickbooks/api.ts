import type { z } from 'zod';
import { parseWithSchema } from '../../core/connectors/payload.js';
import type { Logger } from '../../core/observability/logger.js';
import type { AccessTokens } from './oauth.js';
import { customerSchema, paymentSchema, preferencesSchema, salesTransactionSchema, type QuickBooksCustomer, type QuickBooksPayment, type SalesTransaction } from './schemas.js';

/**
 * Reads the entities a notification names: `GET {QUICKBOOKS_API_URL}/v3/company/{realmId}/{entity}/{id}?minorversion=75`
 * with the OAuth access token (oauth.ts). Notifications are thin, so every fact comes from here.
 *
 * - 401: the access token expired or was revoked early: refreshed once and the call repeated.
 * - Network error, timeout, 429, 5xx, a second 401: thrown, so the core answers 503 and Intuit
 *   retries the notification (docs/adding-a-connector.md, "Inbound").
 * - 400, 403, 404: QuickBooks answered and will answer the same again (a deleted entity, a
 *   company this token does not connect): `undefined`, and the caller ignores the change with
 *   a reason in the inbox.
 */
export interface QuickBooksApi {
  salesTransaction(realmId: string, entity: SalesEntity, id: string): Promise<SalesTransaction | undefined>;
  payment(realmId: string, id: string): Promise<QuickBooksPayment | undefined>;
  customer(realmId: string, id: string): Promise<QuickBooksCustomer | undefined>;
  /** The company's home currency: the currency of every transaction that names none. */
  homeCurrency(realmId: string): Promise<string | undefined>;
}

export type SalesEntity = 'Invoice' | 'SalesReceipt' | 'RefundReceipt' | 'CreditMemo';

export const QUICKBOOKS_API_URL = 'https://quickbooks.api.intuit.com';
/** Intuit's base minor version since 2025; every field read here exists in it. */
export const MINOR_VERSION = '75';

export interface QuickBooksApiOptions {
  apiUrl?: string;
  tokens: AccessTokens;
  logger: Logger;
  timeoutMs?: number;
}

export function createQuickBooksApi(options: QuickBooksApiOptions): QuickBooksApi {
  const base = (options.apiUrl || QUICKBOOKS_API_URL).replace(/\/+$/, '');
  const currencies = new Map<string, string | undefined>();

  async function get(realmId: string, resource: string, what: string): Promise<Record<string, unknown> | undefined> {
    const url = `${base}/v3/company/${encodeURIComponent(realmId)}/${resource}?minorversion=${MINOR_VERSION}`;
    for (let attempt = 1; ; attempt++) {
      const token = await options.tokens.token();
      let res: Response;
      try {
        res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
      } catch (error) {
        throw new Error(`QuickBooks ${what} look-up failed (${(error as Error).name}); answering 5xx so Intuit retries the notification`, { cause: error });
      }
      if (res.status === 401 && attempt === 1) {
        options.tokens.rejected(token);
        continue;
      }
      if (res.ok) {
        const body = (await res.json().catch(() => undefined)) as unknown;
        if (typeof body !== 'object' || body === null) throw new Error(`QuickBooks ${what} look-up answered without JSON; answering 5xx so Intuit retries the notification`);
        return body as Record<string, unknown>;
      }
      if (res.status === 400 || res.status === 403 || res.status === 404) {
        options.logger.warn('quickbooks look-up refused; the change is ignored', { realmId, what, status: res.status });
        return undefined;
      }
      throw new Error(`QuickBooks ${what} look-up failed (HTTP ${res.status}); answering 5xx so Intuit retries the notification`);
    }
  }

  async function entity<S extends z.ZodType>(realmId: string, name: string, id: string, schema: S): Promise<z.output<S> | undefined> {
    const body = await get(realmId, `${name.toLowerCase()}/${encodeURIComponent(id)}`, `${name} ${id}`);
    if (!body) return undefined;
    return parseWithSchema(schema, body[name], `/${name}`, `QuickBooks ${name} ${id}`);
  }

  return {
    salesTransaction: (realmId, name, id) => entity(realmId, name, id, salesTransactionSchema),
    payment: (realmId, id) => entity(realmId, 'Payment', id, paymentSchema),
    customer: (realmId, id) => entity(realmId, 'Customer', id, customerSchema),
    async homeCurrency(realmId) {
      if (currencies.has(realmId)) return currencies.get(realmId);
      const body = await get(realmId, 'preferences', 'Preferences');
      const preferences = body ? parseWithSchema(preferencesSchema, body.Preferences, '/Preferences', 'QuickBooks Preferences') : undefined;
      const code = preferences?.CurrencyPrefs?.HomeCurrency?.value;
      if (code) currencies.set(realmId, code);
      return code;
    },
  };
}
