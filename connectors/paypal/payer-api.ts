import type { z } from 'zod';
import { InboundPayloadError } from '../../core/connectors/definition.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import type { Logger } from '../../core/observability/logger.js';
import { orderSchema, paymentV1Schema, tokenSchema, type PayPalOrder, type PayPalPaymentV1 } from './schemas.js';

/**
 * Who paid: a capture (`PAYMENT.CAPTURE.COMPLETED`) names its checkout order
 * (`supplementary_data.related_ids.order_id`) but not the payer, so the payer's e-mail and
 * PayPal account id come from `GET /v2/checkout/orders/{id}`; a v1 sale (`PAYMENT.SALE.COMPLETED`)
 * names its payment (`parent_payment`), whose payer comes from `GET /v1/payments/payment/{id}`
 * (docs/connectors/paypal.md, section 6, "Who paid"). The API takes an OAuth 2.0 access token
 * from `POST /v1/oauth2/token` (client credentials: PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET),
 * kept until shortly before it expires.
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

export interface PayPalPayerLookup {
  /** The checkout order (Orders v2), or undefined when PayPal does not know it. */
  order(orderId: string): Promise<PayPalOrder | undefined>;
  /** The payment a v1 sale belongs to (Payments v1), or undefined when PayPal does not know it. */
  payment(paymentId: string): Promise<PayPalPaymentV1 | undefined>;
}

export interface PayPalApiOptions {
  clientId: string;
  clientSecret: string;
  /** PAYPAL_API_URL, e.g. https://api-m.sandbox.paypal.com; default live. */
  apiUrl?: string;
  logger: Logger;
  clock?: () => number;
}

export function createPayPalPayerLookup(options: PayPalApiOptions): PayPalPayerLookup {
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
    const answer = readAnswer(tokenSchema, await response.json(), 'token');
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

  /** One resource: parsed, or undefined for a 404; a passing failure throws (503, PayPal redelivers). */
  async function resource<S extends z.ZodType>(path: string, id: string, what: string, schema: S): Promise<z.output<S> | undefined> {
    const response = await call('GET', `${path}${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${await accessToken()}`, accept: 'application/json' } });
    if (response.status === 404) {
      options.logger.warn(`paypal ${what} look-up: PayPal does not know it; earning as a guest`, { id });
      return undefined;
    }
    // A refused token may have been revoked: the next attempt asks for a new one.
    if (response.status === 401) token = undefined;
    if (!response.ok) throw new Error(`PayPal ${what} look-up ${id} failed (HTTP ${response.status}); answering 5xx so PayPal redelivers the event`);
    return readAnswer(schema, await response.json(), what);
  }

  return {
    order: (orderId) => resource('/v2/checkout/orders/', orderId, 'order', orderSchema),
    payment: (paymentId) => resource('/v1/payments/payment/', paymentId, 'payment', paymentV1Schema),
  };
}

/**
 * PayPal's answer read with `schema`. One we cannot read is not the delivery's fault (a 400
 * would keep it as rejected): it is a failed look-up, answered 503 so PayPal redelivers.
 */
function readAnswer<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  try {
    return parseWithSchema(schema, value, '', `PayPal ${what} answer`);
  } catch (error) {
    if (!(error instanceof InboundPayloadError)) throw error;
    throw new Error(`PayPal's ${what} answer cannot be read (${error.errors.map((e) => `${e.pointer || '/'}: ${e.detail}`).join('; ')})`, { cause: error });
  }
}
