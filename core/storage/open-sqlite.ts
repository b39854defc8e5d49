import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { schema } from './schema.sqlite.js';
import type { Db, Store } from './store.js';
import { migrationsFolder } from './migrations-folder.js';
import { BACKSTOP_PAGES, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

function openConnection(file: string, readonly: boolean): Database.Database {
  const conn = new Database(file, { readonly, fileMustExist: readonly });
  // WAL lets the reader connection see committed data while a write is in progress;
  // synchronous=NORMAL in WAL mode survives a process crash (kill -9) without losing a commit —
  // only a power loss can drop the last transactions (see docs/operating.md).
  if (!readonly) {
    conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
    // A statement that writes many rows keeps the pages it changes in a statement journal, to
    // undo itself alone; past 64 KiB SQLite moved it to a temporary file, created and deleted per
    // transaction (an import page: a file and ~120 page writes). In memory it costs at most
    // what one statement changes (docs/BENCHMARKS.md (k)).
    conn.pragma('temp_store = MEMORY');
  }
  conn.pragma('busy_timeout = 5000');
  conn.pragma('foreign_keys = ON');
  cachePreparedStatements(conn);
  return conn;
}

/**
 * Drizzle prepares every query it runs, and better-sqlite3 keeps no statement cache, so a
 * webhook delivery compiled its unprepared statements from SQL text each time. This keeps each
 * connection's compiled statements by SQL text (the text carries no values: they are bound
 * parameters). Every statement Drizzle runs finishes synchronously (`run`, `get`, `all`), so a
 * cached statement is never handed out while it is still executing; `raw` mode, which Drizzle
 * switches on for typed selects, is switched off again before a statement is reused
 * (docs/architecture.md, "Statements per write").
 */
function cachePreparedStatements(conn: Database.Database, max = 1000): void {
  const cache = new Map<string, Database.Statement>();
  const prepare = conn.prepare.bind(conn) as (source: string) => Database.Statement;
  conn.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement) {
      if (statement.reader) statement.raw(false);
      return statement;
    }
    statement = prepare(source);
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(source, statement);
    return statement;
  }) as Database.Database['prepare'];
}

export interface SqliteOptions {
  migrate?: boolean;
  /**
   * The writer's page cache in MiB (SQLite's default is 2 MiB). A bulk import of a million
   * members inserts into indexes far bigger than that — e-mails, aliases and idempotency keys
   * in no useful order — and re-read their pages from the file for every page of rows
   * (docs/BENCHMARKS.md (k)).
   */
  writerCacheMiB?: number;
  /**
   * Start the WAL checkpoint thread with the first commit rather than the 32nd: a bulk job (an
   * import) knows it writes in earnest, and its first 32 pages made the writer checkpoint on its
   * own thread — a fifth of a 200,000-row import's checkpoint writes (docs/BENCHMARKS.md (k)).
   */
  bulk?: boolean;
}

/**
 * SQLite backend: one writer connection, whose transactions run one at a time in this process
 * (so no other request's statements interleave with an open transaction) and commit in groups,
 * and one reader connection that sees only committed data. Several processes on one file are
 * not supported: that is what the PostgreSQL backend is for.
 */
export function openSqlite(file: string, options: SqliteOptions = {}): Store {
  mkdirSync(dirname(file), { recursive: true });
  const writer = openConnection(file, false);
  // A bigger page cache for the writer of a bulk job: it changes only how many pages SQLite keeps
  // in memory, not what is written or when (durability is the WAL's, above).
  if (options.writerCacheMiB) writer.pragma(`cache_size = -${Math.floor(options.writerCacheMiB * 1024)}`);
  const folder = join(migrationsFolder, 'sqlite');
  const writeDb = drizzle(writer, { schema }) as Db;
  if (options.migrate ?? true) migrate(writeDb, { migrationsFolder: folder });
  const reader = openConnection(file, true);
  const readDb = drizzle(reader, { schema }) as Db;

  // The checkpoint thread starts once this store has shown it writes in earnest, so the many
  // short-lived stores of tests and CLI commands do not each start a thread.
  let checkpointer: WalCheckpointer | undefined;
  let commitsSoFar = 0;
  const commits = groupCommit(writer, writeDb, () => {
    if (checkpointer || ++commitsSoFar < (options.bulk ? 1 : CHECKPOINT_THREAD_AFTER_COMMITS) || file === ':memory:') return;
    writer.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    checkpointer = startWalCheckpointer(file);
  });
  return {
    dialect: 'sqlite',
    location: file,
    db: readDb,
    transaction: commits.transaction,
    exclusive: (_name, fn) => fn(),
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
      await commits.idle();
      await checkpointer?.stop();
      reader.close();
      writer.close();
    },
  };
}

/** Commits after which a store starts its WAL checkpoint thread (core/storage/wal-checkpointer.ts). */
export const CHECKPOINT_THREAD_AFTER_COMMITS = 32;

interface Queued {
  fn: (tx: Db) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. Transactions are queued and run one at a time on the writer connection; the
 * ones that queued up while a commit was running run together in the next SQLite transaction,
 * each after the first inside its own SAVEPOINT, so one failing rolls back only its own writes.
 * Every caller is answered after the COMMIT that made its writes durable. Under concurrent load this turns N
 * commits (each writing its dirty pages to the WAL) into one, which is most of a write's cost.
 *
 * A batch starts on `setImmediate`, not on the next microtask: requests reach `transaction()`
 * from the I/O callbacks of one poll phase, and a batch started at the first of them held one
 * transaction (5,888 commits for 6,300 webhooks in bench (g)); started after the poll phase it
 * holds every request that arrived in it (~23 per commit), and (g) went from 441 to 670 req/s.
 * A transaction function must not itself call `transaction()`: it would wait for itself.
 */
function groupCommit(writer: Database.Database, db: Db, afterCommit: () => void, maxBatch = 256) {
  let queue: Queued[] = [];
  let draining: Promise<void> | undefined;

  async function runBatch(batch: Queued[]): Promise<void> {
    const results: { ok: boolean; value: unknown }[] = [];
    writer.exec('BEGIN IMMEDIATE');
    try {
      // Until one succeeds, the transaction holds no other item's writes: the next runs without a
      // SAVEPOINT, and if it fails the transaction is rolled back whole and begun again. A lone
      // write, the common case, so skips the savepoint's statements and its journal of the pages
      // it changes.
      let empty = true;
      for (const item of batch) {
        if (!empty) writer.exec('SAVEPOINT tx');
        try {
          const value = await item.fn(db);
          if (!empty) writer.exec('RELEASE tx');
          empty = false;
          results.push({ ok: true, value });
        } catch (error) {
          if (empty) {
            if (writer.inTransaction) writer.exec('ROLLBACK');
            writer.exec('BEGIN IMMEDIATE');
          } else {
            if (!writer.inTransaction) throw error; // SQLite abandoned the whole transaction
            writer.exec('ROLLBACK TO tx');
            writer.exec('RELEASE tx');
          }
          results.push({ ok: false, value: error });
        }
      }
      writer.exec('COMMIT');
      afterCommit();
    } catch (error) {
      if (writer.inTransaction) writer.exec('ROLLBACK');
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => (results[i]!.ok ? item.resolve(results[i]!.value) : item.reject(results[i]!.value)));
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      await runBatch(batch);
    }
    draining = undefined;
  }

  return {
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        draining ??= new Promise<void>((start) => setImmediate(start)).then(drain);
      });
    },
    async idle(): Promise<void> {
      while (draining) await draining;
    },
  };
}
