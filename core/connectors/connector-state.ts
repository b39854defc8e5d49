/**
 * A connector's durable key/value state (docs/adding-a-connector.md, "State"): what it must
 * keep across requests, restarts and hub processes — a rotated OAuth refresh token, say. Each
 * connector sees only its own keys; writes go through the write boundary like every other write.
 */
import { and, eq } from 'drizzle-orm';
import type { Commit } from '../commit/commit.js';
import type { Writer } from '../commit/writer.js';
import { tablesOf } from '../storage/prepared.js';
import type { Store } from '../storage/store.js';
import type { ConnectorState } from './definition.js';

/** A connector's state as the core holds it: `set` can also join a write already open. */
export interface WritableConnectorState extends ConnectorState {
  /**
   * Stores `value` under `key` as part of `w`'s write, so it commits (or rolls back) with it: an
   * import keeps its cursor in the transaction of the page it follows (core/members/import-run.ts).
   */
  setWithin(w: Pick<Writer, 'tx' | 'now'>, key: string, value: string): Promise<void>;
}

export function connectorState(store: Store, commit: Commit, connector: string): WritableConnectorState {
  const setWithin: WritableConnectorState['setWithin'] = async ({ tx, now }, key, value) => {
    const t = tablesOf(tx).connectorState;
    await tx
      .insert(t)
      .values({ connector, key, value, updatedAt: now })
      .onConflictDoUpdate({ target: [t.connector, t.key], set: { value, updatedAt: now } });
  };
  return {
    async get(key) {
      const t = tablesOf(store.db).connectorState;
      const [row] = await store.db
        .select({ value: t.value })
        .from(t)
        .where(and(eq(t.connector, connector), eq(t.key, key)));
      return row?.value;
    },
    async set(key, value) {
      await commit(connector, (w) => setWithin(w, key, value));
    },
    setWithin,
  };
}
