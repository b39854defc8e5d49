/**
 * Dataverse does not sign webhook bodies. A webhook registered with the Plug-in Registration Tool
 * authenticates by a key it sends with every request; the hub takes the **HttpHeader** option with
 * one header, `X-Loyalty-Hub-Key: <DYNAMICS_WEBHOOK_KEY>` (docs/connectors/dynamics.md, "Register
 * the webhook"). The header is compared in constant time; a missing or different key is a 401
 * with nothing stored. The other two options put the key in the query string (`?code=` of
 * WebhookKey, HttpQueryString), where proxies and access logs keep it: they are refused, with a
 * reason that names the option to pick and never the query's content.
 */
import type { InboundRequest, VerifyResult } from '../../core/connectors/definition.js';
import { secretMatches } from '../../core/connectors/shared-secret.js';

/** The header name the merchant enters as the HttpHeader key when registering the webhook. */
export const DYNAMICS_KEY_HEADER = 'X-Loyalty-Hub-Key';

export function verifyWebhookKey(request: InboundRequest, key: string): VerifyResult {
  if (!key.trim()) return { ok: false, reason: 'DYNAMICS_WEBHOOK_KEY is empty' };
  const given = request.headers.get(DYNAMICS_KEY_HEADER);
  if (given === null) {
    const query = new URL(request.url, 'http://hub.invalid').search;
    const hint = query ? ' (the key came in the query string: register the webhook with Authentication HttpHeader, not WebhookKey or HttpQueryString)' : '';
    return { ok: false, reason: `missing ${DYNAMICS_KEY_HEADER} header${hint}` };
  }
  if (!secretMatches(given.trim(), key.trim())) return { ok: false, reason: `the ${DYNAMICS_KEY_HEADER} header does not match DYNAMICS_WEBHOOK_KEY` };
  return { ok: true };
}
