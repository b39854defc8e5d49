/**
 * The storage handle every module receives. The ledger and the API only see `Store`: a Drizzle
 * database for reads and `transaction()` for writes, so the same code runs on SQLite (embedded)
 * and PostgreSQL (scale-out) — the backend is picked by `DATABASE_URL` in `open-store.ts`.
 */
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Schema } from './schema.sqlite.js';

export type { Schema };

/**
 * The Drizzle query API shared by both dialects. Both schemas are built from the one declaration
 * in `tables.ts`, so a table has the same columns and row types on either; `Db` spells the
 * shared builder surface with the SQLite builder's types, and the PostgreSQL backend hands in its
 * database through one conversion (`asDb` in open-pg.ts). Code written against it reaches tables
 * through the handle (`tablesOf(db)`), sticks to the builder calls both dialects have
 * (select/insert/update/delete, returning, onConflictDo*), `await`s every query — never
 * `.run()`/`.all()`/`.get()` — and asks `dialect.ts` for what only one dialect has.
 */
export type Db = BetterSQLite3Database<Schema>;

export interface Store {
  readonly dialect: 'sqlite' | 'pg';
  readonly location: string;
  /** Reads outside a transaction: committed data only. */
  readonly db: Db;
  /**
   * Runs `fn` in one transaction: all its writes commit together or none do. Writes are
   * serialized per member by the ledger's row lock; on SQLite, transactions are serialized.
   * Called by the write boundary only (core/commit/commit.ts): everything else writes through
   * `commit(actor, fn)`, which retries and reports what was committed.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` only if no other process is running work under the same name right now (a
   * PostgreSQL advisory lock; on SQLite, one process owns the file, so always). Returns
   * undefined when another process holds it.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined>;
  /** true when the database answers and every shipped migration has been applied. */
  ready(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}
