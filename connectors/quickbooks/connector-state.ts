/**
 * The durable per-connector key/value store the core lends connectors (`InboundServices.state`,
 * scoped to this connector by the core; docs/adding-a-connector.md). QuickBooks needs it because
 * Intuit rotates OAuth refresh tokens: the newest one must outlive a restart and be shared by
 * every hub process (token-store.ts).
 *
 * The interface is the core's, repeated here so this folder compiles against a core that does
 * not lend it yet; without one, `memoryState` keeps the token for this process only and the
 * connector says so in the log once.
 */
export interface ConnectorState {
  /** The value this connector stored under `key`, or undefined. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key`, for this connector only; durable and shared by every hub process. */
  set(key: string, value: string): Promise<void>;
}

/** A process-local stand-in: what is stored is lost with the process. */
export function memoryState(): ConnectorState {
  const values = new Map<string, string>();
  return {
    get: (key) => Promise.resolve(values.get(key)),
    set: (key, value) => {
      values.set(key, value);
      return Promise.resolve();
    },
  };
}
