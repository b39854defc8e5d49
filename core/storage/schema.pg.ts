/**
 * The hub's tables in the PostgreSQL dialect, built from the one declaration in `tables.ts`
 * (drizzle-kit reads this file to generate `migrations/pg`). Integers that can exceed 2^31
 * (points, money, epoch milliseconds) are `bigint` read as numbers. Code reaches tables through
 * the handle it runs on (`tablesOf(db)`), never by importing this file.
 */
import type { IsPrimaryKey, HasDefault, NotNull } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  type AnyPgColumn,
  type PgBigInt53BuilderInitial,
  type PgBigSerial53BuilderInitial,
  type PgBooleanBuilderInitial,
  type PgColumnBuilderBase,
  type PgIntegerBuilderInitial,
  type PgTextBuilderInitial,
} from 'drizzle-orm/pg-core';
import type { ColumnDef, ColumnDefs, ConstraintDef, Kind, TableDef } from './define.js';
import { tables, type Tables } from './tables.js';

type Base<K extends Kind> = K extends 'text'
  ? PgTextBuilderInitial<'', [string, ...string[]]>
  : K extends 'boolean'
    ? PgBooleanBuilderInitial<''>
    : K extends 'int32'
      ? PgIntegerBuilderInitial<''>
      : K extends 'serial'
        ? PgBigSerial53BuilderInitial<''>
        : PgBigInt53BuilderInitial<''>;
type WithNotNull<B extends PgColumnBuilderBase, N> = N extends true ? NotNull<B> : B;
type WithDefault<B extends PgColumnBuilderBase, D> = D extends true ? HasDefault<B> : B;
type WithPrimaryKey<B extends PgColumnBuilderBase, P> = P extends true ? IsPrimaryKey<B> : B;
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
  if (def.kind === 'serial') return bigserial(def.name, { mode: 'number' }).primaryKey();
  let builder: Chain =
    def.kind === 'text'
      ? text(def.name)
      : def.kind === 'boolean'
        ? boolean(def.name)
        : def.kind === 'int32'
          ? integer(def.name)
          : bigint(def.name, { mode: 'number' });
  if (def.isPrimaryKey) builder = builder.primaryKey();
  else if (def.isNotNull) builder = builder.notNull();
  if (def.defaultValue) builder = builder.default(def.defaultValue.value);
  return builder;
}

function constraint(def: ConstraintDef) {
  if ('primaryKey' in def) return primaryKey({ columns: def.primaryKey as [AnyPgColumn, ...AnyPgColumn[]] });
  const on = (def.unique ? uniqueIndex : index)(def.name).on(...(def.columns as [AnyPgColumn, ...AnyPgColumn[]]));
  return def.condition ? on.where(def.condition) : on;
}

function build<Name extends string, C extends ColumnDefs>(def: TableDef<Name, C>) {
  const columns = Object.fromEntries(Object.entries(def.columns).map(([key, c]) => [key, column(c)])) as Builders<C>;
  return pgTable(def.name, columns, (self) => (def.constraints ? def.constraints(self).map(constraint) : []));
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
