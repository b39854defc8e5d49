/**
 * Keeping the webhook alive (docs/connectors/airtable.md, "The 7-day expiry"): a webhook made
 * with a personal access token is disabled 7 days after its creation or last refresh. The
 * scheduler runs this job every day (docs/adding-a-connector.md, "Scheduled work"):
 * `POST /v0/bases/{baseId}/webhooks/{webhookId}/refresh`. A failure throws, is logged and is
 * tried again on the next tick; six days of failures still leave the webhook alive.
 */
import type { ConnectorJob } from '../../core/connectors/definition.js';
import type { Logger } from '../../core/observability/logger.js';
import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { authHeaders, baseLimiter, errorReason, RATE_LIMIT_PENALTY_MS, type AirtableApi } from './api.js';

export const REFRESH_EVERY_MS = 24 * 60 * 60 * 1000;

export function refreshWebhookJob(api: AirtableApi, webhookId: string, logger: Logger): ConnectorJob {
  return {
    name: 'refresh-webhook',
    everyMs: REFRESH_EVERY_MS,
    async run(now) {
      const limiter = baseLimiter(api.baseId);
      const turn = limiter.take(now);
      if (!turn.ok) throw new Error(`airtable: ${turn.reason}; the webhook is refreshed on the next tick`);
      const url = `${api.baseUrl}/v0/bases/${encodeURIComponent(api.baseId)}/webhooks/${encodeURIComponent(webhookId)}/refresh`;
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: authHeaders(api), signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        throw new Error(`airtable: refreshing the webhook failed: ${requestFailure(error)}`, { cause: error });
      }
      const body = await jsonAnswer(res);
      if (res.status === 429) limiter.holdUntil(now + RATE_LIMIT_PENALTY_MS, 'Airtable answered 429');
      if (!res.ok) {
        const reason = errorReason(body);
        throw new Error(`airtable: refreshing webhook ${webhookId} answered HTTP ${res.status}${reason ? ` ${reason}` : ''}`);
      }
      const expirationTime = (body as { expirationTime?: unknown } | undefined)?.expirationTime;
      logger.info('airtable: webhook refreshed', { webhookId, expirationTime: typeof expirationTime === 'string' ? expirationTime : null });
    },
  };
}
