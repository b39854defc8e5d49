/**
 * Each outbound adapter's latest delivery and latest failed attempt, for connector health
 * (docs/api.md, "Connectors"; the table `adapter_outcomes`). Written by the dispatcher in the
 * transaction that records the attempt — but at most once per adapter, kind and process every
 * `WRITE_EVERY_MS`: every delivery of one adapter would otherwise update the same row, and on
 * PostgreSQL the dispatcher's concurrent attempts would queue behind its lock. Health then lags
 * by at most that long.
 */
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';

export const WRITE_EVERY_MS = 10_000;

export type AttemptKind = 'delivered' | 'failed';

export class AdapterOutcomes {
  private readonly written = new Map<string, number>();

  /** Notes the attempt unless this process noted one of its kind for the adapter less than WRITE_EVERY_MS ago. */
  async note(tx: Db, now: number, adapter: string, kind: AttemptKind, deliveryId: string, statusCode: number | null): Promise<void> {
    const key = `${kind}\u0000${adapter}`;
    const last = this.written.get(key);
    if (last !== undefined && now - last < WRITE_EVERY_MS && now >= last) return;
    this.written.set(key, now);
    const { adapterOutcomes: o } = tablesOf(tx);
    const set = kind === 'delivered' ? { lastDeliveredAt: now, lastDeliveredId: deliveryId } : { lastFailedAt: now, lastFailedId: deliveryId, lastFailedStatus: statusCode };
    await tx.insert(o).values({ adapter, ...set }).onConflictDoUpdate({ target: o.adapter, set });
  }
}
