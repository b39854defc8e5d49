import { sql } from 'drizzle-orm';
import { newId } from '../ids.js';
import { prepared } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import type { LoyaltyEventType } from './loyalty-events.js';

/**
 * Writes a loyalty event to the outbox inside the caller's transaction: it commits with the
 * change it reports or not at all, so no notification is promised for a change that rolled back
 * and none is lost for one that committed.
 */
export async function emitEvent(
  tx: Db,
  now: number,
  event: { type: LoyaltyEventType; memberId: string | null; data: Record<string, unknown> },
): Promise<string> {
  const id = newId('evt', now);
  await prepared(tx, 'outbox_emit', (db, t) =>
    db.insert(t.loyaltyEvents).values({
      id: sql.placeholder('id'),
      type: sql.placeholder('type'),
      memberId: sql.placeholder('memberId'),
      data: sql.placeholder('data'),
      occurredAt: sql.placeholder('occurredAt'),
    }),
  )({ id, type: event.type, memberId: event.memberId, data: JSON.stringify(event.data), occurredAt: now });
  return id;
}
