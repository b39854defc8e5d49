import { Webhook } from 'standardwebhooks';
import { classifyHttp, type OutboundAdapter, type SendOutcome } from '../../core/outbound/adapter.js';
import { disableWebhookEndpoint, getWebhookEndpoint, signingSecrets } from '../../core/outbound/webhook-endpoints.js';
import type { Store } from '../../core/storage/store.js';
import { webhookOptions, type WebhookOptions } from './options.js';

export interface WebhookAdapterConfig {
  store: Store;
  userAgent?: string;
}

/** The Standard Webhooks headers for one message: one `v1,…` signature per secret, space-separated. */
export function signatureHeaders(msgId: string, now: number, body: string, secrets: string[]): Record<string, string> {
  const timestamp = new Date(now);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(now / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(msgId, timestamp, body)).join(' '),
  };
}

/**
 * Sends one delivery to its endpoint, signed per Standard Webhooks:
 * - `webhook-id` is the delivery's idempotency key, the same on every attempt, so a receiver
 *   deduplicates retries by it;
 * - `webhook-timestamp` is the time of this attempt (receivers reject stale timestamps, and a
 *   retry may come hours later); the body is the payload fixed at routing time;
 * - `webhook-signature` carries a signature by every secret currently valid, so during a
 *   rotation's overlap a receiver holding the old secret and one holding the new both verify.
 * The endpoint is read at send time: deleted or disabled, the delivery is skipped. A receiver's
 * 410 Gone disables the endpoint (no more events are routed to it) and ends the delivery.
 * Redirects are not followed (a 3xx is a permanent failure): the registered URL is where
 * signed data goes, nowhere else.
 */
export function createWebhookAdapter(config: WebhookAdapterConfig): OutboundAdapter<WebhookOptions> {
  const userAgent = config.userAgent ?? 'LoyaltyHub-Webhooks/1';
  return {
    name: 'webhook',
    options: webhookOptions,
    async send(options, context): Promise<SendOutcome> {
      const endpoint = await getWebhookEndpoint(config.store.db, options.endpointId);
      if (!endpoint) return { status: 'skipped', reason: `webhook endpoint ${options.endpointId} no longer exists` };
      if (endpoint.status !== 'enabled') {
        return { status: 'skipped', reason: `webhook endpoint ${endpoint.id} is disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}` };
      }
      const secrets = signingSecrets(endpoint, context.now);
      if (secrets.length === 0) return { status: 'permanent', error: `webhook endpoint ${endpoint.id} has no valid signing secret` };
      const body = JSON.stringify(options.payload);
      let res: Response;
      try {
        res = await fetch(endpoint.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': userAgent,
            ...signatureHeaders(context.idempotencyKey, context.now, body, secrets),
          },
          body,
          redirect: 'manual',
          signal: context.signal,
        });
      } catch (error) {
        if (context.signal.aborted) return { status: 'retry', error: 'webhook: no answer in time (aborted)' };
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        return { status: 'retry', error: `webhook: request failed: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
      }
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => {});
        return { status: 'delivered', statusCode: res.status };
      }
      const detail = await snippet(res);
      if (res.status === 410) {
        const reason = `the receiver answered 410 Gone on ${new Date(context.now).toISOString()}`;
        await disableWebhookEndpoint(config.store, context.now, endpoint.id, reason);
        return { status: 'permanent', statusCode: 410, error: `webhook: HTTP 410 Gone; endpoint ${endpoint.id} disabled${detail}` };
      }
      const outcome = classifyHttp(res.status, res.headers, context.now);
      if (outcome.status !== 'retry' && outcome.status !== 'permanent') return outcome;
      const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed; register the final URL)' : '';
      return { ...outcome, error: `webhook: HTTP ${res.status}${redirect}${detail}` };
    },
  };
}

/** The start of an error answer's body, for the delivery log: `: …`, at most `max` characters. */
async function snippet(res: Response, max = 200): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // Whatever arrived is enough; the status code is what counts.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks)).replace(/\s+/g, ' ').trim();
  if (!text) return '';
  return `: ${text.length > max ? `${text.slice(0, max)}…` : text}`;
}
