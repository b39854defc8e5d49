import { parseWithSchema } from '../../core/connectors/payload.js';
import type { Logger } from '../../core/observability/logger.js';
import { orderSchema, tokenSchema, type PayPalOrder } from './schemas.js';

/**
 * Who paid: a capture (`PAYMENT.CAPTURE.COMPLETED`) names its checkout order
 * (`supplementary_data.related_ids.order_id`) but not the payer, so the payer's e-mail and
 * PayPal account id come from `GET /v2/checkout/orders/{id}` (docs/connectors/paypal.md, "What
 * the hub reads"). The API takes an OAuth 2.0 access token from `POST /v1/oauth2/token`
 * (client credentials: PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET), kept until shortly before it
 * expires.
 *
 * A look-up that fails for a passing reason (network, timeout, 429, 5xx, a refused token) throws:
 * the core answers 503 and PayPal redelivers the event later. An order PayPal does not know (404)
 * will not appear by retrying: it is logged and the capture earns as a guest's.
 */
export const PAYPAL_API_URL = 'https://api-m.paypal.com';
/** PayPal waits a few seconds for the webhook answer; the look-up must fit well inside. */
const REQUEST_TIMEOUT_MS = 5000;
/** Renew this long before PayPal says the token expires, so none is used at its last second. */
const TOKEN_MARGIN_MS = 60_000;

export interface PayPalOrderLookup {
  order(orderId: string): Promise<PayPalOrder | undefined>;
}

export interface PayPalApiOptions {
  clientId: string;
  clientSecret: string;
  /** PAYPAL_API_URL, e.g. https://api-m.sandbox.paypal.com; default live. */
  apiUrl?: string;
  logger: Logger;
  clock?: () => number;
}

export function createPayPalOrderLookup(options: PayPalApiOptions): PayPalOrderLookup {
  const base = (options.apiUrl || PAYPAL_API_URL).replace(/\/+$/, '');
  const clock = options.clock ?? Date.now;
  let token: { value: string; expiresAt: number } | undefined;
  let pendingToken: Promise<string> | undefined;

  async function accessToken(): Promise<string> {
    if (token && clock() < token.expiresAt) return token.value;
    // Concurrent deliveries share one token request.
    pendingToken ??= requestToken().finally(() => (pendingToken = undefined));
    return pendingToken;
  }

  async function requestToken(): Promise<string> {
    const credentials = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
    const response = await call('POST', '/v1/oauth2/token', {
      headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'grant_type=client_credentials',
    });
    if (!response.ok) throw new Error(`PayPal refused an access token (HTTP ${response.status}); check PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET`);
    const answer = parseWithSchema(tokenSchema, await response.json(), '', 'PayPal token answer');
    token = { value: answer.access_token, expiresAt: clock() + answer.expires_in * 1000 - TOKEN_MARGIN_MS };
    return token.value;
  }

  async function call(method: string, path: string, init: { headers: Record<string, string>; body?: string }): Promise<Response> {
    try {
      return await fetch(`${base}${path}`, { method, ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new Error(`PayPal ${method} ${path.split('/').slice(0, 4).join('/')} failed (${(error as Error).message})`, { cause: error });
    }
  }

  return {
    async order(orderId) {
      const path = `/v2/checkout/orders/${encodeURIComponent(orderId)}`;
      const response = await call('GET', path, { headers: { authorization: `Bearer ${await accessToken()}`, accept: 'application/json' } });
      if (response.status === 404) {
        options.logger.warn('paypal order look-up: PayPal does not know the order; earning as a guest', { orderId });
        return undefined;
      }
      if (response.status === 401) token = undefined;
      if (!response.ok) {
        throw new Error(`PayPal order look-up ${orderId} failed (HTTP ${response.status}); answering 5xx so PayPal redelivers the event`);
      }
      return parseWithSchema(orderSchema, await response.json(), '', 'PayPal order');
    },
  };
}
