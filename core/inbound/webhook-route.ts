/**
 * `POST /webhooks/:platform` (docs/adding-a-connector.md, "Inbound: webhooks"). The platform's signature is the only authentication.
 * The core owns what every platform shares — the route, the body limit, the inbox, the
 * de-duplication and the transaction; the connector only verifies and translates.
 *
 * | outcome                                  | status | body                                 |
 * | verified, applied                        | 200    | { status: accepted, eventId }        |
 * | verified, delivery (or fact) seen before | 200    | { status: duplicate, eventId }       |
 * | verified, not about loyalty              | 200    | { status: ignored }                  |
 * | signature missing/wrong/stale, or the    | 401    | problem; nothing stored but a counter|
 * | verifier threw, timed out or said no     |        | (and a rate-limited webhook.rejected)|
 *   (a verifier that could not fetch its key now — PayPal's certificate host down — is a 401 too,
 *   as docs/security.md promises, but is not counted toward webhook.rejected: it is no forgery)
 * | body over the limit (default 1 MiB)      | 413    | problem                              |
 * | verified but unusable                    | 400    | problem; inbox `rejected`            |
 * | connector not configured                 | 404    | problem naming the missing variables |
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { DEFAULT_MAX_BODY_BYTES, payloadTooLarge, readBodyWithin } from '../api/body-limit.js';
import { ProblemError, problemResponse, problemType } from '../api/problem.js';
import type { ConnectorStatus, InboundHandler, InboundRequest } from '../connectors/definition.js';
import type { Metrics } from '../observability/metrics.js';
import { processDelivery, type DeliveryDeps, type DeliveryResult } from './process-delivery.js';
import { recordSignatureFailure } from './rejection-alerts.js';
import { verifyClosed } from './verify-closed.js';


export interface WebhookDeps extends DeliveryDeps {
  connectors: ConnectorStatus[];
  inbound: Map<string, InboundHandler>;
  metrics: Metrics;
  publicUrl?: string;
  bodyLimit?: number;
}

export function webhookRoutes(deps: WebhookDeps) {
  const app = new Hono();
  const limit = deps.bodyLimit ?? DEFAULT_MAX_BODY_BYTES;

  app.post('/:platform', async (c) => {
    const platform = c.req.param('platform');
    const handler = inboundHandler(deps, platform);
    const rawBody = await readBodyWithin(c, limit);
    if (!rawBody) return payloadTooLarge(limit);

    const url = new URL(c.req.url);
    const request: InboundRequest = {
      method: c.req.method,
      // Behind a proxy the hub sees its own address; platforms sign what they called.
      url: deps.publicUrl ? `${deps.publicUrl.replace(/\/+$/, '')}${url.pathname}${url.search}` : c.req.url,
      headers: c.req.raw.headers,
      rawBody,
      body: new TextDecoder().decode(rawBody),
    };
    const early = handler.preflight?.(request);
    if (early) return early;

    const verified = await verifyClosed(handler, request);
    if (!verified.ok) {
      deps.metrics.inboundDeliveries.inc({ platform, outcome: verified.unavailable ? 'unverifiable' : 'unauthorized' });
      // A key server of the platform's own that did not answer is no forgery: refused all the
      // same (the platform retries a 401), but not counted toward the signature alert.
      if (verified.unavailable) deps.logger.warn('webhook signature could not be checked now; refused, the platform retries', { platform, reason: verified.reason });
      else await countFailure(deps, platform, verified.reason);
      return problemResponse({ type: problemType('invalid-signature'), title: 'Invalid signature', status: 401, detail: verified.reason });
    }
    // A platform without a delivery id still de-duplicates: the same bytes are the same delivery.
    const deliveryId = handler.deliveryId(request) ?? `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
    const result = await processDelivery(deps, platform, handler, request, deliveryId);
    deps.metrics.inboundDeliveries.inc({ platform, outcome: result.status });
    return handler.acknowledge?.(request, result) ?? respond(result);
  });
  return app;
}

/**
 * Counts the failure and maybe alerts (core/inbound/rejection-alerts.ts). The 401 stands whether
 * or not the counter could be written: a database hiccup must not turn a refusal into anything else.
 */
async function countFailure(deps: WebhookDeps, platform: string, reason: string): Promise<void> {
  try {
    await recordSignatureFailure(deps.commit, platform, reason);
  } catch (error) {
    deps.logger.error('could not count a webhook signature failure', { platform, error: (error as Error).message });
  }
}

function inboundHandler(deps: WebhookDeps, platform: string): InboundHandler {
  const status = deps.connectors.find((s) => s.name === platform);
  if (!status) {
    throw new ProblemError(404, 'unknown-platform', 'Unknown platform', `No connector named "${platform}" is installed.`, {
      installed: deps.connectors.map((s) => s.name),
    });
  }
  if (!status.enabled) {
    throw new ProblemError(404, 'connector-not-configured', 'Connector not configured', `The ${status.title} connector is disabled: set ${status.missing.join(', ')}.`, {
      missing: status.missing,
    });
  }
  if (status.inboundMissing?.length) {
    throw new ProblemError(404, 'connector-not-configured', 'Connector not configured', `The ${status.title} connector sends, but receives no webhooks until ${status.inboundMissing.join(', ')} is set.`, {
      missing: status.inboundMissing,
    });
  }
  const handler = deps.inbound.get(platform);
  if (!handler) throw new ProblemError(404, 'connector-not-inbound', 'No inbound webhooks', `The ${status.title} connector does not receive webhooks.`);
  return handler;
}

function respond(result: DeliveryResult): Response {
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  switch (result.status) {
    case 'accepted':
    case 'duplicate':
      return json(200, { status: result.status, eventId: result.eventId, inboxId: result.inboxId, outcomes: result.outcomes });
    case 'ignored':
      return json(200, { status: 'ignored', reason: result.reason, inboxId: result.inboxId });
    case 'rejected':
      return problemResponse({ type: problemType('unusable-payload'), title: 'Unusable payload', status: 400, detail: result.detail, errors: result.errors.map((e) => ({ pointer: e.pointer, in: 'body' as const, message: e.detail })), inboxId: result.inboxId });
    case 'failed':
      return problemResponse({ type: problemType('temporarily-unavailable'), title: 'Try again', status: 503, detail: result.detail }, { 'retry-after': '30' });
  }
}
