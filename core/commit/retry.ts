/**
 * The one retry policy of every write (docs/architecture.md, "Writes"). A transaction that lost
 * a race is rolled back whole and run again from the start, with a fresh clock reading:
 * - a concurrent twin committed the same idempotency key first (`ConcurrentDuplicate`, or the
 *   unique index refusing the row: SQLSTATE 23505) — the retry finds the twin and answers with
 *   it, or refuses properly (e.g. `member_exists`);
 * - PostgreSQL gave up on the transaction: serialization failure (40001), deadlock (40P01).
 * SQLite runs writers one at a time in this process, so there these do not happen.
 */
import { ConcurrentDuplicate } from '../ledger/errors.js';

/** How many times a write runs at most. */
export const MAX_ATTEMPTS = 5;

const RETRYABLE_SQLSTATES = new Set(['23505', '40001', '40P01']);

/** The PostgreSQL SQLSTATE of an error, as node-postgres or Drizzle (in `cause`) carries it. */
export function sqlState(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrentDuplicate) return true;
  const state = sqlState(error);
  return state !== undefined && RETRYABLE_SQLSTATES.has(state);
}
