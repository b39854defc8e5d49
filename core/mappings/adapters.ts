/**
 * Adapter descriptors (name + options schema) from the connector definitions, for checking and
 * previewing mappings on a machine without the providers' secrets — a laptop, a CI job. Each
 * outbound connector declares its adapter as data (`adapter: { name, options }` on its
 * definition, docs/adding-a-connector.md), so nothing is built and no secret is needed; a
 * connector with `createAdapter` but no declaration is reported in `unavailable`, and mappings
 * naming it then fail as "unknown adapter".
 */
import type { ConnectorDefinition } from '../connectors/definition.js';
import type { AdapterDescriptor } from './types.js';

export function adapterDescriptors(
  definitions: readonly ConnectorDefinition[],
  // Kept for callers that pass it; descriptors no longer depend on the environment.
  _env: Record<string, string | undefined> = process.env,
): { adapters: Map<string, AdapterDescriptor>; unavailable: { connector: string; reason: string }[] } {
  const adapters = new Map<string, AdapterDescriptor>();
  const unavailable: { connector: string; reason: string }[] = [];
  for (const def of definitions) {
    if (def.adapter) adapters.set(def.adapter.name, { name: def.adapter.name, options: def.adapter.options });
    else if (def.createAdapter) unavailable.push({ connector: def.name, reason: 'the definition declares no adapter (adapter: { name, options })' });
  }
  return { adapters, unavailable };
}
