import { resolve } from 'node:path';
import { openPg } from './open-pg.js';
import { openSqlite, type SqliteOptions } from './open-sqlite.js';
import type { Store } from './store.js';

export const DEFAULT_DATABASE_URL = './data/loyalty.db';

/**
 * Picks the backend from the URL: `postgres://…` / `postgresql://…` is PostgreSQL (any number of
 * hub processes may share it); anything else — a path or a `file:` / `sqlite:` URL — is a SQLite
 * file (one process). Either is created and migrated unless `migrate: false`.
 */
export async function openStore(url: string = DEFAULT_DATABASE_URL, options: SqliteOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(url)) return openPg(url, { migrate: options.migrate });
  const file = url.replace(/^(sqlite|file):(\/\/)?/i, '');
  return openSqlite(resolve(file), options);
}
