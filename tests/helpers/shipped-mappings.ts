/**
 * A shipped mapping file as a merchant switches it on (mappings/README.md): every `when:` line
 * marked `# SWITCH` has its leading "false" turned to "true", the rest of the file untouched.
 * Loaded with the adapters of the given connectors, and fails the test when the file has no
 * switch or does not load cleanly — so a test of a shipped file tests that file.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ConnectorDefinition } from '../../core/connectors/definition.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, type Mapping } from '../../core/mappings/index.js';
import type { Route, Router } from '../../core/outbox/routes.js';

const SWITCH = /^(\s*(?:- )?when: (?:&[\w-]+ )?")false((?: &&[^"]*)?"\s*# SWITCH)/gm;

export function switchedOn(file: string, definitions: ConnectorDefinition[], replacements: [string, string][] = []): Mapping[] {
  const text = readFileSync(file, 'utf8');
  let switched = text.replace(SWITCH, '$1true$2');
  expect(switched, `${file} has a # SWITCH line`).not.toBe(text);
  for (const [from, to] of replacements) switched = switched.replaceAll(from, to);
  const { adapters } = adapterDescriptors(definitions, {});
  const { mappings, problems } = loadMappingFile(file, adapters, switched);
  expect(problems).toEqual([]);
  return mappings;
}

/** What the dispatcher routes for these mappings, as the hub's own router does. */
export function mappingRouter(mappings: Mapping[]): Router {
  return (event, member) =>
    mappingActionsFor(mappings, event, { member }).map((a): Route => ({ route: `mapping:${a.mapping}#${a.index}`, adapter: a.adapter, options: a.options }));
}
