import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { schema } from './schema.sqlite.js';
import type { Db, Store } from './store.js';
import { migrationsFolder } from './migrations-folder.js';

function openConnection(file: string, readonly: boolean): Database.Database {
  const conn = new Database(file, { readonly, fileMustExist: readonly });
  // WAL lets the reader connection see committed data while a write is in progress;
  // synchronous=NORMAL in WAL mode survives a process crash (kill -9) without losing a commit —
  // only a power loss can drop the last transactions (see docs/operating.md).
  if (!readonly) {
    conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
  }
  conn.pragma('busy_timeout = 5000');
  conn.pragma('foreign_keys = ON');
  return conn;
}

/**
 * SQLite backend: one writer connection, whose transactions are queued one at a time in this
 * process (so no other request's statements interleave with an open transaction), and one reader
 * connection that sees only committed data. Several processes on one file are not supported:
 * that is what the PostgreSQL backend is for.
 */
export function openSqlite(file: string, options: { migrate?: boolean } = {}): Store {
  mkdirSync(dirname(file), { recursive: true });
  const writer = openConnection(file, false);
  const folder = join(migrationsFolder, 'sqlite');
  const writeDb = drizzle(writer, { schema }) as Db;
  if (options.migrate ?? true) migrate(writeDb, { migrationsFolder: folder });
  const reader = openConnection(file, true);
  const readDb = drizzle(reader, { schema }) as Db;

  let tail: Promise<unknown> = Promise.resolve();
  return {
    dialect: 'sqlite',
    location: file,
    db: readDb,
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const run = tail.then(async () => {
        writer.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(writeDb);
          writer.exec('COMMIT');
          return result;
        } catch (error) {
          if (writer.inTransaction) writer.exec('ROLLBACK');
          throw error;
        }
      });
      tail = run.catch(() => undefined);
      return run;
    },
    async ready() {
      try {
        const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
          entries: unknown[];
        };
        const row = reader.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
        const ok = row.n >= journal.entries.length;
        return { ok, detail: ok ? `sqlite ${file}: ${row.n} migrations applied` : `sqlite ${file}: ${row.n} of ${journal.entries.length} migrations applied` };
      } catch (error) {
        return { ok: false, detail: `sqlite ${file}: ${(error as Error).message}` };
      }
    },
    async close() {
      await tail;
      reader.close();
      writer.close();
    },
  };
}
