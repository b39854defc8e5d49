/**
 * Prepared statements, cached per connection handle. Building SQL with Drizzle and preparing it
 * in SQLite cost far more than running it (profiles: ~65% of a ledger write), so the hot paths
 * build each statement once, with `sql.placeholder`s, and execute it with values.
 *
 * The cache is keyed by the handle the query runs on: the SQLite writer (one per store, so its
 * statements live as long as the store) or a PostgreSQL pool/transaction (a transaction handle
 * is new each time, so its cache lives as long as the transaction; statements are named, and
 * node-postgres parses a named statement once per connection).
 */
import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Db, Schema } from './store.js';

/** The tables of the dialect this handle speaks (pg and SQLite schemas share every name). */
export function tablesOf(db: Db): Schema {
  return db._.fullSchema;
}

type Prepared<R> = { execute(values?: Record<string, unknown>): R | Promise<R> };

const caches = new WeakMap<object, Map<string, Prepared<unknown>>>();

/**
 * Returns `build`'s statement, prepared once per handle under `name`, as a function of its
 * placeholder values. `name` must be unique per statement shape.
 */
export function prepared<B extends PromiseLike<unknown>>(
  db: Db,
  name: string,
  build: (db: Db, t: Schema) => B,
): (values?: Record<string, unknown>) => Promise<Awaited<B>> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let statement = cache.get(name);
  if (!statement) {
    const builder = build(db, tablesOf(db)) as unknown as { prepare(name: string): Prepared<unknown> };
    statement = builder.prepare(name);
    cache.set(name, statement);
  }
  const ready = statement;
  return (values) => Promise.resolve(ready.execute(values)) as Promise<Awaited<B>>;
}

/**
 * `{ column: sql.placeholder(column) }` for each column: the values of a prepared insert, bound
 * when it runs. Typed per key, so an insert missing a required column does not compile.
 */
export function placeholders<K extends string>(columns: readonly K[]): { [P in K]: Placeholder<P> } {
  const values: Partial<Record<K, Placeholder<K>>> = {};
  for (const column of columns) values[column] = sql.placeholder(column);
  return values as { [P in K]: Placeholder<P> };
}

/**
 * A placeholder usable in an update's `set` (Drizzle's `set` takes SQL, not a bare placeholder).
 * The value is bound as given, without the column's encoding: use it for text and numbers only.
 */
export function param(name: string): SQL {
  return sql`${sql.placeholder(name)}`;
}
