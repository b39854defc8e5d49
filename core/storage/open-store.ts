import { resolve } from 'node:path';
import { openSqlite } from './open-sqlite.js';
import type { Store } from './store.js';

export const DEFAULT_DATABASE_URL = './data/loyalty.db';

/**
 * Picks the backend from the URL: `postgres://…` / `postgresql://…` is PostgreSQL (scale-out
 * issue); anything else — a path or `file:` / `sqlite:` URL — is a SQLite file.
 */
export function openStore(url: string = DEFAULT_DATABASE_URL, options: { migrate?: boolean } = {}): Store {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new Error('DATABASE_URL points at PostgreSQL, which this build does not support yet; use a SQLite path');
  }
  const file = url.replace(/^(sqlite|file):(\/\/)?/i, '');
  return openSqlite(resolve(file), options);
}
