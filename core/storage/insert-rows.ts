/**
 * Multi-row inserts for the batched write paths (core/ledger/earn-batch.ts): many rows of one
 * table in one statement, built straight from the neutral declaration (./tables.ts) instead of
 * through Drizzle's insert builder, whose per-value work cost more than SQLite's own for a
 * 1,000-row batch (docs/architecture.md, "Batched writes").
 *
 * - SQLite: `insert … values (?, …), (?, …)` run on the writer connection, compiled once per
 *   table, row count and options and kept for that connection.
 * - PostgreSQL: one array parameter per column, `select … from unnest(…) with ordinality`
 *   ordered as given, so `serial` columns number the rows in input order there too.
 * Rows come back (with `returning`) typed as `Row<T>`, whatever the dialect's driver returned.
 */
import type Database from 'better-sqlite3';
import { sql, type SQL } from 'drizzle-orm';
import type { ColumnDef, Kind } from './define.js';
import { allRows, pgOf } from './dialect.js';
import type { ColumnKey, NewRow, Row, TableName } from './rows.js';
import type { Db } from './store.js';
import { tables } from './tables.js';

/** Rows per statement: SQLite binds at most 32,766 values, PostgreSQL arrays have no such bound. */
const MAX_VALUES_PER_STATEMENT = 30_000;

const PG_ARRAY_TYPE: Record<Kind, string> = { text: 'text[]', bigint: 'bigint[]', int32: 'integer[]', boolean: 'boolean[]', serial: 'bigint[]' };

export interface InsertRowsOptions<T extends TableName> {
  /** Rows whose value of this unique column is already taken are skipped (`on conflict do nothing`). */
  onConflictDoNothing?: ColumnKey<T>;
  /**
   * Return the inserted rows (not the skipped ones): every column, or only those named (the
   * others are then absent) — a 1,000-row batch returning `seq` and `id` instead of every column
   * cost SQLite 40 % less.
   */
  returning?: true | readonly ColumnKey<T>[];
}

interface Shape {
  /** [key, column] of every column the insert writes: all but `serial` ones. */
  written: [string, ColumnDef][];
  all: [string, ColumnDef][];
  /** The written columns' keys, and what SQLite binds for a row without one (`valueOf`'s default). */
  keys: string[];
  sqliteDefaults: unknown[];
}

const shapes = new Map<TableName, Shape>();

function shapeOf(name: TableName): Shape {
  let shape = shapes.get(name);
  if (!shape) {
    const all = Object.entries(tables[name].columns as Record<string, ColumnDef>);
    const written = all.filter(([, c]) => c.kind !== 'serial');
    shape = { all, written, keys: written.map(([key]) => key), sqliteDefaults: written.map(([key, column]) => sqliteValue(valueOf({}, key, column))) };
    shapes.set(name, shape);
  }
  return shape;
}

/** A column's value for the insert: the row's, else the declared default, else null. */
function valueOf(row: Record<string, unknown>, key: string, column: ColumnDef): unknown {
  const v = row[key];
  if (v !== undefined) return v;
  return column.defaultValue ? column.defaultValue.value : null;
}

/** A value as better-sqlite3 binds it: booleans as 1 and 0. */
function sqliteValue(v: unknown): unknown {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/** A returned row by column key, in the types `Row<T>` promises (the columns it has). */
function fromDriver<T extends TableName>(name: T, raw: Record<string, unknown>): Row<T> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of shapeOf(name).all) {
    if (!(column.name in raw)) continue;
    const v = raw[column.name];
    if (v === null || v === undefined) out[key] = null;
    else if (column.kind === 'text') out[key] = String(v);
    else if (column.kind === 'boolean') out[key] = v === true || v === 1 || v === 't';
    else out[key] = Number(v);
  }
  return out as Row<T>;
}

/** `rows` cut into statements within the bound-values limit (MAX_VALUES_PER_STATEMENT). */
function statementParts(shape: Shape, rows: readonly unknown[]): Record<string, unknown>[][] {
  const perStatement = Math.max(1, Math.floor(MAX_VALUES_PER_STATEMENT / shape.written.length));
  const parts: Record<string, unknown>[][] = [];
  for (let i = 0; i < rows.length; i += perStatement) parts.push(rows.slice(i, i + perStatement) as Record<string, unknown>[]);
  return parts;
}

