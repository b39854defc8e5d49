/**
 * How `POST /webhooks/zoho` tells a genuine call from a forged one. Zoho signs neither of its two
 * callers, so both carry a shared secret, compared in constant time (docs/connectors/zoho.md,
 * "How calls are verified"):
 *
 * - the Deluge function sends `ZOHO_WEBHOOK_TOKEN` itself in the `X-Loyalty-Hub-Token` header;
 * - Zoho's notification channel echoes the `token` the hub gave when it subscribed, in the body.
 *   That token is derived from `ZOHO_WEBHOOK_TOKEN` (an HMAC, 43 characters: Zoho allows 50), so
 *   the secret itself never sits in Zoho's channel settings, and changing the secret changes it.
 *
 * Which of the two a request is, is decided by the header alone: a body with a valid channel
 * token is never read as a Deluge call, nor the reverse.
 */
import { createHmac } from 'node:crypto';
import { parsedBody } from '../../core/connectors/body.js';
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';
import { secretMatches } from '../../core/connectors/shared-secret.js';

export const TOKEN_HEADER = 'X-Loyalty-Hub-Token';

export type RequestKind = 'deluge' | 'notification';

export function requestKind(request: InboundRequest): RequestKind {
  return request.headers.has(TOKEN_HEADER) ? 'deluge' : 'notification';
}

/** The `token` the notification channel is subscribed with, derived from `ZOHO_WEBHOOK_TOKEN`. */
export function channelToken(webhookToken: string): string {
  return createHmac('sha256', webhookToken).update('loyalty-hub zoho notification channel').digest('base64url');
}

export function verifyZohoRequest(request: InboundRequest, webhookToken: string): VerifyResult {
  if (!webhookToken) return { ok: false, reason: 'ZOHO_WEBHOOK_TOKEN is not set' };
  if (requestKind(request) === 'deluge') {
    const given = request.headers.get(TOKEN_HEADER) ?? '';
    return secretMatches(given.trim(), webhookToken) ? { ok: true } : { ok: false, reason: `${TOKEN_HEADER} does not match ZOHO_WEBHOOK_TOKEN` };
  }
  const entry = parsedBody(request);
  const token = 'value' in entry && entry.value && typeof entry.value === 'object' ? (entry.value as { token?: unknown }).token : undefined;
  if (typeof token !== 'string' || !token) return { ok: false, reason: `neither the ${TOKEN_HEADER} header nor a notification channel token in the body` };
  return secretMatches(token, channelToken(webhookToken)) ? { ok: true } : { ok: false, reason: 'the notification channel token does not match (derived from ZOHO_WEBHOOK_TOKEN)' };
}
