/**
 * Adapter descriptors (name + options schema) from the connector definitions, for checking and
 * previewing mappings on a machine without the providers' secrets — a laptop, a CI job.
 *
 * A definition only builds its adapter through `createAdapter(env)`, so it is called with the
 * real environment plus a placeholder for every required variable that is missing. This relies
 * on `createAdapter` only storing its configuration (no network, no validation of the secret's
 * value), which is how adapters are written; an adapter that cannot be built that way is
 * reported in `unavailable`, and mappings naming it then fail as "unknown adapter". Services
 * (the store) are lent as a stand-in that refuses use: building an adapter must not touch them.
 */
import type { AdapterServices, ConnectorDefinition } from '../connectors/definition.js';
import type { AdapterDescriptor } from './types.js';

export const PLACEHOLDER_SECRET = 'placeholder-not-a-real-secret';

const NO_SERVICES: AdapterServices = {
  store: new Proxy({} as AdapterServices['store'], {
    get(_target, property) {
      throw new Error(`no database while describing adapters (store.${String(property)} was used)`);
    },
  }),
  commit: () => Promise.reject(new Error('no database while describing adapters (commit was used)')),
};

export function adapterDescriptors(
  definitions: readonly ConnectorDefinition[],
  env: Record<string, string | undefined> = process.env,
): { adapters: Map<string, AdapterDescriptor>; unavailable: { connector: string; reason: string }[] } {
  const adapters = new Map<string, AdapterDescriptor>();
  const unavailable: { connector: string; reason: string }[] = [];
  for (const def of definitions) {
    if (!def.createAdapter) continue;
    const filled = { ...env };
    for (const v of def.config) if (v.required && !filled[v.env]) filled[v.env] = PLACEHOLDER_SECRET;
    try {
      const { name, options } = def.createAdapter(filled, NO_SERVICES);
      adapters.set(name, { name, options });
    } catch (error) {
      unavailable.push({ connector: def.name, reason: (error as Error).message });
    }
  }
  return { adapters, unavailable };
}
