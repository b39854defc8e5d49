import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type ChatPostMessageArguments,
  type FetchFunction,
  type Logger as SlackLogger,
} from '@slack/web-api';
import { classifyHttp, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { slackOptions, type SlackOptions } from './options.js';

/** The `metadata.event_type` every message we post carries (see `send`). */
export const SLACK_METADATA_EVENT_TYPE = 'loyalty_hub_delivery';

/**
 * `ok: false` errors worth another attempt: Slack's own transient failures. `fatal_error` and
 * `internal_error` may have posted the message anyway — the retry can then duplicate it, which
 * the idempotency key in the message metadata lets a reader recognise. Every other error
 * (`channel_not_found`, `not_in_channel`, `is_archived`, `invalid_auth`, `missing_scope`,
 * `invalid_blocks`, `msg_too_long`, …) will fail the same way next time: permanent.
 */
const RETRYABLE_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

export interface SlackAdapterConfig {
  token: string;
  /** Base URL as in `https://slack.com` (the adapter appends `/api/`); one already ending in `/api` is used as is. */
  apiUrl?: string;
}

/** `SLACK_API_URL` → the SDK's `slackApiUrl` (which must end in `/api/`). */
export function slackApiUrl(base: string | undefined): string {
  if (!base) return 'https://slack.com/api/';
  const trimmed = base.replace(/\/+$/, '');
  return /\/api$/.test(trimmed) ? `${trimmed}/` : `${trimmed}/api/`;
}

/**
 * The SDK logs to the console by default (request failures, rate limits). The dispatcher logs
 * every attempt with its outcome, so the SDK stays quiet.
 */
const quietLogger: SlackLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

export function createSlackAdapter(config: SlackAdapterConfig): OutboundAdapter<SlackOptions> {
  const apiUrl = slackApiUrl(config.apiUrl);

  return {
    name: 'slack',
    options: slackOptions,
    async send(options, context) {
      // One client per send, so that this delivery's abort signal reaches the request; the SDK
      // takes no per-call signal. A client is a few small objects, nothing is connected.
      const client = new WebClient(config.token, {
        slackApiUrl: apiUrl,
        logger: quietLogger,
        // The dispatcher owns retries, backoff and Retry-After: the SDK makes exactly one request
        // and hands a 429 back instead of sleeping on it.
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        fetch: fetchWithSignal(context.signal),
      });
      const args = {
        channel: options.channel,
        text: options.text,
        ...(options.blocks ? { blocks: options.blocks } : {}),
        // Slack has no idempotency header. The key rides in the message metadata, identical on
        // every attempt, so a duplicate left by a retry after a lost answer can be recognised
        // (conversations.history returns it with include_all_metadata).
        metadata: { event_type: SLACK_METADATA_EVENT_TYPE, event_payload: { idempotency_key: context.idempotencyKey } },
      } satisfies ChatPostMessageArguments;
      try {
        const result = await client.chat.postMessage(args);
        return { status: 'delivered', statusCode: 200, ...(result.ts ? { providerMessageId: result.ts } : {}) };
      } catch (error) {
        return slackFailure(error, context);
      }
    },
  };
}

/** Maps what the SDK throws to an outcome. */
export function slackFailure(error: unknown, context: Pick<SendContext, 'signal' | 'now'>): SendOutcome {
  if (error instanceof WebAPIRateLimitedError) {
    return { status: 'retry', statusCode: 429, retryAfterMs: error.retryAfter * 1000, error: 'slack: ratelimited (HTTP 429)' };
  }
  if (error instanceof WebAPIPlatformError) {
    const code = typeof error.data.error === 'string' ? error.data.error : 'unknown_error';
    const detail = platformDetail(error.data.response_metadata?.messages);
    if (RETRYABLE_ERRORS.has(code)) {
      const retryAfter = error.data.response_metadata?.retryAfter;
      return {
        status: 'retry',
        statusCode: 200,
        ...(retryAfter !== undefined ? { retryAfterMs: retryAfter * 1000 } : {}),
        error: `slack: ${code}${detail}`,
      };
    }
    return { status: 'permanent', statusCode: 200, error: `slack: ${code}${detail}` };
  }
  if (error instanceof WebAPIHTTPError) {
    // Slack answers 200 for nearly everything; anything else is classified like any provider's.
    const outcome = classifyHttp(error.statusCode, error.headers, context.now);
    return outcome.status === 'retry' || outcome.status === 'permanent' ? { ...outcome, error: `slack: HTTP ${error.statusCode}` } : outcome;
  }
  if (context.signal.aborted) return { status: 'retry', error: 'slack: aborted' };
  if (error instanceof WebAPIRequestError) {
    return { status: 'retry', error: `slack: request failed: ${error.original.message}` };
  }
  // A 429 without a usable Retry-After, or anything else unexpected: try again on the schedule.
  return { status: 'retry', error: `slack: ${error instanceof Error ? error.message : String(error)}` };
}

/** `response_metadata.messages` explains `invalid_blocks` and friends (JSON pointers, no content). */
function platformDetail(messages: string[] | undefined): string {
  if (!messages?.length) return '';
  const text = messages.slice(0, 3).join('; ');
  return ` (${text.length > 300 ? `${text.slice(0, 300)}…` : text})`;
}

/**
 * The SDK's transport: the global `fetch` looked up at call time (so a test's interceptor, or a
 * later-installed proxy agent, is honoured), carrying the delivery's abort signal.
 */
function fetchWithSignal(signal: AbortSignal): FetchFunction {
  return (url, init) => {
    const signals = [signal, init?.signal].filter((s): s is AbortSignal => s !== undefined);
    return globalThis.fetch(url, { ...init, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] });
  };
}
