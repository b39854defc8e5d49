/**
 * The write boundary: the one place a transaction is opened (docs/architecture.md, "Writes").
 * In the spirit of a single log writer, every change to the database — ledger lines, members,
 * rewards, outbox rows, API keys, the dispatcher's own bookkeeping — runs as
 *
 *     await commit(actor, async (w) => { …w.tx…, await w.post(earn, input), await w.emit(event) })
 *
 * and gets the same treatment: one transaction (group-committed on SQLite, core/storage/
 * open-sqlite.ts), the clock read once, one retry policy (./retry.ts), and after the commit —
 * never before, never for a rollback — the listeners told what was posted and emitted (metrics;
 * the dispatcher woken when an event is waiting).
 */
import { ActiveToday } from '../analytics/active-today.js';
import type { Clock, Posted } from '../ledger/types.js';
import type { Store } from '../storage/store.js';
import { isRetryable, MAX_ATTEMPTS } from './retry.js';
import { Writer } from './writer.js';

export type Commit = <T>(actor: string, fn: (w: Writer) => Promise<T>) => Promise<T>;

export interface Committed {
  actor: string;
  posted: readonly Posted[];
  emitted: number;
}

/** The store for reads and the boundary for writes: what a module that does both is handed. */
export interface WritableStore {
  store: Store;
  commit: Commit;
}

export type CommitListener = (committed: Committed) => void;

export interface WriteBoundary {
  commit: Commit;
  /** Adds a listener called after every commit that posted or emitted something. */
  onCommitted(listener: CommitListener): void;
}

export interface BoundaryOptions {
  /**
   * The program's `thresholds:` (docs/program.md, "Thresholds"): every write through this boundary
   * that takes a member across one announces `points.threshold_reached`. Absent: none.
   */
  thresholds?: readonly number[];
  /**
   * The program's time zone, so the analytics aggregates count its local days (docs/architecture.md,
   * "Analytics aggregates"); every process that writes ledger lines passes it. Absent: UTC.
   */
  timeZone?: string;
}

export function createWriteBoundary(store: Store, clock: Clock = Date.now, options: BoundaryOptions = {}): WriteBoundary {
  const thresholds = options.thresholds ?? [];
  const timeZone = options.timeZone ?? 'UTC';
  const listeners: CommitListener[] = [];
  const activeToday = new ActiveToday();
  const commit: Commit = async (actor, fn) => {
    for (let attempt = 1; ; attempt++) {
      let writer: Writer | undefined;
      try {
        const value = await store.transaction(async (tx) => {
          const w = (writer = new Writer(tx, clock(), actor, thresholds, timeZone));
          const result = await fn(w);
          // Last, so the aggregates' shared day rows are locked only for the commit (core/analytics/tally.ts).
          await w.tally.flush(tx, activeToday);
          return result;
        });
        if (writer?.tally.activeMembers.size) activeToday.add(writer.tally.day, writer.tally.activeMembers);
        if (writer && (writer.posted.length > 0 || writer.emitted > 0)) {
          const committed = { actor, posted: writer.posted, emitted: writer.emitted };
          for (const listener of listeners) listener(committed);
        }
        return value;
      } catch (error) {
        if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  };
  return { commit, onCommitted: (listener) => void listeners.push(listener) };
}
