/**
 * Lightspeed X-Series deliveries as Lightspeed sends them (docs/connectors/lightspeed.md, "What
 * Lightspeed signs"): an `application/x-www-form-urlencoded` body whose `payload` field is the
 * sale as JSON, signed `X-Signature: signature=<hex HMAC-SHA256 of the raw body with the app's
 * client secret>,algorithm=HMAC-SHA256`. Lightspeed publishes no SDK helper to sign with, so the
 * helper below follows the documented scheme, which a production receiver also checks this way
 * (tests/fixtures/platform-samples/lightspeed/README.md).
 */
import { createHmac } from 'node:crypto';
import { sample } from './webhook-helpers.js';

export const LIGHTSPEED_SECRET = 'lightspeed-test-client-secret';
/** The store of the samples (their `domain_prefix`). */
export const LIGHTSPEED_STORE = 'pockeyttest';
export const LIGHTSPEED_API = 'https://pockeyttest.retail.lightspeed.app/api/2.0';

export type FormFields = Record<string, string>;

/** A vendored delivery's form fields; `change` edits the sale in `payload` for one scenario. */
export function saleFields(name: string, change?: (sale: Record<string, unknown>) => void): FormFields {
  const fields = sample('lightspeed', name) as FormFields;
  if (!change) return { ...fields };
  const sale = JSON.parse(fields.payload!) as Record<string, unknown>;
  change(sale);
  return { ...fields, payload: JSON.stringify(sale) };
}

/** The form body, fields in the order given (the samples': domain_prefix, environment, payload, retailer_id, type). */
export function formBody(fields: FormFields): string {
  return new URLSearchParams(fields).toString();
}

export function lightspeedSignature(body: string | Uint8Array, secret = LIGHTSPEED_SECRET): string {
  return `signature=${createHmac('sha256', secret).update(body).digest('hex')},algorithm=HMAC-SHA256`;
}

export interface LightspeedDeliveryOptions {
  secret?: string;
  omitSignature?: boolean;
  /** The header as given, instead of the computed one. */
  header?: string;
  /** Sent instead of the body that was signed. */
  tamperedBody?: string;
}

export function lightspeedDelivery(fields: FormFields | string, options: LightspeedDeliveryOptions = {}): RequestInit {
  const body = typeof fields === 'string' ? fields : formBody(fields);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (!options.omitSignature) headers['x-signature'] = options.header ?? lightspeedSignature(body, options.secret);
  return { method: 'POST', headers, body: options.tamperedBody ?? body };
}
