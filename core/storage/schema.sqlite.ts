/**
 * The hub's tables in the SQLite dialect, built from the one declaration in `tables.ts`
 * (drizzle-kit reads this file to generate `migrations/sqlite`). Code reaches tables through
 * the handle it runs on (`tablesOf(db)`), never by importing this file.
 */
import type { HasDefault, IsPrimaryKey, NotNull } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
  type AnySQLiteColumn,
  type SQLiteBooleanBuilderInitial,
  type SQLiteColumnBuilderBase,
  type SQLiteIntegerBuilderInitial,
  type SQLiteTextBuilderInitial,
} from 'drizzle-orm/sqlite-core';
import type { ColumnDef, ColumnDefs, ConstraintDef, Kind, TableDef } from './define.js';
import { tables, type Tables } from './tables.js';

type Base<K extends Kind> = K extends 'text'
  ? SQLiteTextBuilderInitial<'', [string, ...string[]], undefined>
  : K extends 'boolean'
    ? SQLiteBooleanBuilderInitial<''>
    : SQLiteIntegerBuilderInitial<''>;
type WithNotNull<B extends SQLiteColumnBuilderBase, N> = N extends true ? NotNull<B> : B;
type WithDefault<B extends SQLiteColumnBuilderBase, D> = D extends true ? HasDefault<B> : B;
type WithPrimaryKey<B extends SQLiteColumnBuilderBase, P> = P extends true ? IsPrimaryKey<B> : B;
/** The Drizzle builder a neutral column becomes, with the same select and insert types. */
type Builder<C> =
  C extends ColumnDef<infer K, infer N, infer D, infer P> ? WithPrimaryKey<WithDefault<WithNotNull<Base<K>, N>, D>, P> : never;
type Builders<C extends ColumnDefs> = { [K in keyof C]: Builder<C[K]> };

interface Chain {
  notNull(): Chain;
  primaryKey(): Chain;
  default(value: unknown): Chain;
}

function column(def: ColumnDef): Chain {
  if (def.kind === 'serial') return integer(def.name).primaryKey({ autoIncrement: true });
  let builder: Chain = def.kind === 'text' ? text(def.name) : def.kind === 'boolean' ? integer(def.name, { mode: 'boolean' }) : integer(def.name);
  if (def.isPrimaryKey) builder = builder.primaryKey();
  else if (def.isNotNull) builder = builder.notNull();
  if (def.defaultValue) builder = builder.default(def.defaultValue.value);
  return builder;
}

function constraint(def: ConstraintDef) {
  if ('primaryKey' in def) return primaryKey({ columns: def.primaryKey as [AnySQLiteColumn, ...AnySQLiteColumn[]] });
  const on = (def.unique ? uniqueIndex : index)(def.name).on(...(def.columns as [AnySQLiteColumn, ...AnySQLiteColumn[]]));
  return def.condition ? on.where(def.condition) : on;
}

function build<Name extends string, C extends ColumnDefs>(def: TableDef<Name, C>) {
  const columns = Object.fromEntries(Object.entries(def.columns).map(([key, c]) => [key, column(c)])) as Builders<C>;
  return sqliteTable(def.name, columns, (self) => (def.constraints ? def.constraints(self).map(constraint) : []));
}

type Built<T> = T extends TableDef<infer Name, infer C> ? ReturnType<typeof build<Name, C>> : never;
export type Schema = { [K in keyof Tables]: Built<Tables[K]> };

const all: Record<string, TableDef> = tables;
export const schema = Object.fromEntries(Object.entries(all).map(([key, def]) => [key, build(def)])) as Record<string, unknown> as Schema;

export const {
  members,
  memberAliases,
  balances,
  transfers,
  lots,
  lotMovements,
  openHolds,
  apiKeys,
  idempotencyRecords,
  loyaltyEvents,
  deliveries,
  deliveryAttempts,
  webhookEndpoints,
  appliedTriggers,
  orders,
  orderRefunds,
  programCounters,
  memberStanding,
  segments,
  segmentMembers,
  expiryNotices,
  expiringPoints,
  inbox,
  rewards,
  voucherPool,
  redemptions,
  vouchers,
  memberPins,
  webhookRejections,
  connectorState,
  memberHistory,
  fraudHolds,
  celebrationSweeps,
  alertWindows,
  ledgerDaily,
  memberActivity,
  activityGaps,
  activityGapMonths,
  rewardDaily,
  analyticsState,
  consoleSessions,
  hubSecrets,
  webhookRejectionHours,
  adapterOutcomes,
} = schema;
