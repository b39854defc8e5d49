/**
 * Row counts of every table of the drizzle schema, so a test can prove a refused request wrote
 * nothing without naming tables (a table added later is counted too).
 */
import { count, is, Table } from 'drizzle-orm';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Db } from '../../core/storage/store.js';

/**
 * `idempotency_records` is left out: it is the response cache, and a refusal sent with an
 * Idempotency-Key is remembered there on purpose (a retry gets the same 4xx, docs/api.md).
 */
const NOT_STATE = new Set(['idempotencyRecords']);

export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, table] of Object.entries(tablesOf(db))) {
    if (!is(table, Table) || NOT_STATE.has(name)) continue;
    const [row] = await (db as unknown as { select(f: object): { from(t: Table): Promise<{ n: number }[]> } }).select({ n: count() }).from(table);
    out[name] = Number(row!.n);
  }
  return out;
}
