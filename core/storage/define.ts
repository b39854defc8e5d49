/**
 * The vocabulary `tables.ts` declares the hub's tables in, once for both dialects. A column has
 * a neutral kind; `schema.sqlite.ts` and `schema.pg.ts` turn each declaration into that
 * dialect's Drizzle table (the way one field config builds every dialect), so a column, an index
 * or a default is written in one place and the two schemas cannot drift.
 *
 * Kinds and what each dialect makes of them (docs/operating.md: timestamps are epoch ms):
 * - `text`: text in both;
 * - `bigint`: 64-bit integer — SQLite `integer`, PostgreSQL `bigint` read as a JS number
 *   (points, money, epoch milliseconds, counters);
 * - `int32`: SQLite `integer`, PostgreSQL `integer`;
 * - `boolean`: SQLite `integer` 0/1, PostgreSQL `boolean`;
 * - `serial`: an auto-incrementing 64-bit primary key — SQLite `integer primary key
 *   autoincrement`, PostgreSQL `bigserial primary key`.
 * JSON is stored as `text` and parsed by the code that owns it.
 */
import type { Column, SQL } from 'drizzle-orm';

export type Kind = 'text' | 'bigint' | 'int32' | 'boolean' | 'serial';

/** The JS value a column of each kind holds. */
export interface KindValue {
  text: string;
  bigint: number;
  int32: number;
  boolean: boolean;
  serial: number;
}

/**
 * One column: its kind and SQL name, and at the type level whether it is `not null` (N), has a
 * database default (D) and is the primary key (P) — what each dialect's builder needs to give
 * the Drizzle column the same select and insert types.
 */
export class ColumnDef<K extends Kind = Kind, N extends boolean = boolean, D extends boolean = boolean, P extends boolean = boolean> {
  declare readonly _types: { kind: K; notNull: N; hasDefault: D; primaryKey: P };
  constructor(
    readonly kind: K,
    readonly name: string,
    readonly isNotNull = false,
    readonly isPrimaryKey = false,
    readonly defaultValue: { value: KindValue[K] } | undefined = undefined,
  ) {}

  notNull(): ColumnDef<K, true, D, P> {
    return new ColumnDef(this.kind, this.name, true, this.isPrimaryKey, this.defaultValue);
  }

  default(value: KindValue[K]): ColumnDef<K, N, true, P> {
    return new ColumnDef(this.kind, this.name, this.isNotNull, this.isPrimaryKey, { value });
  }

  primaryKey(): ColumnDef<K, true, D, true> {
    return new ColumnDef(this.kind, this.name, true, true, this.defaultValue);
  }
}

export const text = (name: string) => new ColumnDef<'text', false, false, false>('text', name);
export const bigint = (name: string) => new ColumnDef<'bigint', false, false, false>('bigint', name);
export const int32 = (name: string) => new ColumnDef<'int32', false, false, false>('int32', name);
export const boolean = (name: string) => new ColumnDef<'boolean', false, false, false>('boolean', name);
export const serial = (name: string) => new ColumnDef<'serial', true, true, true>('serial', name, true, true);

export type ColumnDefs = Record<string, ColumnDef>;

/** A column as index declarations see it: the dialect's own Drizzle column (both extend `Column`). */
export type ColumnRef = Column;

/** An index over columns; `condition` makes it partial. */
export class IndexDef {
  constructor(
    readonly unique: boolean,
    readonly name: string,
    readonly columns: ColumnRef[],
    readonly condition?: SQL,
  ) {}

  /** Makes the index partial: only rows matching `condition` get an entry. */
  where(condition: SQL): IndexDef {
    return new IndexDef(this.unique, this.name, this.columns, condition);
  }
}

export interface PrimaryKeyDef {
  readonly primaryKey: ColumnRef[];
}

export type ConstraintDef = IndexDef | PrimaryKeyDef;

/** A normal index: `index(name).on(...columns)`, `.where(sql)` for a partial one. */
export function index(name: string) {
  return { on: (...columns: [ColumnRef, ...ColumnRef[]]) => new IndexDef(false, name, columns) };
}

/** A unique index: `uniqueIndex(name).on(...columns)`, `.where(sql)` for a partial one. */
export function uniqueIndex(name: string) {
  return { on: (...columns: [ColumnRef, ...ColumnRef[]]) => new IndexDef(true, name, columns) };
}

/** A composite primary key. */
export function primaryKey(...columns: [ColumnRef, ...ColumnRef[]]): PrimaryKeyDef {
  return { primaryKey: columns };
}

export interface TableDef<Name extends string = string, C extends ColumnDefs = ColumnDefs> {
  readonly name: Name;
  readonly columns: C;
  constraints?(columns: { [K in keyof C]: ColumnRef }): ConstraintDef[];
}

export function table<Name extends string, C extends ColumnDefs>(
  name: Name,
  columns: C,
  constraints?: (columns: { [K in keyof C]: ColumnRef }) => ConstraintDef[],
): TableDef<Name, C> {
  return { name, columns, constraints };
}

type Value<C> = C extends ColumnDef<infer K, infer N> ? (N extends true ? KindValue[K] : KindValue[K] | null) : never;
type Optional<C> = C extends ColumnDef<Kind, infer N, infer D> ? (N extends true ? (D extends true ? true : false) : true) : never;

/** A row as read: every column, `null` where the column is nullable. */
export type RowOf<T extends TableDef> = { [K in keyof T['columns']]: Value<T['columns'][K]> };

/** A row as inserted: columns with a default or nullable may be left out. */
export type NewRowOf<T extends TableDef> = { [K in keyof T['columns'] as Optional<T['columns'][K]> extends true ? never : K]: Value<T['columns'][K]> } & {
  [K in keyof T['columns'] as Optional<T['columns'][K]> extends true ? K : never]?: Value<T['columns'][K]>;
};
