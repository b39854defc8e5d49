import { squareClient } from './client.js';
import { createHash } from 'node:crypto';
import { SquareClient, SquareError, SquareTimeoutError, type Square } from 'square';
import { classifyHttp, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { squareLoyaltyOptions, type SquareLoyaltyOptions } from './loyalty-options.js';

/**
 * The Square Loyalty mirror: each ledger change a mapping forwards becomes one write to the
 * member's Square Loyalty account, so Square Point of Sale shows the hub's balance.
 *
 * - `AdjustLoyaltyPoints` (`POST /v2/loyalty/accounts/{id}/adjust`) for deductions, and for
 *   additions when no location is given: `adjust_points: { points (signed), reason }`.
 * - `AccumulateLoyaltyPoints` (`POST /v2/loyalty/accounts/{id}/accumulate`) for additions with a
 *   `locationId`: `accumulate_points: { points }` and `location_id`, shown in Square as points
 *   earned at that location. Never with an `order_id`: Square would then compute the points from
 *   the order by its own accrual rules instead of mirroring the hub's.
 * - The account, unless the mapping names it (`accountId`), is found with
 *   `SearchLoyaltyAccounts` (`POST /v2/loyalty/accounts/search`) by customer ID or by the phone
 *   number the account is registered under (by default the member's).
 *
 * Every write carries the delivery's idempotency key, identical on every attempt: a retry after
 * an answer was lost is answered by Square with the first result instead of a second change.
 * The SDK makes exactly one request per call (`maxRetries: 0`): the dispatcher owns retries and
 * `Retry-After`.
 */
export interface SquareLoyaltyConfig {
  /** `SQUARE_ACCESS_TOKEN`, with LOYALTY_READ and LOYALTY_WRITE. Without it every send fails permanently. */
  accessToken?: string;
  /** `SQUARE_API_URL`, e.g. https://connect.squareupsandbox.com; default production. */
  apiUrl?: string;
  /** Per request; the dispatcher's own time limit (its abort signal) applies too. */
  timeoutMs?: number;
}

export const SQUARE_API_URL = 'https://connect.squareup.com';
/** Square accepts idempotency keys of 1 to 128 characters on the loyalty endpoints. */
export const SQUARE_IDEMPOTENCY_KEY_MAX = 128;
export const DEFAULT_REASON = 'Loyalty Hub';

/** `+`, a country code not starting with 0, 7 to 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;

type Account = { id: string } | { skip: string } | { fail: string };

export function createSquareLoyaltyAdapter(config: SquareLoyaltyConfig): OutboundAdapter<SquareLoyaltyOptions> {
  const accessToken = config.accessToken?.trim() || undefined;
  const timeoutInSeconds = (config.timeoutMs ?? 10_000) / 1000;
  // Built on first use, not here: building the adapter must not need the token (mappings are
  // checked against this adapter's options on machines without secrets).
  let client: SquareClient | undefined;

  return {
    name: 'square',
    options: squareLoyaltyOptions,
    async send(options, context) {
      if (!accessToken) {
        return { status: 'permanent', error: 'square: SQUARE_ACCESS_TOKEN is not set; the Square Loyalty mirror needs an access token with LOYALTY_READ and LOYALTY_WRITE' };
      }
      if (options.points === 0) return { status: 'skipped', reason: 'square: 0 points, nothing to mirror' };
      if (context.signal.aborted) return { status: 'retry', error: 'square: aborted' };
      client ??= squareClient({ accessToken, apiUrl: config.apiUrl, timeoutInSeconds });
      const request = { abortSignal: context.signal, timeoutInSeconds, maxRetries: 0 };

      let account: Account;
      try {
        account = await findAccount(client, options, context, request);
      } catch (error) {
        return squareFailure(error, context, 'SearchLoyaltyAccounts');
      }
      if ('skip' in account) return { status: 'skipped', reason: `square: ${account.skip}` };
      if ('fail' in account) return { status: 'permanent', error: `square: ${account.fail}` };

      const idempotencyKey = squareIdempotencyKey(context.idempotencyKey);
      const accumulate = options.points > 0 && !!options.locationId;
      try {
        let event: Square.LoyaltyEvent | undefined;
        if (accumulate) {
          const res = await client.loyalty.accounts.accumulatePoints(
            { accountId: account.id, accumulatePoints: { points: options.points }, idempotencyKey, locationId: options.locationId! },
            request,
          );
          event = res.events?.[0] ?? res.event;
        } else {
          const res = await client.loyalty.accounts.adjust(
            {
              accountId: account.id,
              idempotencyKey,
              adjustPoints: { points: options.points, reason: options.reason || DEFAULT_REASON },
              ...(options.allowNegativeBalance !== undefined ? { allowNegativeBalance: options.allowNegativeBalance } : {}),
            },
            request,
          );
          event = res.event;
        }
        return { status: 'delivered', statusCode: 200, ...(event?.id ? { providerMessageId: event.id } : {}) };
      } catch (error) {
        if (error instanceof SquareError && error.statusCode === 404) {
          const detail = errorDetail(error).trim();
          return {
            status: 'permanent',
            statusCode: 404,
            error: `square: Square Loyalty account ${account.id}${accumulate ? ` or location ${options.locationId}` : ''} not found${detail ? ` (${detail})` : ''}`,
          };
        }
        return squareFailure(error, context, accumulate ? 'AccumulateLoyaltyPoints' : 'AdjustLoyaltyPoints');
      }
    },
  };
}

/**
 * The account to write to: `accountId` as given; else the one linked to `customerId`; else the
 * one registered under `phone`, or under the member's phone. An option that rendered empty
 * counts as not given. No way to find one, or Square knows none: skip (or fail, with
 * `missingAccount: fail`). Square's own refusals and failures are thrown (SquareError).
 */
async function findAccount(
  client: SquareClient,
  options: SquareLoyaltyOptions,
  context: SendContext,
  request: { abortSignal: AbortSignal; timeoutInSeconds: number; maxRetries: number },
): Promise<Account> {
  const missing = (why: string): Account => (options.missingAccount === 'fail' ? { fail: why } : { skip: why });
  if (options.accountId) return { id: options.accountId };

  let query: Square.SearchLoyaltyAccountsRequestLoyaltyAccountQuery;
  let who: string;
  if (options.customerId) {
    query = { customerIds: [options.customerId] };
    who = `Square customer ${options.customerId}`;
  } else {
    const given = options.phone || context.member?.phone || '';
    const source = options.phone ? 'the phone number given' : "the member's phone number";
    if (!given) return missing('no Square Loyalty account to mirror to: no accountId, customerId or phone, and the member has no phone number');
    const phone = normalizePhone(given);
    if (!E164.test(phone)) return missing(`${source} (${maskPhone(given)}) is not in E.164 form (+14155550123), so no Square Loyalty account can be looked up`);
    query = { mappings: [{ phoneNumber: phone }] };
    who = `phone number ${maskPhone(phone)}`;
  }
  const res = await client.loyalty.accounts.search({ query, limit: 1 }, request);
  const id = res.loyaltyAccounts?.[0]?.id;
  return id ? { id } : missing(`no Square Loyalty account for ${who}`);
}

/**
 * The delivery's key, as Square accepts it: as is up to 128 characters (a delivery id is far
 * shorter), else its SHA-256 — the same on every attempt, so idempotency holds either way.
 */
export function squareIdempotencyKey(key: string): string {
  return key.length > 0 && key.length <= SQUARE_IDEMPOTENCY_KEY_MAX ? key : createHash('sha256').update(key).digest('hex');
}

/** Maps what the SDK throws to an outcome: 429/5xx (and 408) retried, other 4xx permanent. */
export function squareFailure(error: unknown, context: Pick<SendContext, 'signal' | 'now'>, call: string): SendOutcome {
  if (error instanceof SquareError && error.statusCode !== undefined) {
    const status = error.statusCode;
    const outcome = classifyHttp(status, error.rawResponse?.headers ?? {}, context.now);
    const text = `square: ${call} HTTP ${status}${errorDetail(error)}${hint(error)}`;
    if (outcome.status === 'retry' || outcome.status === 'permanent') return { ...outcome, error: text };
    // A 3xx the SDK did not follow: nothing was changed that we know of; try again later.
    return { status: 'retry', statusCode: status, error: text };
  }
  if (context.signal.aborted) return { status: 'retry', error: 'square: aborted' };
  if (error instanceof SquareTimeoutError) return { status: 'retry', error: `square: ${call} timed out` };
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  return { status: 'retry', error: `square: ${call} failed: ${message}` };
}

/** Square's `errors[]` → ` BAD_REQUEST: <detail> (field)`, at most three, kept short. */
export function errorDetail(error: SquareError): string {
  const body = error.body as { errors?: unknown } | undefined;
  if (!body || typeof body !== 'object' || !Array.isArray(body.errors)) return '';
  const parts = (body.errors as { code?: unknown; detail?: unknown; field?: unknown }[]).slice(0, 3).map((e) => {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const detail = typeof e.detail === 'string' ? e.detail : undefined;
    const field = typeof e.field === 'string' ? ` (${e.field})` : '';
    return [code, detail].filter(Boolean).join(': ') + field;
  });
  let text = parts.filter(Boolean).join('; ');
  if (text.length > 300) text = `${text.slice(0, 300)}…`;
  return text ? ` ${text}` : '';
}

/** What the merchant should fix, for the refusals that are about the token. */
function hint(error: SquareError): string {
  if (error.statusCode === 401) return ' — check SQUARE_ACCESS_TOKEN (and SQUARE_API_URL: a Sandbox token only works on https://connect.squareupsandbox.com)';
  if (error.statusCode === 403) return ' — the access token needs the LOYALTY_READ and LOYALTY_WRITE permissions';
  return '';
}

export function normalizePhone(value: string): string {
  return value.replace(/[\s().-]/g, '');
}

/** Phone numbers are personal data: errors and skip reasons show only the last four digits. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  return digits.length <= 4 ? '••••' : `••••${digits.slice(-4)}`;
}
