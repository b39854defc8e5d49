/**
 * Segments: static member lists managed through the API (`/v1/segments`), tested by rules with
 * `if: { segment: [vip] }`. Adding a member twice or removing one that is absent is a no-op, so
 * a list can be synced by replaying the same request.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';

export class SegmentError extends Error {
  constructor(
    readonly code: 'segment_not_found' | 'segment_exists' | 'member_not_found',
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SegmentError';
  }
}

export interface Segment {
  id: string;
  name: string;
  description: string | null;
  createdAt: number;
}

export async function createSegment(tx: Db, now: number, input: { id: string; name: string; description?: string }): Promise<Segment> {
  const { segments } = tablesOf(tx);
  const row = { id: input.id, name: input.name, description: input.description ?? null, createdAt: now };
  const inserted = await tx.insert(segments).values(row).onConflictDoNothing().returning({ id: segments.id });
  if (!inserted.length) throw new SegmentError('segment_exists', `segment ${input.id} exists`, { segmentId: input.id });
  return row;
}

/** Segments by id, `limit` of them after the id `after`. */
export async function listSegments(db: Db, page: { limit: number; after?: string }): Promise<Segment[]> {
  const { segments } = tablesOf(db);
  return db
    .select()
    .from(segments)
    .where(page.after ? gt(segments.id, page.after) : undefined)
    .orderBy(asc(segments.id))
    .limit(page.limit);
}

export async function requireSegment(db: Db, id: string): Promise<Segment> {
  const { segments } = tablesOf(db);
  const [row] = await db.select().from(segments).where(eq(segments.id, id));
  if (!row) throw new SegmentError('segment_not_found', `no segment ${id}`, { segmentId: id });
  return row;
}

/** Adds and removes members; unknown member ids are refused (nothing is written). */
export async function changeSegmentMembers(tx: Db, now: number, segmentId: string, change: { add: string[]; remove: string[] }): Promise<{ added: number; removed: number }> {
  await requireSegment(tx, segmentId);
  const { segmentMembers, members } = tablesOf(tx);
  const add = [...new Set(change.add)];
  if (add.length) {
    const known = await tx.select({ id: members.id }).from(members).where(inArray(members.id, add));
    const missing = add.filter((id) => !known.some((k) => k.id === id));
    if (missing.length) throw new SegmentError('member_not_found', `no member ${missing.join(', ')}`, { missing });
  }
  let added = 0;
  for (const memberId of add) {
    added += (await tx.insert(segmentMembers).values({ segmentId, memberId, addedAt: now }).onConflictDoNothing().returning({ m: segmentMembers.memberId })).length;
  }
  let removed = 0;
  if (change.remove.length) {
    removed = (await tx.delete(segmentMembers).where(and(eq(segmentMembers.segmentId, segmentId), inArray(segmentMembers.memberId, change.remove))).returning({ m: segmentMembers.memberId })).length;
  }
  return { added, removed };
}

export async function segmentMembersPage(db: Db, segmentId: string, page: { limit: number; after?: string }): Promise<string[]> {
  const { segmentMembers } = tablesOf(db);
  const where = page.after ? and(eq(segmentMembers.segmentId, segmentId), gt(segmentMembers.memberId, page.after)) : eq(segmentMembers.segmentId, segmentId);
  const rows = await db.select({ id: segmentMembers.memberId }).from(segmentMembers).where(where).orderBy(asc(segmentMembers.memberId)).limit(page.limit);
  return rows.map((r) => r.id);
}
