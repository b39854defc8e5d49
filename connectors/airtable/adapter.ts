/**
 * The `airtable` mapping adapter: one record created or updated per delivery with Airtable's
 * upsert, `PATCH /v0/{baseId}/{table}` with `performUpsert.fieldsToMergeOn`
 * (docs/connectors/airtable.md, "Writing records"). Airtable takes no idempotency key; the
 * upsert is what makes a retried attempt harmless — it finds the record the first attempt made
 * and writes the same cells again, instead of adding a second one.
 */
import { classifyHttp, type OutboundAdapter, type SendOutcome } from '../../core/outbound/adapter.js';
import { jsonAnswer, requestFailure } from '../../core/outbound/provider-answer.js';
import { authHeaders, baseLimiter, errorReason, RATE_LIMIT_PENALTY_MS, type AirtableApi } from './api.js';
import { airtableOptions, type AirtableOptions } from './options.js';

export function createAirtableAdapter(api: AirtableApi): OutboundAdapter<AirtableOptions> {
  const limiter = baseLimiter(api.baseId);
  return {
    name: 'airtable',
    options: airtableOptions,
    async send(options, context) {
      const blank = options.mergeOn.filter((f) => !options.fields[f]?.trim());
      if (blank.length) return { status: 'skipped', reason: `airtable: the merge field ${blank.join(', ')} rendered empty: no record to match` };
      const turn = limiter.take(context.now);
      if (!turn.ok) return { status: 'deferred', until: turn.until, reason: turn.reason };

      const url = `${api.baseUrl}/v0/${encodeURIComponent(api.baseId)}/${encodeURIComponent(options.table)}`;
      const body = {
        performUpsert: { fieldsToMergeOn: options.mergeOn },
        records: [{ fields: options.fields }],
        ...(options.typecast ? { typecast: true } : {}),
      };
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'PATCH',
          headers: { ...authHeaders(api), 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: context.signal,
        });
      } catch (error) {
        if (context.signal.aborted) return { status: 'retry', error: 'airtable: aborted' };
        return { status: 'retry', error: `airtable: request failed: ${requestFailure(error)}` };
      }
      const answer = await jsonAnswer(res);
      if (res.ok) {
        const id = (answer as { records?: { id?: unknown }[] } | undefined)?.records?.[0]?.id;
        return { status: 'delivered', statusCode: res.status, ...(typeof id === 'string' ? { providerMessageId: id } : {}) };
      }
      let outcome: SendOutcome = classifyHttp(res.status, res.headers, context.now);
      if (res.status === 429) {
        // Airtable sends no Retry-After; it documents a 30 s penalty for the whole base.
        const retryAfterMs = outcome.status === 'retry' && outcome.retryAfterMs !== undefined ? outcome.retryAfterMs : RATE_LIMIT_PENALTY_MS;
        limiter.holdUntil(context.now + retryAfterMs, 'Airtable answered 429');
        outcome = { status: 'retry', statusCode: 429, retryAfterMs, error: 'HTTP 429' };
      }
      const reason = errorReason(answer);
      const error = `airtable: HTTP ${res.status}${reason ? ` ${reason}` : ''}`;
      if (outcome.status === 'retry') return { ...outcome, statusCode: res.status, error };
      if (outcome.status === 'permanent') return { ...outcome, error };
      return outcome;
    },
  };
}
