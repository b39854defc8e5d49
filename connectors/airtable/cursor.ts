/**
 * The payload cursor of the webhook, kept in the connector's state (docs/adding-a-connector.md,
 * "State") under `cursor:<webhook id>` — a new webhook starts again at 1, as Airtable numbers its
 * payloads.
 *
 * It moves only forward, and only after the events read from those payloads are committed: a
 * ping reads from the stored cursor, the core commits what it became, and then — on the
 * outcome (`acknowledge`) — the cursor moves to where the read stopped. A ping that fails
 * anywhere before leaves it where it was, so the next ping reads the same payloads again, and
 * earning them twice is impossible (each purchase is keyed by its order id). Within one process
 * moves are queued one after another and never go back; two hub processes may interleave a read
 * and a write, which can only put the cursor back — a re-read, never a loss.
 */
import type { ConnectorState } from '../../core/connectors/definition.js';
import type { Logger } from '../../core/observability/logger.js';

export interface PayloadCursor {
  /** Where to read from: the stored cursor, or 1 for a webhook never read. Waits for queued moves. */
  read(webhookId: string): Promise<number>;
  /** Queues a move to `to` (ignored if not forward); resolves once it is stored or given up. */
  advance(webhookId: string, to: number): Promise<void>;
}

const key = (webhookId: string) => `cursor:${webhookId}`;

export function payloadCursor(state: ConnectorState, logger: Logger): PayloadCursor {
  let queue: Promise<void> = Promise.resolve();
  const stored = async (webhookId: string): Promise<number> => {
    const n = Number(await state.get(key(webhookId)));
    return Number.isSafeInteger(n) && n >= 1 ? n : 1;
  };
  return {
    async read(webhookId) {
      await queue;
      return stored(webhookId);
    },
    advance(webhookId, to) {
      queue = queue.then(async () => {
        try {
          if (to > (await stored(webhookId))) await state.set(key(webhookId), String(to));
        } catch (error) {
          // Not stored: the next ping reads these payloads again, which earns nothing twice.
          logger.warn('airtable: could not store the webhook payload cursor; the next ping reads again', { error: (error as Error).message });
        }
      });
      return queue;
    },
  };
}
