/**
 * The LoyaltyLion adapter, for a merchant running both programs side by side
 * (docs/connectors/loyaltylion.md, "Running both side by side"): each ledger change a mapping
 * forwards becomes one call on the customer named by their store id —
 * `POST /v2/customers/{merchant_id}/points` `{ points, reason }` (201) to add,
 * `POST /v2/customers/{merchant_id}/remove_points` `{ points, reason }` (204) to remove.
 *
 * LoyaltyLion accepts no idempotency key on either call, so the adapter de-duplicates by the
 * delivery: a delivered key is recorded in the connector's state and a later attempt of the same
 * delivery sends nothing. What remains — LoyaltyLion applied the call but its answer was lost —
 * cannot be told apart from a failure; the dispatcher retries it, and the setup page says so.
 * 429 and 5xx are retried after `Retry-After`, other 4xx dead-lettered with LoyaltyLion's reason;
 * LoyaltyLion's 20 requests a second are kept with the shared limiter.
 */
import type { ConnectorState } from '../../core/connectors/definition.js';
import { classifyHttp, type OutboundAdapter, type SendOutcome } from '../../core/outbound/adapter.js';
import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { createRateLimiter } from '../../core/outbound/rate-limit.js';
import { apiBase, authHeaders, errorReason, LOYALTYLION_RATE, type LoyaltyLionApiConfig } from './api.js';
import { withMarker } from './marker.js';
import { loyaltyLionOptions, type LoyaltyLionOptions } from './options.js';

export const DEFAULT_REASON = 'Loyalty Hub';
const SENT_PREFIX = 'adapter:sent:';

export interface LoyaltyLionAdapterConfig extends LoyaltyLionApiConfig {
  /** `LOYALTYLION_STORE_PLATFORM`: whose customer ids are LoyaltyLion's merchant ids. */
  storePlatform?: string;
  /** The member's aliases (`shopify:123`), to find their merchant id. */
  aliasesOf(memberId: string): Promise<string[]>;
  state: ConnectorState;
}

export function createLoyaltyLionAdapter(config: LoyaltyLionAdapterConfig): OutboundAdapter<LoyaltyLionOptions> {
  const base = apiBase(config);
  const limiter = createRateLimiter('LoyaltyLion', [LOYALTYLION_RATE]);

  async function merchantIdOf(options: LoyaltyLionOptions, memberId: string | undefined): Promise<string | undefined> {
    if (options.merchantId) return options.merchantId;
    if (!config.storePlatform || !memberId) return undefined;
    const prefix = `${config.storePlatform}:`;
    return (await config.aliasesOf(memberId)).find((a) => a.startsWith(prefix))?.slice(prefix.length) || undefined;
  }

  return {
    name: 'loyaltylion',
    options: loyaltyLionOptions,
    async send(options, context) {
      if (!config.token) return { status: 'permanent', error: 'loyaltylion: LOYALTYLION_TOKEN is not set' };
      if (options.points === 0) return { status: 'skipped', reason: 'loyaltylion: 0 points, nothing to send' };
      const merchantId = await merchantIdOf(options, context.member?.id);
      if (!merchantId) {
        return {
          status: 'skipped',
          reason: config.storePlatform
            ? `loyaltylion: the member has no ${config.storePlatform}: id and the mapping gives no merchantId`
            : 'loyaltylion: no merchantId in the mapping and LOYALTYLION_STORE_PLATFORM is not set',
        };
      }
      if (await config.state.get(SENT_PREFIX + context.idempotencyKey)) {
        return { status: 'delivered', statusCode: 200, providerMessageId: 'already sent' };
      }
      if (context.signal.aborted) return { status: 'retry', error: 'loyaltylion: aborted' };
      const turn = limiter.take(context.now);
      if (!turn.ok) return { status: 'deferred', until: turn.until, reason: turn.reason };

      const add = options.points > 0;
      const path = `/v2/customers/${encodeURIComponent(merchantId)}/${add ? 'points' : 'remove_points'}`;
      let res: Response;
      try {
        res = await fetch(base + path, {
          method: 'POST',
          headers: { ...authHeaders(config), 'content-type': 'application/json' },
          body: JSON.stringify({ points: Math.abs(options.points), reason: withMarker(options.reason || DEFAULT_REASON) }),
          signal: context.signal,
        });
      } catch (error) {
        if (context.signal.aborted) return { status: 'retry', error: 'loyaltylion: aborted' };
        return { status: 'retry', error: `loyaltylion: request failed: ${requestFailure(error)}` };
      }
      const body = await jsonAnswer(res);
      if (res.ok) {
        await config.state.set(SENT_PREFIX + context.idempotencyKey, String(context.now));
        return { status: 'delivered', statusCode: res.status };
      }
      const outcome: SendOutcome = classifyHttp(res.status, res.headers, context.now);
      const error = `loyaltylion: ${add ? 'add' : 'remove'} points HTTP ${res.status}${errorReason(body)}`;
      if (outcome.status === 'retry') {
        if (res.status === 429) limiter.holdUntil(context.now + (outcome.retryAfterMs ?? 1000), 'LoyaltyLion answered 429');
        return { ...outcome, error };
      }
      if (outcome.status === 'permanent') return { ...outcome, error };
      return outcome;
    },
  };
}
