/**
 * What an error log line may say about an error: its name, its SQL state (`code`) and the
 * database's own message, never the query's parameters. Drizzle wraps a driver error as
 * `Failed query: <sql>\nparams: <values>`: the values are members' names, phones, addresses
 * and secrets, so everything from `params:` on is cut (docs/security.md, "Logs").
 */
import { cutQueryParams as cutParams } from './redact.js';

export interface DescribedError {
  name: string;
  message: string;
  /** SQLSTATE on PostgreSQL (`23505`), the SQLite result code (`SQLITE_CONSTRAINT_UNIQUE`). */
  code?: string;
  /** The database's own message (from the driver error Drizzle wraps). */
  cause?: string;
  detail?: string;
}

export function describeError(error: unknown): DescribedError {
  if (!(error instanceof Error)) return { name: 'Error', message: cutParams(String(error)) };
  const out: DescribedError = { name: error.name, message: cutParams(error.message) };
  const cause = (error as { cause?: unknown }).cause;
  const source = (cause instanceof Error ? cause : error) as Error & { code?: unknown; detail?: unknown };
  if (typeof source.code === 'string') out.code = source.code;
  if (cause instanceof Error) out.cause = cutParams(cause.message);
  // PostgreSQL's `detail` repeats the offending values ("Key (email)=(ann@…) already exists").
  if (typeof source.detail === 'string') out.detail = source.detail.replace(/=\(.*\)/s, '=(…)');
  return out;
}
