/**
 * PayPal deliveries signed the way PayPal signs them (connectors/paypal/signature.ts): RSA-SHA256
 * over `transmission id|transmission time|webhook id|CRC-32 of the body`, with the private key
 * of a test certificate issued to messageverificationcerts.paypal.com (a self-signed pair made
 * for these tests, tests/fixtures/platform-samples/paypal/README.md),
 * and the msw handlers of PayPal's side: the certificate URL, the OAuth token and the Orders API.
 */
import { randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { sample, type Json } from './webhook-helpers.js';

export const PAYPAL_WEBHOOK_ID = '8PT597110X687430LKGECATA';
export const PAYPAL_CLIENT_ID = 'AaB1cD2eF3-loyalty-hub-test-client';
export const PAYPAL_CLIENT_SECRET = 'EFg4hI5jK6-loyalty-hub-test-secret';
/** The Orders API base (PAYPAL_API_URL) the tests stub. */
export const PAYPAL_API = 'https://api-m.sandbox.paypal.com';
/** Where the test certificate is served, as PayPal serves its own. */
export const TEST_CERT_URL = 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-loyaltyhub';

export function paypalFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/platform-samples/paypal/${name}`, import.meta.url)), 'utf8');
}

export const TEST_CERT = paypalFixture('test-signing-cert.pem');
const TEST_KEY = paypalFixture('test-signing-key.pem');

export interface PayPalSigning {
  /** Sign for another webhook (another merchant's, or a mistyped PAYPAL_WEBHOOK_ID). */
  webhookId?: string;
  /** PAYPAL-TRANSMISSION-TIME, ISO; default now. */
  transmissionTime?: string;
  certUrl?: string;
  authAlgo?: string;
  /** Sign with this private key (PEM) instead of the test certificate's. */
  privateKey?: string;
  /** Send these bytes instead of the signed ones (changed on the way). */
  tamperedBody?: string;
  omit?: 'paypal-transmission-sig' | 'paypal-cert-url' | 'paypal-transmission-time';
}

/** A PayPal delivery of `payload` (an object, or exact bytes), signed now. */
export function paypalDelivery(payload: Json | string, signing: PayPalSigning = {}): RequestInit {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const transmissionId = randomUUID();
  const transmissionTime = signing.transmissionTime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const signed = `${transmissionId}|${transmissionTime}|${signing.webhookId ?? PAYPAL_WEBHOOK_ID}|${crc32(Buffer.from(body, 'utf8'))}`;
  const signature = sign('sha256', Buffer.from(signed, 'utf8'), signing.privateKey ?? TEST_KEY).toString('base64');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'paypal-transmission-id': transmissionId,
    'paypal-transmission-time': transmissionTime,
    'paypal-transmission-sig': signature,
    'paypal-auth-version': 'v2',
    'paypal-cert-url': signing.certUrl ?? TEST_CERT_URL,
    'paypal-auth-algo': signing.authAlgo ?? 'SHA256withRSA',
    'user-agent': 'PayPal/AUHD-214.0-58391792',
  };
  if (signing.omit) delete headers[signing.omit];
  return { method: 'POST', body: signing.tamperedBody ?? body, headers };
}

let events = 0;
/** A fresh PayPal event id (`WH-…`), as each new event has. */
export const newEventId = () => `WH-LOYALTYHUB${String(++events).padStart(6, '0')}-TEST`;

/** PAYMENT.CAPTURE.COMPLETED (PayPal's sample: capture 12A34567BC123456S of 30.00 USD, order 1AB234567A1234567), with changes. */
export function captureCompleted(resource: Json = {}, envelope: Json = {}): Json {
  const base = sample('paypal', 'payment-capture-completed');
  return { ...base, id: newEventId(), ...envelope, resource: { ...(base.resource as Json), ...resource } };
}

/** PAYMENT.CAPTURE.REFUNDED (PayPal's sample, refund 1Y107995YT783435V) of `value` from capture `captureId`. */
export function captureRefunded(captureId: string, value: string, resource: Json = {}, envelope: Json = {}): Json {
  const base = sample('paypal', 'payment-capture-refunded');
  const refund = base.resource as Json & { amount: Json; links: { href: string; rel: string; method: string }[] };
  const links = refund.links.map((l) => (l.rel === 'up' ? { ...l, href: `https://api.paypal.com/v2/payments/captures/${captureId}` } : l));
  return { ...base, id: newEventId(), ...envelope, resource: { ...refund, amount: { ...refund.amount, value }, links, ...resource } };
}