/** Inserts `rows` into table `name` in as few statements as the dialect's limits allow. */
export async function insertRows<T extends TableName>(db: Db, name: T, rows: readonly NewRow<T>[], options: InsertRowsOptions<T> = {}): Promise<Row<T>[]> {
  if (rows.length === 0) return [];
  const shape = shapeOf(name);
  const out: Row<T>[] = [];
  for (const part of statementParts(shape, rows)) {
    const returned = pgOf(db) ? await insertPg(db, name, shape, part, options) : insertSqlite(db, name, shape, part, options);
    for (const raw of returned) out.push(fromDriver(name, raw));
  }
  return out;
}

const quote = (identifier: string) => `"${identifier}"`;

function tail<T extends TableName>(shape: Shape, options: InsertRowsOptions<T>): string {
  let text = '';
  if (options.onConflictDoNothing) {
    const column = shape.all.find(([key]) => key === options.onConflictDoNothing)![1];
    text += ` on conflict (${quote(column.name)}) do nothing`;
  }
  if (options.returning === true) text += ' returning *';
  else if (options.returning) {
    const named = new Set<string>(options.returning);
    text += ` returning ${shape.all.filter(([key]) => named.has(key)).map(([, c]) => quote(c.name)).join(', ')}`;
  }
  return text;
}

/**
 * Inserts `rows`, skipping each whose value of the unique column `onConflictDoNothing` is
 * already taken, and returns how many went in — without returning rows: a caller that only needs
 * to know whether every row was new (an import page: core/members/import-bulk.ts) learns it from
 * the insert itself instead of looking every key up first.
 */
export async function insertRowsCounted<T extends TableName>(db: Db, name: T, rows: readonly NewRow<T>[], options: { onConflictDoNothing: ColumnKey<T> }): Promise<number> {
  if (pgOf(db)) return (await insertRows(db, name, rows, { ...options, returning: [options.onConflictDoNothing] })).length;
  const shape = shapeOf(name);
  let inserted = 0;
  for (const part of statementParts(shape, rows)) {
    const { statement, values } = sqliteStatement(db, name, shape, part, options);
    inserted += statement.run(values).changes;
  }
  return inserted;
}

/**
 * Inserts `rows`, skipping each whose value of the unique column `onConflictDoNothing` is already
 * taken, and answers per row, in order, its `serial` column's value (undefined when skipped): what
 * `returning: [serial, key]` answers, without RETURNING on SQLite, which buffers every returned row
 * in a temporary table first (a fifth of a 1,000-line transfer insert: docs/BENCHMARKS.md (k)).
 * One writer numbers the rows of one statement one after the other, in the order given, so when
 * every row went in, the last one's rowid (`lastInsertRowid`) numbers them all; when some were
 * skipped, the inserted ones are read back by `key`, a unique column the caller filled.
 */
export async function insertRowsNumbered<T extends TableName>(
  db: Db,
  name: T,
  rows: readonly NewRow<T>[],
  options: { onConflictDoNothing: ColumnKey<T>; serial: ColumnKey<T>; key: ColumnKey<T> },
): Promise<(number | undefined)[]> {
  const { serial, key } = options;
  if (pgOf(db)) {
    const numbered = await insertRows(db, name, rows, { onConflictDoNothing: options.onConflictDoNothing, returning: [serial, key] });
    const byKey = new Map(numbered.map((r) => [(r as Record<string, unknown>)[key], Number((r as Record<string, unknown>)[serial])]));
    return rows.map((row) => byKey.get((row as Record<string, unknown>)[key]));
  }
  const shape = shapeOf(name);
  const serialColumn = shape.all.find(([k]) => k === serial)![1];
  if (serialColumn.kind !== 'serial') throw new Error(`${name}.${serial} is not a serial column`);
  const out: (number | undefined)[] = [];
  for (const part of statementParts(shape, rows)) {
    const { statement, values } = sqliteStatement(db, name, shape, part, { onConflictDoNothing: options.onConflictDoNothing });
    const { changes, lastInsertRowid } = statement.run(values);
    if (changes === part.length) {
      const first = Number(lastInsertRowid) - changes + 1;
      for (let j = 0; j < part.length; j++) out.push(first + j);
      continue;
    }
    const byKey = new Map<unknown, number>();
    if (changes > 0) {
      const keyColumn = shape.all.find(([k]) => k === key)![1];
      const conn = (db as unknown as { $client: Database.Database }).$client;
      const read = conn.prepare(`select ${quote(keyColumn.name)} as k, ${quote(serialColumn.name)} as n from ${quote(tables[name].name)} where ${quote(keyColumn.name)} in (select value from json_each(?))`);
      for (const r of read.all(JSON.stringify(part.map((row) => row[key]))) as { k: unknown; n: number }[]) byKey.set(r.k, Number(r.n));
    }
    for (const row of part) out.push(byKey.get(row[key]));
  }
  return out;
}

