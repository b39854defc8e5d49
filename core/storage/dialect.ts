/**
 * The few things the shared builder surface (`Db`) cannot say because only one dialect has them:
 * PostgreSQL's row-locking clauses and advisory locks, and running a bare statement (SQLite's
 * `run`, PostgreSQL's `execute`). The dialect is read off the handle itself, so a transaction
 * handle answers like its database.
 */
import { is, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { PgDatabase, PgSelectBase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Db } from './store.js';

/** The handle as the PostgreSQL database it is, or undefined on SQLite. */
export function pgOf(db: Db): PgDatabase<PgQueryResultHKT, Record<string, unknown>> | undefined {
  const handle: unknown = db;
  return is(handle, PgDatabase) ? handle : undefined;
}

/** Runs one statement that returns nothing the caller reads, on either dialect. */
export async function runStatement(db: Db, statement: SQL): Promise<void> {
  const pg = pgOf(db);
  if (pg) await pg.execute(statement);
  else await db.run(statement);
}

/** Runs one statement that returns nothing and answers how many rows it changed, on either dialect. */
export async function changedRows(db: Db, statement: SQL): Promise<number> {
  const pg = pgOf(db);
  if (pg) return Number(((await pg.execute(statement)) as unknown as { rowCount: number | null }).rowCount ?? 0);
  return (db.run(statement) as unknown as { changes: number }).changes;
}

/** `select … for update skip locked` where the dialect has it (PostgreSQL); SQLite has one writer. */
export function skipLocked<Q>(query: Q): Q {
  const q: unknown = query;
  return is(q, PgSelectBase) ? (q.for('update', { skipLocked: true }) as Q) : query;
}

/** Runs one statement and returns its rows as objects keyed by column name, on either dialect. */
export async function allRows<Row extends Record<string, unknown>>(db: Db, statement: SQL): Promise<Row[]> {
  const pg = pgOf(db);
  if (pg) return ((await pg.execute(statement)) as unknown as { rows: Row[] }).rows;
  return db.all(statement) as Row[];
}

/**
 * `column` is one of `values`, bound as ONE parameter (a JSON array on SQLite, a text[] on
 * PostgreSQL): a batch's thousands of ids cost Drizzle more to bind one by one than the
 * database spends finding them (an import page: docs/BENCHMARKS.md (k)).
 */
export function anyOf(db: Db, column: AnyColumn | SQL, values: readonly string[]): SQL {
  return pgOf(db) ? sql`${column} = any(cast(${sql.param(values)} as text[]))` : sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;
}
