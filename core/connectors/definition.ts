import type { Logger } from '../observability/logger.js';
import type { OutboundAdapter } from '../outbound/adapter.js';
import type { Router } from '../outbox/routes.js';
import type { Store } from '../storage/store.js';

/** What the hub lends an adapter that needs more than its environment (e.g. stored endpoints). */
export interface AdapterServices {
  store: Store;
}

/**
 * What a folder under `connectors/` declares about itself. The core reads only this: adding a
 * platform means adding a folder whose `index.ts` default-exports a definition — nothing in the
 * core changes. Inbound (webhook) and outbound (adapter) capabilities are added to this
 * interface by the issues that build them.
 */
export interface ConfigVariable {
  /** Environment variable name, e.g. `SHOPIFY_API_SECRET`. */
  env: string;
  /** Secrets are never printed or logged, only reported as set or missing. */
  secret: boolean;
  /** Without it the connector is disabled. */
  required: boolean;
  description: string;
}

export interface ConnectorDefinition {
  /** The folder name and the `/webhooks/:platform` segment, e.g. `shopify`. */
  name: string;
  title: string;
  directions: ('inbound' | 'outbound')[];
  config: ConfigVariable[];
  /**
   * For an outbound connector: builds its adapter from the environment (called only when every
   * required variable is set; base-URL overrides such as `SENDGRID_API_URL` come from it too).
   */
  createAdapter?: (env: Record<string, string | undefined>, services: AdapterServices) => OutboundAdapter;
  /**
   * For a connector that decides itself which events it receives (signed webhooks route to
   * subscribed endpoints): its router, merged with the mappings' by the dispatcher.
   */
  createRouter?: (services: AdapterServices & { logger: Logger }) => ConnectorRouter;
}

export interface ConnectorRouter {
  router: Router;
  /** Whether the router may route events of this type at all (lets the dispatcher skip the rest). */
  wants(type: string): boolean;
  /** Re-read what the router depends on (after a change through the API). */
  refresh(): Promise<void>;
  close(): void;
}

export interface ConnectorStatus {
  name: string;
  title: string;
  enabled: boolean;
  /** Required variables that are not set. */
  missing: string[];
}

export function connectorStatus(def: ConnectorDefinition, env: Record<string, string | undefined>): ConnectorStatus {
  const missing = def.config.filter((v) => v.required && !env[v.env]).map((v) => v.env);
  return { name: def.name, title: def.title, enabled: missing.length === 0, missing };
}
