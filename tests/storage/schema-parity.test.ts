import { getTableConfig as pgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Row, TableName } from '../../core/storage/rows.js';
import { schema as pg } from '../../core/storage/schema.pg.js';
import { schema as sqlite } from '../../core/storage/schema.sqlite.js';

/**
 * The ledger and the API run unchanged on both backends only while the two schemas name the
 * same tables, columns and indexes; this fails the moment one dialect gains what the other lacks.
 */
describe('SQLite and PostgreSQL schemas', () => {
  const shape = (config: { name: string; columns: { name: string; notNull: boolean; primary: boolean }[]; indexes: { config: { name?: string; unique: boolean } }[] }) => ({
    table: config.name,
    columns: config.columns.map((c) => `${c.name}${c.notNull ? ' not null' : ''}${c.primary ? ' primary key' : ''}`).sort(),
    indexes: config.indexes.map((i) => `${i.config.name}${i.config.unique ? ' unique' : ''}`).sort(),
  });

  it('declare the same tables under the same names', () => {
    expect(Object.keys(pg).sort()).toEqual(Object.keys(sqlite).sort());
  });

  for (const name of Object.keys(sqlite) as (keyof typeof sqlite)[]) {
    it(`agree on ${name}: columns, nullability, keys and indexes`, () => {
      expect(shape(pgTable(pg[name]) as never)).toEqual(shape(sqliteTable(sqlite[name]) as never));
    });
  }

  it('give every table the same row type as the neutral declaration (checked by the typecheck)', () => {
    type Selected<S extends Record<TableName, { $inferSelect: unknown }>> = { [N in TableName]: S[N]['$inferSelect'] };
    type Declared = { [N in TableName]: Row<N> };
    expectTypeOf<Selected<typeof sqlite>>().toEqualTypeOf<Declared>();
    expectTypeOf<Selected<typeof pg>>().toEqualTypeOf<Declared>();
  });
});
