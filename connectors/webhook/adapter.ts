import { Webhook } from 'standardwebhooks';
import { classifyHttp, type OutboundAdapter, type SendOutcome } from '../../core/outbound/adapter.js';
import { DEFAULT_OUTBOUND, guardedPost, OutboundRefusedError, type GuardedAnswer, type OutboundTargets } from '../../core/outbound/guarded-request.js';
import { disableWebhookEndpoint, getWebhookEndpoint, signingSecrets } from '../../core/outbound/webhook-endpoints.js';
import type { Commit } from '../../core/commit/commit.js';
import type { Store } from '../../core/storage/store.js';
import { webhookOptions, type WebhookOptions } from './options.js';

export interface WebhookAdapterConfig {
  store: Store;
  /** The write boundary: a 410 Gone disables the endpoint through it (docs/architecture.md, "Writes"). */
  commit: Commit;
  userAgent?: string;
  /** The address policy and resolver (WEBHOOK_ALLOW_PRIVATE, read by the hub); refuses internal targets by default. */
  outbound?: OutboundTargets;
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
 *
 * Every send goes through the outbound address policy (docs/security.md, "Outbound requests"):
 * the URL is checked again and the address actually dialled is checked at connect time, so an
 * endpoint whose name now resolves to an internal address is never called; the delivery is
 * dead-lettered with the reason. Only the receiver's status code is kept, never its body: a
 * delivery is readable with a `read` key, and what an internal host answers is nobody's business.
 */
export function createWebhookAdapter(config: WebhookAdapterConfig): OutboundAdapter<WebhookOptions> {
  const userAgent = config.userAgent ?? 'LoyaltyHub-Webhooks/1';
  const outbound = config.outbound ?? DEFAULT_OUTBOUND;
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
      let res: GuardedAnswer;
      try {
        res = await guardedPost(
          endpoint.url,
          {
            headers: { 'content-type': 'application/json', 'user-agent': userAgent, ...signatureHeaders(context.idempotencyKey, context.now, body, secrets) },
            body,
            signal: context.signal,
          },
          outbound,
        );
      } catch (error) {
        if (error instanceof OutboundRefusedError) return { status: 'permanent', error: `webhook: not sent, ${error.message}` };
        if (context.signal.aborted) return { status: 'retry', error: 'webhook: no answer in time (aborted)' };
        return { status: 'retry', error: `webhook: request failed: ${networkCode(error)}` };
      }
      if (res.statusCode >= 200 && res.statusCode < 300) return { status: 'delivered', statusCode: res.statusCode };
      if (res.statusCode === 410) {
        const reason = `the receiver answered 410 Gone on ${new Date(context.now).toISOString()}`;
        await disableWebhookEndpoint(config, endpoint.id, reason);
        return { status: 'permanent', statusCode: 410, error: `webhook: HTTP 410 Gone; endpoint ${endpoint.id} disabled` };
      }
      const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
      const outcome = classifyHttp(res.statusCode, headers, context.now);
      if (outcome.status !== 'retry' && outcome.status !== 'permanent') return outcome;
      const redirect = res.statusCode >= 300 && res.statusCode < 400 ? ' (redirects are not followed; register the final URL)' : '';
      return { ...outcome, error: `webhook: HTTP ${res.statusCode}${redirect}` };
    },
  };
}

/**
 * A socket error as a bare code (ECONNREFUSED, ETIMEDOUT, …): messages name addresses and ports,
 * which a `read` key must not learn about through the delivery log.
 */
function networkCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : 'network error';
}
