import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { migrationsFolder } from './migrations-folder.js';
import { schema, type Schema } from './schema.pg.js';
import type { Db, Store } from './store.js';

/** Every hub process migrating at start takes this lock, so they migrate one at a time. */
const MIGRATION_LOCK = 7_141_001;

/**
 * PostgreSQL backend: a connection pool shared by reads and transactions. Concurrency between
 * processes is the database's: the ledger's row locks and unique indexes hold across processes.
 */
export async function openPg(url: string, options: { migrate?: boolean; poolSize?: number } = {}): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  pool.on('error', () => {}); // an idle client's connection dropped: the pool replaces it
  const pgDb = drizzle(pool, { schema });
  const db = asDb(pgDb);
  const folder = join(migrationsFolder, 'pg');
  if (options.migrate ?? true) {
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migrate(drizzle(client), { migrationsFolder: folder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      client.release();
    }
  }
  const location = redactUrl(url);
  return {
    dialect: 'pg',
    location,
    db,
    // One attempt: a serialization failure or deadlock is retried by the write boundary's one
    // retry policy (core/commit/retry.ts), which runs the whole write again.
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      return pgDb.transaction((tx) => fn(asDb(tx)));
    },
    async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [name]);
        if (!rows[0]?.ok) return undefined;
        try {
          return await fn();
        } finally {
          await client.query('select pg_advisory_unlock(hashtext($1))', [name]);
        }
      } finally {
        client.release();
      }
    },
    async ready() {
      try {
        const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
        const { rows } = await pool.query<{ n: string }>('select count(*) as n from drizzle.__drizzle_migrations');
        const applied = Number(rows[0]!.n);
        const ok = applied >= journal.entries.length;
        return { ok, detail: `postgres ${location}: ${ok ? `${applied} migrations applied` : `${applied} of ${journal.entries.length} migrations applied`}` };
      } catch (error) {
        return { ok: false, detail: `postgres ${location}: ${(error as Error).message}` };
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * The PostgreSQL handle as the shared `Db`. `Db` is written with the SQLite builder's types over
 * the same table declarations (store.ts says why); the PostgreSQL database has the same builder
 * methods with the same row types, built from the same `tables.ts`, so this is the one place the
 * two dialects' types meet.
 */
function asDb(handle: NodePgDatabase<Schema>): Db {
  return handle as unknown as Db;
}

/** The URL without its password, for logs and /ready. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
