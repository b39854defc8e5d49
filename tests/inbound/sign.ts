/**
 * Webhook requests signed the way each platform signs them, with the secrets the test hubs are
 * configured with.
 */
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import type { Json } from './webhook-helpers.js';

export const SHOPIFY_SECRET = 'shpss_test_secret';
export const WOO_SECRET = 'woo-webhook-secret-0123';
export const STRIPE_SECRET = 'whsec_test_0123456789abcdefghijklmnopqrstuv';
export const SQUARE_KEY = 'Ibxx_5AKakO-3qeNVR61Dw-loyalty';
export const PUBLIC_URL = 'https://loyalty.example.com';

const text = (payload: Json | string) => (typeof payload === 'string' ? payload : JSON.stringify(payload));
const hmac = (key: string, ...parts: string[]) => {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest('base64');
};

export interface Signing {
  /** Sign with another secret. */
  secret?: string;
  omitSignature?: boolean;
  /** Send these bytes instead of the signed ones (changed on the way). */
  tamperedBody?: string;
}

let shopifyEvents = 0;

/**
 * Shopify: `X-Shopify-Hmac-Sha256` = base64 HMAC-SHA256 of the raw body with the app secret;
 * `X-Shopify-Event-Id` is the same on every retry of one event.
 */
export function shopifyDelivery(topic: string, payload: Json | string, eventId = `evt-${++shopifyEvents}`, signing: Signing = {}): RequestInit {
  const body = text(payload);
  return {
    method: 'POST',
    body: signing.tamperedBody ?? body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      ...(signing.omitSignature ? {} : { 'x-shopify-hmac-sha256': hmac(signing.secret ?? SHOPIFY_SECRET, body) }),
      'x-shopify-shop-domain': 'example.myshopify.com',
      'x-shopify-api-version': '2025-07',
      'x-shopify-webhook-id': `wh-${eventId}`,
      'x-shopify-event-id': eventId,
      'x-shopify-triggered-at': '2025-04-02T16:31:03.000Z',
    },
  };
}

let wooDeliveries = 0;

/** WooCommerce: `X-WC-Webhook-Signature` = base64 HMAC-SHA256 of the raw body with the webhook secret. */
export function wooDelivery(topic: string, payload: Json | string, signing: Signing = {}): RequestInit {
  const body = text(payload);
  const [resource, event] = topic.split('.');
  return {
    method: 'POST',
    body: signing.tamperedBody ?? body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'WooCommerce/8.9.1 Hookshot (WordPress/6.5.3)',
      'x-wc-webhook-source': 'https://shop.example.com/',
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-resource': resource!,
      'x-wc-webhook-event': event!,
      ...(signing.omitSignature ? {} : { 'x-wc-webhook-signature': hmac(signing.secret ?? WOO_SECRET, body) }),
      'x-wc-webhook-id': '12',
      // A new id for every send (it is not an event id).
      'x-wc-webhook-delivery-id': String(++wooDeliveries),
    },
  };
}

/** Stripe: `Stripe-Signature: t=…,v1=…` made by the SDK's own test helper; `timestamp` in seconds. */
export function stripeDelivery(payload: Json | string, signing: Signing & { timestamp?: number } = {}): RequestInit {
  const body = text(payload);
  const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: signing.secret ?? STRIPE_SECRET, timestamp: signing.timestamp ?? Math.floor(Date.now() / 1000) });
  return {
    method: 'POST',
    body: signing.tamperedBody ?? body,
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', ...(signing.omitSignature ? {} : { 'stripe-signature': header }) },
  };
}

/**
 * Square: `x-square-hmacsha256-signature` = base64 HMAC-SHA256 of the notification URL
 * (PUBLIC_URL + /webhooks/square) followed by the raw body.
 */
export function squareDelivery(payload: Json | string, signing: Signing & { signedUrl?: string } = {}): RequestInit {
  const body = text(payload);
  return {
    method: 'POST',
    body: signing.tamperedBody ?? body,
    headers: {
      'content-type': 'application/json',
      'square-environment': 'Production',
      'square-version': '2025-01-23',
      ...(signing.omitSignature ? {} : { 'x-square-hmacsha256-signature': hmac(signing.secret ?? SQUARE_KEY, signing.signedUrl ?? `${PUBLIC_URL}/webhooks/square`, body) }),
    },
  };
}
