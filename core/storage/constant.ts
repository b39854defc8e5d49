/**
 * `column = 'value'` with the value written into the statement's text instead of bound as a
 * parameter. SQLite re-prepares a statement on EVERY execution when a bound parameter is compared
 * with a column that a partial index's WHERE names (`lots.status = 'active'`,
 * `order_refunds.status = 'parked'`, `deliveries.status = 'pending'`: core/storage/tables.ts):
 * it cannot know whether the index applies until it sees the value. Measured: the parked-refund
 * look-up of every `orders/paid` delivery took 20 µs instead of 2 (docs/architecture.md,
 * "Statements per write"). With the constant in the text the plan is made once, and may use the
 * partial index. For the code's own constants only (a status name), never for input.
 */
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

const CONSTANT = /^[a-z][a-z_]*$/;

export function eqConstant(column: AnyColumn, value: string): SQL {
  if (!CONSTANT.test(value)) throw new Error(`eqConstant: ${JSON.stringify(value)} is not a status name`);
  return sql`${column} = ${sql.raw(`'${value}'`)}`;
}
