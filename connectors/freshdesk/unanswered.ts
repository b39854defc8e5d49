/**
 * Deliveries whose ticket creation may have reached Freshdesk without an answer, and when
 * (docs/connectors/freshdesk.md, "Duplicates"): kept in the connector's state, so a hub restarted
 * inside Freshdesk's search-index delay still waits instead of opening a second ticket. Without
 * state (an adapter built on its own in a test) they are kept in memory.
 */
import type { ConnectorState } from '../../core/connectors/definition.js';

export interface UnansweredCreations {
  /** When the unanswered creation was sent, if one was and it is not settled. */
  since(tag: string): Promise<number | undefined>;
  mark(tag: string, at: number): Promise<void>;
  settle(tag: string): Promise<void>;
}

export function unansweredCreations(state?: ConnectorState): UnansweredCreations {
  if (!state) {
    const memory = new Map<string, number>();
    return {
      since: async (tag) => memory.get(tag),
      mark: async (tag, at) => void memory.set(tag, at),
      settle: async (tag) => void memory.delete(tag),
    };
  }
  const key = (tag: string) => `unanswered:${tag}`;
  return {
    async since(tag) {
      const value = await state.get(key(tag));
      const at = value ? Number(value) : NaN;
      return Number.isSafeInteger(at) ? at : undefined;
    },
    mark: (tag, at) => state.set(key(tag), String(at)),
    settle: async (tag) => {
      if (await state.get(key(tag))) await state.set(key(tag), '');
    },
  };
}
