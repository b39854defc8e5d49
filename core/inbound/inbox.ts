/**
 * The inbox (docs/api.md, "Inbox"): every verified delivery with its raw body, the trigger events it became
 * and what came of each, so support can answer "why did this customer (not) get points?" and
 * `replay` can run it again. A delivery is known by (source, platform delivery id): the unique
 * index is what answers a redelivery — however concurrent — as a duplicate.
 * status: `accepted` (applied, possibly as business-fact duplicates), `ignored` (not about
 * loyalty), `rejected` (verified but unusable: 400), `failed` (a transient error: the platform's
 * retry processes it again).
 */
import { and, desc, eq, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { newId } from '../ids.js';
import { param, prepared, tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';

export type InboxStatus = 'accepted' | 'ignored' | 'rejected' | 'failed';
export type InboxRow = import('../storage/rows.js').Row<'inbox'>;

/** Headers kept for replay: the ones connectors read, never credentials. */
const DROPPED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

export function keptHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!DROPPED_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = value;
  });
  return out;
}

export interface NewInboxRow {
  source: string;
  deliveryId: string;
  topic?: string;
  status: InboxStatus | 'processing';
  rawBody: string;
  headers: Record<string, string>;
  events?: unknown;
  outcome?: unknown;
}

/**
 * Claims a delivery for processing: inserts it, or takes over a `failed` one. Returns the row's
 * id, or the existing row when the delivery was already handled (a duplicate).
 */
export async function claimDelivery(tx: Db, now: number, row: NewInboxRow): Promise<{ id: string; existing?: InboxRow }> {
  const { inbox } = tablesOf(tx);
  const id = newId('ibx', now);
  const inserted = await prepared(tx, 'inbox_claim', (d, { inbox: i }) =>
    d
      .insert(i)
      .values({
        id: sql.placeholder('id'),
        source: sql.placeholder('source'),
        deliveryId: sql.placeholder('deliveryId'),
        topic: sql.placeholder('topic'),
        status: sql.placeholder('status'),
        rawBody: sql.placeholder('rawBody'),
        headers: sql.placeholder('headers'),
        events: sql.placeholder('events'),
        outcome: sql.placeholder('outcome'),
        receivedAt: sql.placeholder('now'),
        processedAt: sql.placeholder('processedAt'),
      })
      .onConflictDoNothing()
      .returning({ id: i.id }),
  )({
    id,
    source: row.source,
    deliveryId: row.deliveryId,
    topic: row.topic ?? null,
    status: row.status,
    rawBody: row.rawBody,
    headers: JSON.stringify(row.headers),
    events: row.events === undefined ? null : JSON.stringify(row.events),
    outcome: row.outcome === undefined ? null : JSON.stringify(row.outcome),
    now,
    processedAt: row.status === 'processing' ? null : now,
  });
  if (inserted.length) return { id };
  const [existing] = await tx.select().from(inbox).where(and(eq(inbox.source, row.source), eq(inbox.deliveryId, row.deliveryId)));
  // An erased row is never taken over: the person it was about was erased (docs/api.md, "Erasure").
  if (existing && existing.status === 'failed' && existing.erasedAt === null) {
    const retaken = await tx
      .update(inbox)
      .set({ status: row.status, events: row.events === undefined ? null : JSON.stringify(row.events), outcome: null, processedAt: null })
      .where(and(eq(inbox.id, existing.id), eq(inbox.status, 'failed'), isNull(inbox.erasedAt)))
      .returning({ id: inbox.id });
    if (retaken.length) return { id: existing.id };
  }
  return { id: existing!.id, existing };
}

export async function finishDelivery(tx: Db, now: number, id: string, status: InboxStatus, fields: { events?: unknown; outcome?: unknown }): Promise<void> {
  const outcome = fields.outcome === undefined ? null : JSON.stringify(fields.outcome);
  if (fields.events !== undefined) {
    const { inbox } = tablesOf(tx);
    await tx.update(inbox).set({ status, events: JSON.stringify(fields.events), outcome, processedAt: now }).where(eq(inbox.id, id));
    return;
  }
  await prepared(tx, 'inbox_finish', (d, { inbox: i }) =>
    d
      .update(i)
      .set({ status: param('status'), outcome: param('outcome'), processedAt: param('now') })
      .where(eq(i.id, sql.placeholder('id'))),
  )({ id, status, outcome, now });
}

export async function findDelivery(db: Db, source: string, deliveryId: string): Promise<InboxRow | undefined> {
  const { inbox } = tablesOf(db);
  const [row] = await db.select().from(inbox).where(and(eq(inbox.source, source), eq(inbox.deliveryId, deliveryId)));
  return row;
}

export async function listInbox(db: Db, filter: { status?: string; source?: string; before?: number; limit: number }): Promise<InboxRow[]> {
  const { inbox } = tablesOf(db);
  const where: SQL[] = [];
  if (filter.status) where.push(eq(inbox.status, filter.status));
  if (filter.source) where.push(eq(inbox.source, filter.source));
  if (filter.before) where.push(lt(inbox.seq, filter.before));
  return db.select().from(inbox).where(and(...where)).orderBy(desc(inbox.seq)).limit(filter.limit);
}
