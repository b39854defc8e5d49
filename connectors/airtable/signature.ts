/**
 * Airtable's ping signature (docs/connectors/airtable.md, "How a ping is checked"): the header
 * `X-Airtable-Content-MAC: hmac-sha256=<hex>`, an HMAC-SHA256 of the raw body keyed with the
 * *decoded* bytes of the webhook's `macSecretBase64`. The shared `hmacVerifier` keys with the
 * secret's text, which is not this key, hence this small check of its own — compared in
 * constant time, lengths first, failing closed on anything missing or malformed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';

export const MAC_HEADER = 'x-airtable-content-mac';
const PREFIX = 'hmac-sha256=';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The MAC key from `AIRTABLE_WEBHOOK_MAC_SECRET` (the create answer's `macSecretBase64`), or undefined when it is not base64. */
export function macKey(secretBase64: string | undefined): Buffer | undefined {
  const text = secretBase64?.trim();
  if (!text || !BASE64.test(text) || text.length % 4 !== 0) return undefined;
  const key = Buffer.from(text, 'base64');
  return key.length > 0 ? key : undefined;
}

/** The header value Airtable sends for this body. */
export function contentMac(key: Buffer, rawBody: Uint8Array): string {
  return PREFIX + createHmac('sha256', key).update(rawBody).digest('hex');
}

export function verifyContentMac(key: Buffer | undefined, request: InboundRequest): VerifyResult {
  if (!key) return { ok: false, reason: 'AIRTABLE_WEBHOOK_MAC_SECRET is not set or not base64: no ping can be verified' };
  const received = request.headers.get(MAC_HEADER);
  if (!received) return { ok: false, reason: 'missing X-Airtable-Content-MAC' };
  const expected = Buffer.from(contentMac(key, request.rawBody));
  const given = Buffer.from(received.trim().toLowerCase());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'X-Airtable-Content-MAC does not match the body (signed with AIRTABLE_WEBHOOK_MAC_SECRET)' };
  }
  return { ok: true };
}
