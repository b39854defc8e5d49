/**
 * Row types of the hub's tables, derived from the one declaration in `tables.ts`: the same on
 * either dialect, so code names a row without importing a dialect's schema.
 */
import type { NewRowOf, RowOf } from './define.js';
import type { Tables } from './tables.js';

export type TableName = keyof Tables;

/** A row as read: `Row<'transfers'>`. */
export type Row<Name extends TableName> = RowOf<Tables[Name]>;

/** A row as inserted: columns with a default or nullable may be left out. */
export type NewRow<Name extends TableName> = NewRowOf<Tables[Name]>;

/** Every column key of a table, in declaration order (the keys of `tables.ts`). */
export type ColumnKey<Name extends TableName> = keyof Tables[Name]['columns'] & string;
