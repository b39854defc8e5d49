/**
 * `POST /webhooks/airtable` (docs/connectors/airtable.md): Airtable's ping says only "something
 * changed in base B for webhook W". The handler verifies it (./signature.ts), reads the payloads
 * from the stored cursor (./payloads.ts), and turns the rows created in the purchases table into
 * `order.paid` events — several in one delivery when a batch carries several purchases. The
 * cursor moves once the core has committed them (./cursor.ts), on the outcome.
 *
 * A ping carries no facts, only the call to read; so an old or replayed ping can do no harm (it
 * reads from our cursor with our token) and its signed `timestamp` is not held to a tolerance.
 */
import { jsonObjectBody } from '../../core/connectors/body.js';
import type { InboundHandler, InboundRequest, NormalizeResult } from '../../core/connectors/definition.js';
import { hmacVerifier } from '../../core/connectors/hmac-signature.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import type { Logger } from '../../core/observability/logger.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { AirtableApi } from './api.js';
import type { PayloadCursor } from './cursor.js';
import { purchaseOfRecord, type PurchaseColumns } from './order-paid.js';
import { readPayloads } from './payloads.js';
import { pingSchema } from './schemas.js';
import { AIRTABLE_SIGNATURE, macSecretUsable } from './signature.js';

export interface AirtableInboundConfig {
  api: AirtableApi;
  /** `AIRTABLE_WEBHOOK_MAC_SECRET`, base64 as Airtable gives it. */
  macSecret: string;
  /** `AIRTABLE_WEBHOOK_ID`: the webhook whose pings are read; others are ignored. */
  webhookId: string | undefined;
  purchases: PurchaseColumns | undefined;
  cursor: PayloadCursor;
  logger: Logger;
}

/** Outcomes after which what was read is committed: the cursor may move past it. */
function committed(outcome: { status: string; outcomes?: unknown[] }): boolean {
  if (outcome.status === 'accepted' || outcome.status === 'ignored' || outcome.status === 'rejected') return true;
  // `duplicate` with outcomes: every purchase was earned before. Without: this very ping was
  // handled before and what was read now was not applied — leave the cursor for the next ping.
  return outcome.status === 'duplicate' && Array.isArray(outcome.outcomes) && outcome.outcomes.length > 0;
}

export function createAirtableInbound(config: AirtableInboundConfig): InboundHandler {
  const { api, cursor, logger } = config;
  const readTo = new WeakMap<InboundRequest, { webhookId: string; cursor: number }>();

  return {
    verify: macSecretUsable(config.macSecret)
      ? hmacVerifier(AIRTABLE_SIGNATURE, config.macSecret)
      : () => ({ ok: false, reason: 'AIRTABLE_WEBHOOK_MAC_SECRET is not set or not base64: no ping can be verified' }),
    // No delivery id in a ping: the body's sha256 (the core's default) tells a retried ping.
    deliveryId: () => undefined,
    topic: () => 'ping',

    async normalize(request): Promise<NormalizeResult> {
      const ping = parseWithSchema(pingSchema, jsonObjectBody(request), '', 'Airtable ping');
      if (ping.base.id !== api.baseId) return { status: 'ignored', reason: `a ping for base ${ping.base.id}, not AIRTABLE_BASE_ID` };
      if (!config.webhookId) return { status: 'ignored', reason: 'AIRTABLE_WEBHOOK_ID is not set: payloads are not read (docs/connectors/airtable.md)' };
      if (ping.webhook.id !== config.webhookId) return { status: 'ignored', reason: `a ping for webhook ${ping.webhook.id}, not AIRTABLE_WEBHOOK_ID` };

      const from = await cursor.read(config.webhookId);
      const read = await readPayloads(api, config.webhookId, from);
      readTo.set(request, { webhookId: config.webhookId, cursor: read.cursor });

      if (!config.purchases) return { status: 'ignored', reason: `${read.payloads.length} payload(s) read; no purchases table is configured (AIRTABLE_PURCHASES_TABLE)` };
      const events: PlatformTrigger[] = [];
      const skipped: string[] = [];
      const fallbackTime = Date.parse(ping.timestamp);
      for (const payload of read.payloads) {
        const created = payload.changedTablesById?.[config.purchases.tableId]?.createdRecordsById ?? {};
        for (const [recordId, record] of Object.entries(created)) {
          const row = purchaseOfRecord(config.purchases, recordId, record, Number.isFinite(fallbackTime) ? fallbackTime : Date.now());
          if ('event' in row) events.push(row.event);
          else skipped.push(row.skipped);
        }
      }
      // Record ids and reasons only: cell values (e-mail addresses) are never logged.
      if (skipped.length) logger.warn('airtable: purchase rows that earn nothing', { rows: skipped.slice(0, 20) });
      if (events.length) return { status: 'events', events };
      return { status: 'ignored', reason: `no new purchase row in ${read.payloads.length} payload(s)${skipped.length ? `; skipped ${skipped.slice(0, 5).join('; ')}` : ''}` };
    },

    acknowledge(request, outcome) {
      const read = readTo.get(request);
      if (read && committed(outcome as { status: string; outcomes?: unknown[] })) {
        // Queued, not awaited: the next read in this process waits for it (./cursor.ts).
        void cursor.advance(read.webhookId, read.cursor);
      }
      return undefined;
    },
  };
}
