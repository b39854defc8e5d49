/**
 * The `sheets` mapping adapter: a row per loyalty event appended to a Google Sheets tab,
 * `POST <SHEETS_API_URL>/v4/spreadsheets/<id>/values/<'tab'!A1:…1>:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS`
 * with `{ majorDimension: "ROWS", values: [[…]] }`: the mapping's columns, then the delivery id.
 *
 * Sent twice? `values:append` takes no idempotency key, and an attempt that timed out may have
 * landed. So every row ends with the delivery id, and every attempt after the first reads that
 * column first: a row already there is answered `delivered` without appending again
 * (docs/connectors/sheets.md, "Sent twice?").
 *
 * Outcomes: 2xx → delivered (the range written kept as the provider id); 401 → the token is
 * dropped and the call made once more with a new one; 408, 429 and 5xx → retry, honouring
 * `Retry-After` (a 429 also holds every send until then); other 4xx → permanent with Google's own
 * `status` and `message`.
 */
import { TokenRequestError, tokenFailure } from '../../core/outbound/token-cache.js';
import { maskEmail } from '../../core/observability/redact.js';
import { classifyHttp, type OutboundAdapter, type SendContext, type SendOutcome } from '../../core/outbound/adapter.js';
import { jsonObjectAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { createRateLimiter } from '../../core/outbound/rate-limit.js';
import { columnLetter, neutralizeFormula, quotedSheet } from './cells.js';
import { sheetsOptions, type SheetsOptions } from './options.js';
import { readServiceAccount, ServiceAccountError, type ServiceAccount } from './service-account.js';
import { createTokenCache, type TokenCache } from './token.js';

export const DEFAULT_SHEETS_API_URL = 'https://sheets.googleapis.com';

/**
 * Google's quotas: 300 write (and 300 read) requests a minute per project, 60 a minute per user.
 * The hub calls as one user — its service account — so 60 a minute is the limit that binds.
 * Reads (only on a retried delivery) have a quota of their own (docs/connectors/sheets.md, "Quotas").
 */
export const SHEETS_WRITE_LIMITS = [{ requests: 60, perMs: 60_000 }];
export const SHEETS_READ_LIMITS = [{ requests: 60, perMs: 60_000 }];

export interface SheetsAdapterConfig {
  /** `GOOGLE_SERVICE_ACCOUNT_JSON`: the key file's JSON, or its path. */
  serviceAccount: string;
  /** `SHEETS_API_URL`: replaces https://sheets.googleapis.com. */
  apiUrl?: string;
  /** Reads the key file when the variable is a path (tests give their own). */
  readFile?: (path: string) => string;
}

export function createSheetsAdapter(config: SheetsAdapterConfig): OutboundAdapter<SheetsOptions> {
  const apiUrl = (config.apiUrl?.trim() || DEFAULT_SHEETS_API_URL).replace(/\/+$/, '');
  const writes = createRateLimiter('Google Sheets', SHEETS_WRITE_LIMITS);
  const reads = createRateLimiter('Google Sheets (reads)', SHEETS_READ_LIMITS);
  let auth: { account: ServiceAccount; tokens: TokenCache } | undefined;

  /** Read once; a bad value is read again on the next send, so fixing the file needs no restart. */
  function authentication(): { account: ServiceAccount; tokens: TokenCache } {
    if (!auth) {
      const account = readServiceAccount(config.serviceAccount, config.readFile);
      auth = { account, tokens: createTokenCache(account) };
    }
    return auth;
  }

  async function call(url: string, init: RequestInit, context: SendContext): Promise<Response> {
    const { tokens } = authentication();
    const attempt = async (token: string) =>
      fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}`, accept: 'application/json' }, signal: context.signal });
    const token = await tokens.get(context.now, context.signal);
    const res = await attempt(token);
    if (res.status !== 401) return res;
    // A token Google no longer takes (the key was rotated, or the clock drifted): one new token.
    tokens.drop(token);
    await res.text().catch(() => undefined);
    return attempt(await tokens.get(context.now, context.signal));
  }

  /** Whether an earlier attempt of this delivery already wrote its row (its id in the last column). */
  async function alreadyWritten(options: SheetsOptions, column: string, context: SendContext): Promise<SendOutcome | boolean> {
    const turn = reads.take(context.now);
    if (!turn.ok) return { status: 'deferred', until: turn.until, reason: `sheets: ${turn.reason}` };
    const range = `${quotedSheet(options.sheet)}!${column}:${column}`;
    const res = await call(`${apiUrl}/v4/spreadsheets/${encodeURIComponent(options.spreadsheetId)}/values/${encodeURIComponent(range)}?majorDimension=COLUMNS`, { method: 'GET' }, context);
    const answer = await jsonObjectAnswer(res);
    if (!res.ok) return failure(res, answer, context, reads, auth?.account);
    const values = Array.isArray(answer?.values) ? (answer.values as unknown[]) : [];
    return values.some((col) => Array.isArray(col) && col.some((cell) => cell === context.idempotencyKey));
  }

  return {
    name: 'sheets',
    options: sheetsOptions,
    async send(options, context) {
      try {
        authentication();
      } catch (error) {
        if (error instanceof ServiceAccountError) return { status: 'permanent', error: `sheets: ${error.message}` };
        throw error;
      }
      if (context.signal.aborted) return { status: 'retry', error: 'sheets: aborted' };

      const row = [...options.columns.map((c) => (typeof c === 'string' ? neutralizeFormula(c) : c.formula)), neutralizeFormula(context.idempotencyKey)];
      const idColumn = columnLetter(row.length - 1);
      try {
        if (context.attempt > 1) {
          const written = await alreadyWritten(options, idColumn, context);
          if (written === true) return { status: 'delivered', statusCode: 200 };
          if (written !== false) return written;
        }
        const turn = writes.take(context.now);
        if (!turn.ok) return { status: 'deferred', until: turn.until, reason: `sheets: ${turn.reason}` };

        // The row's own width from A, as Google's append example gives its table ("Sheet1!A1:E1").
        const range = `${quotedSheet(options.sheet)}!A1:${idColumn}1`;
        const url = `${apiUrl}/v4/spreadsheets/${encodeURIComponent(options.spreadsheetId)}/values/${encodeURIComponent(range)}:append?valueInputOption=USER_ENTERED&insertDataOption=INSERT_ROWS`;
        const res = await call(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify({ majorDimension: 'ROWS', values: [row] }) }, context);
        const answer = await jsonObjectAnswer(res);
        if (!res.ok) return failure(res, answer, context, writes, auth?.account);
        const updates = answer?.updates as Record<string, unknown> | undefined;
        const written = typeof updates?.updatedRange === 'string' ? updates.updatedRange : undefined;
        return { status: 'delivered', statusCode: res.status, ...(written ? { providerMessageId: written } : {}) };
      } catch (error) {
        if (error instanceof TokenRequestError) return tokenFailure('sheets', error, context);
        if (context.signal.aborted) return { status: 'retry', error: 'sheets: aborted' };
        return { status: 'retry', error: `sheets: request failed: ${requestFailure(error)}` };
      }
    },
  };
}

type Limiter = ReturnType<typeof createRateLimiter>;

function failure(res: Response, answer: Record<string, unknown> | undefined, context: SendContext, limiter: Limiter, account: ServiceAccount | undefined): SendOutcome {
  const outcome = classifyHttp(res.status, res.headers, context.now);
  const error = `sheets: HTTP ${res.status}${describeError(answer)}${hint(res.status, account)}`;
  if (outcome.status === 'retry') {
    if (res.status === 429) limiter.holdUntil(context.now + (outcome.retryAfterMs ?? 60_000), 'Google Sheets answered 429');
    return { ...outcome, error };
  }
  return outcome.status === 'permanent' ? { ...outcome, error } : outcome;
}

/** What a merchant does about the two refusals a new set-up meets. */
function hint(status: number, account: ServiceAccount | undefined): string {
  if (status === 403 && account) return ` (share the spreadsheet with ${account.clientEmail} as Editor)`;
  if (status === 404) return ' (check spreadsheetId: the id in the sheet\'s address)';
  return '';
}

/**
 * Google's error body `{ error: { code, message, status } }` → ` INVALID_ARGUMENT: <message>`. The
 * message may quote a value of the row (an e-mail address): masked, as in every log line
 * (docs/security.md, "Logs").
 */
function describeError(body: Record<string, unknown> | undefined): string {
  const error = body?.error;
  if (typeof error !== 'object' || error === null) return '';
  const { message, status } = error as Record<string, unknown>;
  let text = [typeof status === 'string' ? status : undefined, typeof message === 'string' ? maskEmail(message) : undefined].filter(Boolean).join(': ');
  if (text.length > 300) text = `${text.slice(0, 300)}…`;
  return text ? ` ${text}` : '';
}
