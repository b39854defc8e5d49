import type { z } from 'zod';
import type { Logger } from '../../core/observability/logger.js';
import { customerResponseSchema, outletResponseSchema, type LightspeedCustomer } from './schemas.js';

/**
 * Look-ups through the X-Series API 2.0 (`GET /customers/{id}`, `GET /outlets/{id}`) with the
 * store's access token. Lightspeed waits 5 s for the webhook's answer, so a look-up gets 4 s. A
 * passing failure — network, timeout, 429, 5xx, an answer we cannot read — throws, and the core
 * answers 503 so Lightspeed delivers again (docs/adding-a-connector.md, `normalize`). A 4xx other
 * than 429 will be the same next time: the caller decides what it can do without the record.
 */
export interface LightspeedApi {
  /** The customer, or undefined when Lightspeed answers 4xx (deleted, token without the scope). */
  customer(customerId: string): Promise<LightspeedCustomer | undefined>;
  /** The outlet's currency (ISO 4217, as Lightspeed spells it), or undefined on a 4xx. */
  outletCurrency(outletId: string): Promise<string | undefined>;
}

export interface LightspeedApiOptions {
  accessToken: string;
  /** `LIGHTSPEED_API_URL`, or `https://<domain prefix>.retail.lightspeed.app/api/2.0`. */
  baseUrl: string;
  logger: Logger;
  timeoutMs?: number;
}

export function lightspeedApiUrl(domainPrefix: string, override?: string): string {
  return (override || `https://${domainPrefix}.retail.lightspeed.app/api/2.0`).replace(/\/+$/, '');
}

export function createLightspeedApi(options: LightspeedApiOptions): LightspeedApi {
  const timeoutMs = options.timeoutMs ?? 4000;
  // An outlet's currency does not change: one look-up per outlet for the life of the process.
  const currencies = new Map<string, string>();

  async function get<S extends z.ZodType>(what: string, path: string, schema: S): Promise<z.output<S> | undefined> {
    let response: Response;
    try {
      response = await fetch(`${options.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${options.accessToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new Error(`Lightspeed ${what} look-up failed (${(error as Error).name}); answering 5xx so Lightspeed retries the webhook`, { cause: error });
    }
    if (response.status === 429 || response.status >= 500) {
      throw new Error(`Lightspeed ${what} look-up failed (HTTP ${response.status}); answering 5xx so Lightspeed retries the webhook`);
    }
    if (!response.ok) {
      options.logger.warn('lightspeed look-up refused', { what, status: response.status });
      return undefined;
    }
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new Error(`Lightspeed ${what} look-up answered a body that is not ${what}; answering 5xx so Lightspeed retries the webhook`);
    return parsed.data;
  }

  return {
    async customer(customerId) {
      return (await get('customer', `/customers/${encodeURIComponent(customerId)}`, customerResponseSchema))?.data;
    },
    async outletCurrency(outletId) {
      const known = currencies.get(outletId);
      if (known) return known;
      const currency = (await get('outlet', `/outlets/${encodeURIComponent(outletId)}`, outletResponseSchema))?.data.currency;
      if (currency) currencies.set(outletId, currency);
      return currency;
    },
  };
}