/** The Orders API answer for the sample's order (payer customer@example.com, account QYR5Z8XDVJNXQ). */
export function orderAnswer(changes: Json = {}): Json {
  return { ...(JSON.parse(paypalFixture('order.json')) as Json), ...changes };
}

/** The v1 payment of a sale (PayPal-PHP-SDK's sample: payer bbuyer@example.com, CR87QHB7JTRSC). */
export function paymentAnswer(changes: Json = {}): Json {
  return { ...(JSON.parse(paypalFixture('payment-v1.json')) as Json), ...changes };
}

/** What PayPal's side saw: certificate downloads, token requests and look-ups (orders, v1 payments). */
export interface PayPalTraffic {
  certificates: string[];
  tokens: Request[];
  orders: Request[];
  payments: Request[];
}

/**
 * msw handlers for PayPal's side: the test certificate at TEST_CERT_URL, the token endpoint,
 * `GET /v2/checkout/orders/:id` answering `order(id)` (a Response to fail it) and
 * `GET /v1/payments/payment/:id` answering the v1 payment sample.
 */
export function paypalHandlers(traffic: PayPalTraffic, order: (id: string) => Json | Response = () => orderAnswer()) {
  return [
    http.get(TEST_CERT_URL, ({ request }) => {
      traffic.certificates.push(request.url);
      return new HttpResponse(TEST_CERT, { headers: { 'content-type': 'application/x-pem-file' } });
    }),
    http.post(`${PAYPAL_API}/v1/oauth2/token`, async ({ request }) => {
      traffic.tokens.push(request.clone());
      return HttpResponse.json(JSON.parse(paypalFixture('token.json')) as Json);
    }),
    http.get(`${PAYPAL_API}/v2/checkout/orders/:id`, ({ request, params }) => {
      traffic.orders.push(request.clone());
      const answer = order(String(params.id));
      return answer instanceof Response ? answer : HttpResponse.json(answer);
    }),
    http.get(`${PAYPAL_API}/v1/payments/payment/:id`, ({ request, params }) => {
      traffic.payments.push(request.clone());
      return HttpResponse.json(paymentAnswer({ id: String(params.id) }));
    }),
  ];
}

export const newTraffic = (): PayPalTraffic => ({ certificates: [], tokens: [], orders: [], payments: [] });


/**
 * PayPal's side for one test file: msw (`onUnhandledRequest: 'error'`) with every request URL it
 * saw kept in `seen` (proof that a refused certificate URL was never fetched), and `stub(order)`
 * standing PayPal up for a test, its requests in `traffic`.
 */
export function paypalServer() {
  const server = setupServer();
  const seen: string[] = [];
  let traffic = newTraffic();
  beforeAll(() => {
    server.listen({ onUnhandledRequest: 'error' });
    server.events.on('request:start', ({ request }) => void seen.push(request.url));
  });
  afterEach(() => {
    server.resetHandlers();
    seen.length = 0;
  });
  afterAll(() => server.close());
  return {
    server,
    seen,
    get traffic(): PayPalTraffic {
      return traffic;
    },
    /** PayPal's side, with the Orders API answering `order` (a Response to fail it). */
    stub(order?: (id: string) => Json | Response): void {
      traffic = newTraffic();
      server.use(...paypalHandlers(traffic, order));
    },
  };
}
