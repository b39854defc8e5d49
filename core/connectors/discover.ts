import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConnectorDefinition } from './definition.js';

export const connectorsFolder = fileURLToPath(new URL('../../connectors/', import.meta.url));

/** Loads every `connectors/<name>/index.ts` (or `.js`), in name order. */
export async function discoverConnectors(folder = connectorsFolder): Promise<ConnectorDefinition[]> {
  if (!existsSync(folder)) return [];
  const defs: ConnectorDefinition[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = ['index.ts', 'index.js'].map((f) => join(folder, entry.name, f)).find(existsSync);
    if (!file) continue;
    const mod = (await import(pathToFileURL(file).href)) as { default?: ConnectorDefinition };
    if (!mod.default || mod.default.name !== entry.name) {
      throw new Error(`connectors/${entry.name}/index: must default-export a definition whose name is "${entry.name}"`);
    }
    const problem = directionProblem(mod.default);
    if (problem) throw new Error(`connectors/${entry.name}/index: ${problem} (docs/adding-a-connector.md)`);
    defs.push(mod.default);
  }
  return defs;
}

/**
 * A definition's directions and what it builds must agree: an `inbound` connector without
 * `createInbound` was reported enabled while every webhook got "does not receive webhooks", and an
 * `outbound` one without `createAdapter` never sent, so the hub refuses either at start.
 */
function directionProblem(def: ConnectorDefinition): string | undefined {
  const says = (direction: 'inbound' | 'outbound') => def.directions.includes(direction);
  if (says('inbound') && !def.createInbound) return 'declares direction "inbound" but no createInbound (its webhook handler)';
  if (!says('inbound') && def.createInbound) return 'has createInbound but does not declare direction "inbound"';
  if (says('outbound') && !def.createAdapter) return 'declares direction "outbound" but no createAdapter (its adapter)';
  if (!says('outbound') && def.createAdapter) return 'has createAdapter but does not declare direction "outbound"';
  return undefined;
}
