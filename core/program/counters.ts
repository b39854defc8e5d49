/**
 * Counters behind caps, per-member rule limits, budgets, velocity checks and tier windows, in
 * `program_counters`. Keys sort so that a window is a key range:
 *   m:<member>:day:2026-11-21          points earned that local day (net of take-backs)
 *   m:<member>:rule:<rule>:<period>    times a rule awarded the member in a period
 *   m:<member>:minute:<epoch minute>   earning events in that minute (velocity)
 *   rule:<rule>:budget                 points a rule has awarded in total
 * Increments are upserts inside the earning transaction, so they commit or roll back with it.
 */
import { and, eq, gte, lte, sql } from 'drizzle-orm';
import { prepared } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';

export const counterKeys = {
  day: (memberId: string, day: string) => `m:${memberId}:day:${day}`,
  rule: (memberId: string, ruleId: string, period: string) => `m:${memberId}:rule:${ruleId}:${period}`,
  minute: (memberId: string, minute: number) => `m:${memberId}:minute:${String(minute).padStart(10, '0')}`,
  budget: (ruleId: string) => `rule:${ruleId}:budget`,
};

export interface CounterReader {
  /** Points and count under one key (0 when absent). */
  get(key: string): Promise<{ points: number; count: number }>;
  /** Sums over the keys from `from` to `to` inclusive. */
  sum(from: string, to: string): Promise<{ points: number; count: number }>;
}

export function counterReader(db: Db): CounterReader {
  return {
    async get(key) {
      const [row] = await prepared(db, 'program_counter_get', (d, { programCounters: c }) =>
        d.select({ points: c.points, count: c.count }).from(c).where(eq(c.key, sql.placeholder('key'))),
      )({ key });
      return row ? { points: Number(row.points), count: Number(row.count) } : { points: 0, count: 0 };
    },
    async sum(from, to) {
      const [row] = await prepared(db, 'program_counter_sum', (d, { programCounters: c }) =>
        d
          .select({ points: sql<number>`coalesce(sum(${c.points}), 0)`, count: sql<number>`coalesce(sum(${c.count}), 0)` })
          .from(c)
          .where(and(gte(c.key, sql.placeholder('from')), lte(c.key, sql.placeholder('to')))),
      )({ from, to });
      return { points: Number(row?.points ?? 0), count: Number(row?.count ?? 0) };
    },
  };
}

/** Adds to a counter (points may be negative: a refund takes back from the day it happens). */
export async function bumpCounter(tx: Db, key: string, points: number, count: number): Promise<void> {
  await prepared(tx, 'program_counter_bump', (d, { programCounters: c }) =>
    d
      .insert(c)
      .values({ key: sql.placeholder('key'), points: sql.placeholder('points'), count: sql.placeholder('count') })
      .onConflictDoUpdate({ target: c.key, set: { points: sql`${c.points} + excluded.points`, count: sql`${c.count} + excluded.count` } }),
  )({ key, points, count });
}