/**
 * How many bound values the kept statements of one connection may hold together: a compiled
 * statement grows with its values, and row counts vary (a run's last page, callers' batch sizes),
 * so the oldest go first past about ten 1,000-row pages.
 */
const MAX_KEPT_VALUES = 250_000;

function insertSqlite<T extends TableName>(db: Db, name: T, shape: Shape, rows: Record<string, unknown>[], options: InsertRowsOptions<T>): Record<string, unknown>[] {
  const { statement, values } = sqliteStatement(db, name, shape, rows, options);
  if (options.returning) return statement.all(values) as Record<string, unknown>[];
  statement.run(values);
  return [];
}

/**
 * Compiled statements per writer connection and statement text. better-sqlite3's `prepare`
 * compiles anew on every call, and a 1,000-row, 21-column insert took longer to compile (6 ms)
 * than to run (4 ms): kept, each shape is compiled once per connection (docs/BENCHMARKS.md (k)).
 */
interface Kept {
  byKey: Map<string, { statement: Database.Statement; values: number }>;
  values: number;
}
const kept = new WeakMap<Database.Database, Kept>();

function sqliteStatement<T extends TableName>(db: Db, name: T, shape: Shape, rows: Record<string, unknown>[], options: InsertRowsOptions<T>): { statement: Database.Statement; values: unknown[] } {
  // The writer connection the transaction runs on (one per SQLite store).
  const conn = (db as unknown as { $client: Database.Database }).$client;
  const textKey = `${name}\u0000${rows.length}\u0000${options.onConflictDoNothing ?? ''}\u0000${options.returning === true ? '*' : (options.returning ?? []).join(',')}`;
  let cache = kept.get(conn);
  if (!cache) kept.set(conn, (cache = { byKey: new Map(), values: 0 }));
  let statement = cache.byKey.get(textKey)?.statement;
  if (statement === undefined) {
    const one = `(${shape.written.map(() => '?').join(', ')})`;
    const text =
      `insert into ${quote(tables[name].name)} (${shape.written.map(([, c]) => quote(c.name)).join(', ')}) values ` +
      Array.from({ length: rows.length }, () => one).join(', ') +
      tail(shape, options);
    statement = conn.prepare(text);
    const size = rows.length * shape.written.length;
    for (const [key, entry] of cache.byKey) {
      if (cache.values + size <= MAX_KEPT_VALUES) break;
      cache.byKey.delete(key);
      cache.values -= entry.values;
    }
    cache.byKey.set(textKey, { statement, values: size });
    cache.values += size;
  }
  // Flat, sized once, by plain index: a page's tens of thousands of values (docs/BENCHMARKS.md (k)).
  const { keys, sqliteDefaults } = shape;
  const values: unknown[] = new Array(rows.length * keys.length);
  let at = 0;
  for (const row of rows) {
    for (let c = 0; c < keys.length; c++) {
      const v = row[keys[c]!];
      values[at++] = v === undefined ? sqliteDefaults[c] : typeof v === 'boolean' ? (v ? 1 : 0) : v;
    }
  }
  return { statement, values };
}

async function insertPg<T extends TableName>(db: Db, name: T, shape: Shape, rows: Record<string, unknown>[], options: InsertRowsOptions<T>): Promise<Record<string, unknown>[]> {
  const arrays: SQL[] = shape.written.map(([key, column]) => {
    const values = rows.map((row) => valueOf(row, key, column));
    // One parameter holding the array (a bare array in Drizzle's `sql` would become a list).
    return sql`cast(${sql.param(values)} as ${sql.raw(PG_ARRAY_TYPE[column.kind])})`;
  });
  const columns = shape.written.map(([, c]) => quote(c.name)).join(', ');
  const statement = sql`insert into ${sql.raw(quote(tables[name].name))} (${sql.raw(columns)})
    select ${sql.raw(shape.written.map((_, i) => `u.c${i}`).join(', '))}
    from unnest(${sql.join(arrays, sql`, `)}) with ordinality as u(${sql.raw(shape.written.map((_, i) => `c${i}`).join(', '))}, n)
    order by u.n${sql.raw(tail(shape, options))}`;
  if (options.returning) return allRows(db, statement);
  await allRows(db, statement);
  return [];
}
