/**
 * Magento deliveries signed the way Adobe Commerce signs them (connectors/magento/signature.ts):
 * `x-adobe-commerce-webhook-signature` = base64(RSA-SHA256(base64(body))) with the private key of
 * a key pair made here — the test stands in for the store, whose key pair the merchant generates
 * in the Admin. Payloads are built from the REST API reference samples in
 * tests/fixtures/platform-samples/magento (see its README for what is vendored and what built).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { sample, type Json } from './webhook-helpers.js';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const MAGENTO_PUBLIC_KEY = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
/** Another store's key: what a forger without the store's key could sign with. */
export const OTHER_PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

export const MAGENTO_API = 'http://magento.test/rest';
export const MAGENTO_TOKEN = 'magento-integration-token-0123';

/** What Commerce signs: the base64 text of the JSON body (Base64Json::serialize), not the body. */
export function commerceSignature(body: string, privateKey: KeyObject = keys.privateKey): string {
  return sign('sha256', Buffer.from(Buffer.from(body, 'utf8').toString('base64'), 'ascii'), privateKey).toString('base64');
}

/** RSA-SHA256 over the body bytes themselves, with the store's key: a scheme Commerce does not use. */
export function signatureOverRawBody(body: string): string {
  return sign('sha256', Buffer.from(body, 'utf8'), keys.privateKey).toString('base64');
}

export interface MagentoSigning {
  privateKey?: KeyObject;
  omitSignature?: boolean;
  /** Send this header value instead. */
  signature?: string;
  /** Send these bytes instead of the signed ones (changed on the way). */
  tamperedBody?: string;
}

export function magentoDelivery(payload: Json | string, signing: MagentoSigning = {}): RequestInit {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = signing.signature ?? commerceSignature(body, signing.privateKey);
  return {
    method: 'POST',
    body: signing.tamperedBody ?? body,
    headers: {
      'content-type': 'application/json',
      // Added by Commerce to every hook of one store request: not a delivery id.
      'x-adobe-commerce-request-id': 'c8a2d1f0-4b7e-4d3a-9f61-0e2b8c5d7a10',
      ...(signing.omitSignature ? {} : { 'x-adobe-commerce-webhook-signature': signature }),
    },
  };
}

/** An observer event's default webhook payload: `{ subject, eventName, data }` (Adobe's webhook docs). */
export function commerceHook(eventName: string, data: Json): Json {
  return { subject: [], eventName, data };
}

/** The REST order sample (entity 3, grand total 165 USD of which shipping 5, no tax), with changes. */
export function order(changes: Json = {}): Json {
  return { ...sample('magento', 'rest_order_get'), ...changes };
}

/** The same order once its invoice is paid: `total_paid` = `grand_total`, state processing. */
export function paidOrder(changes: Json = {}): Json {
  return order({ state: 'processing', status: 'processing', total_paid: 165, base_total_paid: 165, total_invoiced: 165, ...changes });
}

/** The REST invoice sample of that order (165 USD), as `sales_order_invoice_pay` carries it: paid. */
export function invoice(changes: Json = {}): Json {
  return { ...sample('magento', 'rest_invoice_get'), state: 2, ...changes };
}

/** The credit memo built for order 3 (22 USD: one tee, no shipping), with changes. */
export function creditmemo(changes: Json = {}): Json {
  return { ...sample('magento', 'rest_creditmemo_get'), ...changes };
}

/** A Magento Open Source thin notification, dated now unless told. */
export function notification(event: 'order.paid' | 'creditmemo.refunded', ids: Json, sentAt: string | number = new Date().toISOString()): Json {
  return { event, ...ids, sent_at: sentAt };
}
