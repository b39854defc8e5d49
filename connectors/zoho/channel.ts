/**
 * Zoho's notification channel, kept alive on the scheduler's clock (docs/adding-a-connector.md,
 * "Scheduled work"). A channel lives until its `channel_expiry`, at most a week after it was
 * enabled; the job runs every 12 hours and pushes the expiry 3 days ahead, so two days of failed
 * runs still lose no notification.
 *
 * - First run, or the channel lapsed: `POST /crm/v8/actions/watch` with a new channel id.
 * - Otherwise: `PUT /crm/v8/actions/watch` (Zoho's "update notification details", which
 *   replaces the channel's details) with the same channel id, the events as configured now and a
 *   new expiry; if Zoho no longer knows the channel, it is enabled again with `POST`. PUT rather
 *   than PATCH: it replaces the event list when `ZOHO_ACTIVITY_EVENTS` changed, and its `watch`
 *   body is the same in Zoho's v7 pages and v8 specification.
 *
 * The channel subscribes to exactly the events `ZOHO_ACTIVITY_EVENTS` names, with `notify_url`
 * `PUBLIC_URL/webhooks/zoho` and the token derived from `ZOHO_WEBHOOK_TOKEN` (./signature.ts).
 * The channel id and expiry are kept in the connector's state (`channel:id`, `channel:expires`).
 */
import { randomInt } from 'node:crypto';
import type { ConnectorState } from '../../core/connectors/definition.js';
import type { Logger } from '../../core/observability/logger.js';
import { watchEvents, type ActivityRule } from './activity-rules.js';
import { ZohoApiError, type ZohoApi } from './api.js';
import { channelToken } from './signature.js';

export const CHANNEL_EVERY_MS = 12 * 60 * 60 * 1000;
export const CHANNEL_LIFETIME_MS = 3 * 24 * 60 * 60 * 1000;

export const STATE_CHANNEL_ID = 'channel:id';
export const STATE_CHANNEL_EXPIRES = 'channel:expires';

export interface ChannelConfig {
  api: ZohoApi;
  state: ConnectorState;
  logger: Logger;
  rules: readonly ActivityRule[];
  webhookToken: string;
  publicUrl: string | undefined;
}

/** Zoho's ISO date time with an offset and no fraction: 2026-12-10T00:34:42+00:00. */
export function zohoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** The first entry of Zoho's `watch` answer, checked: anything but SUCCESS throws with Zoho's words. */
function expectSuccess(body: unknown, what: string): void {
  const watch = (body as { watch?: unknown } | undefined)?.watch;
  const entry = Array.isArray(watch) ? (watch[0] as Record<string, unknown> | undefined) : undefined;
  if (entry?.code !== 'SUCCESS') {
    throw new Error(`zoho: ${what} refused: ${String(entry?.code ?? 'no answer')}${typeof entry?.message === 'string' ? `: ${entry.message}` : ''}`);
  }
}

export async function renewChannel(config: ChannelConfig, now: number): Promise<void> {
  const events = watchEvents(config.rules);
  if (events.length === 0) return; // Nothing to watch: the Deluge function alone brings actions.
  if (!config.publicUrl) throw new Error('zoho: set PUBLIC_URL, the address Zoho sends record notifications to (PUBLIC_URL/webhooks/zoho)');

  const known = await config.state.get(STATE_CHANNEL_ID);
  const expires = Number(await config.state.get(STATE_CHANNEL_EXPIRES));
  const channelId = known ?? String(randomInt(1_000_000_000_000, 9_000_000_000_000));
  const watch = {
    watch: [
      {
        channel_id: channelId,
        events,
        channel_expiry: zohoTime(now + CHANNEL_LIFETIME_MS),
        token: channelToken(config.webhookToken),
        notify_url: `${config.publicUrl.replace(/\/+$/, '')}/webhooks/zoho`,
        notify_on_related_action: false,
      },
    ],
  };
  const signal = AbortSignal.timeout(30_000);

  let renewed = false;
  if (known && Number.isFinite(expires) && expires > now) {
    try {
      const answer = await config.api.call('PUT', '/actions/watch', watch, now, signal);
      expectSuccess(answer.body, 'renewing the notification channel');
      renewed = true;
    } catch (error) {
      // Zoho no longer has the channel (deleted in Zoho, or expired early): enable it anew below.
      if (!(error instanceof ZohoApiError && error.status >= 400 && error.status < 500 && error.status !== 429)) throw error;
      config.logger.warn('zoho notification channel could not be renewed; enabling it again', { channelId, status: error.status, code: error.code });
    }
  }
  if (!renewed) {
    const answer = await config.api.call('POST', '/actions/watch', watch, now, signal);
    expectSuccess(answer.body, 'enabling the notification channel');
  }
  await config.state.set(STATE_CHANNEL_ID, channelId);
  await config.state.set(STATE_CHANNEL_EXPIRES, String(now + CHANNEL_LIFETIME_MS));
  config.logger.info(renewed ? 'zoho notification channel renewed' : 'zoho notification channel enabled', { channelId, events, expires: watch.watch[0]!.channel_expiry });
}
