/**
 * Opaque `nextCursor`s for every list of the API (SPEC §3: `?limit=&cursor=` →
 * `{ data, nextCursor }`). A list ordered by a serial `seq` pages on it; a list ordered by time
 * pages on (time, id), the last row's pair; a list ordered by id pages on the last row's id.
 * Whichever, the client only hands back what it got: anything else is a 400 `invalid-cursor`
 * naming the `cursor` parameter, never a silently different page.
 */
import { ProblemError, type FieldError } from './problem.js';

const CURSOR_ERROR: FieldError = { pointer: '/cursor', in: 'query', message: 'not a nextCursor this list returned; leave it out for the first page' };
const invalid = () => new ProblemError(400, 'invalid-cursor', 'Invalid cursor', 'The cursor is not one this API returned.', { errors: [CURSOR_ERROR] });

export const encodeSeqCursor = (seq: number): string => Buffer.from(String(seq)).toString('base64url');

export function decodeSeqCursor(cursor: string): number {
  const seq = Number(Buffer.from(cursor, 'base64url').toString());
  if (!Number.isSafeInteger(seq) || seq <= 0) throw invalid();
  return seq;
}

/** The position of a row in a list ordered by `at` then `id`, both descending. */
export interface TimeCursor {
  at: number;
  id: string;
}

export const encodeTimeCursor = ({ at, id }: TimeCursor): string => Buffer.from(`${at}:${id}`).toString('base64url');

export function decodeTimeCursor(cursor: string): TimeCursor {
  const text = Buffer.from(cursor, 'base64url').toString();
  const colon = text.indexOf(':');
  const at = Number(text.slice(0, colon));
  const id = text.slice(colon + 1);
  if (colon <= 0 || !Number.isSafeInteger(at) || at < 0 || !id || id.length > 200) throw invalid();
  return { at, id };
}

export const encodeIdCursor = (id: string): string => Buffer.from(id).toString('base64url');

/**
 * The id an id cursor stands for. `shape` is what the list's ids look like (core/ids.ts,
 * `idShape`), so garbage, a made-up text or another list's cursor is refused; the encoding must
 * be exactly the one `encodeIdCursor` gives. `bare`: the list handed out the bare id as its
 * cursor before (members, deliveries, webhook endpoints, API keys, fraud holds); such a cursor,
 * of the list's shape, still reads as that id, so a client paging across the upgrade carries on.
 */
export function decodeIdCursor(cursor: string, shape: RegExp, { bare = false }: { bare?: boolean } = {}): string {
  if (bare && shape.test(cursor)) return cursor;
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!shape.test(id) || encodeIdCursor(id) !== cursor) throw invalid();
  return id;
}

/** A page read with one row more than `limit`: its rows, and the cursor after the last of them when more follow. */
export function pageOf<T>(rows: readonly T[], limit: number, cursorOf: (last: T) => string): { rows: T[]; nextCursor: string | null } {
  return { rows: rows.slice(0, limit), nextCursor: rows.length > limit ? cursorOf(rows[limit - 1]!) : null };
}
