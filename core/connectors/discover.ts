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
    defs.push(mod.default);
  }
  return defs;
}
