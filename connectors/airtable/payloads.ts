/**
 * Reading what changed after a ping (docs/connectors/airtable.md, "What a ping does"):
 * `GET /v0/bases/{baseId}/webhooks/{webhookId}/payloads?cursor=…`, page after page while
 * `mightHaveMore`, from the cursor the connector keeps. Any failure throws a plain Error — the
 * core answers 503, the cursor has not moved, and the next ping (or Airtable's retry of this one)
 * reads the same payloads again (docs/adding-a-connector.md, "Inbound: webhooks").
 */
import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { authHeaders, baseLimiter, errorReason, RATE_LIMIT_PENALTY_MS, type AirtableApi } from './api.js';
import { payloadListSchema, type WebhookPayload } from './schemas.js';

/** Airtable's most per page. */
const PAGE = 50;
/**
 * Pages read in one ping: 50 × 50 payloads. More waits for the next ping — the cursor stops
 * where the reading stopped — so one answer stays well inside Airtable's wait for it.
 */
export const MAX_PAGES = 50;
/** A turn of the base's limiter further away than this is not waited for in a webhook answer. */
const MAX_WAIT_MS = 2_000;

export interface PayloadsRead {
  payloads: WebhookPayload[];
  /** Where the next read starts: after the last payload read. */
  cursor: number;
}

export async function readPayloads(api: AirtableApi, webhookId: string, from: number, now: () => number = Date.now): Promise<PayloadsRead> {
  const payloads: WebhookPayload[] = [];
  let cursor = from;
  for (let page = 0; page < MAX_PAGES; page++) {
    await waitForTurn(api.baseId, now);
    const url = `${api.baseUrl}/v0/bases/${encodeURIComponent(api.baseId)}/webhooks/${encodeURIComponent(webhookId)}/payloads?cursor=${cursor}&limit=${PAGE}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: authHeaders(api), signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new Error(`airtable: listing webhook payloads failed: ${requestFailure(error)}`, { cause: error });
    }
    const body = await jsonAnswer(res);
    if (res.status === 429) baseLimiter(api.baseId).holdUntil(now() + RATE_LIMIT_PENALTY_MS, 'Airtable answered 429');
    if (!res.ok) {
      const reason = errorReason(body);
      throw new Error(`airtable: listing webhook payloads answered HTTP ${res.status}${reason ? ` ${reason}` : ''}`);
    }
    const parsed = payloadListSchema.safeParse(body);
    if (!parsed.success) throw new Error('airtable: the list of webhook payloads is not in the documented shape');
    payloads.push(...parsed.data.payloads);
    // The cursor only moves forward, whatever an answer says.
    cursor = Math.max(cursor, parsed.data.cursor);
    if (!parsed.data.mightHaveMore) break;
  }
  return { payloads, cursor };
}

async function waitForTurn(baseId: string, now: () => number): Promise<void> {
  const limiter = baseLimiter(baseId);
  for (;;) {
    const turn = limiter.take(now());
    if (turn.ok) return;
    const wait = turn.until - now();
    if (wait > MAX_WAIT_MS) throw new Error(`airtable: ${turn.reason}; the payloads are read on the next ping`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 1)));
  }
}
