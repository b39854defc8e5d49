/**
 * Loading mapping files: every `*.yaml` / `*.yml` in a folder, each holding one mapping or a
 * list of them. A file is all or nothing — one problem anywhere in it and none of its mappings
 * load — so a half-valid file never runs in a state nobody wrote; other files are unaffected.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { isSeq, type Node } from 'yaml';
import { parseMapping } from './parse-mapping.js';
import { checkWithSample } from './sample-check.js';
import { parseSource, type Segment } from './source.js';
import type { AdapterDescriptors, LoadResult, Mapping, MappingProblem } from './types.js';

/** The mapping files of a folder, in name order (hidden files and editor backups skipped). */
export function listMappingFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && ['.yaml', '.yml'].includes(extname(e.name)))
    .map((e) => join(dir, e.name))
    .sort();
}

/** One file's mappings, or its problems (then no mappings). `text` defaults to the file's content. */
export function loadMappingFile(file: string, adapters: AdapterDescriptors, text?: string): LoadResult {
  let content: string;
  try {
    content = text ?? readFileSync(file, 'utf8');
  } catch (error) {
    return { mappings: [], problems: [{ file, line: 1, path: '', reason: `cannot read: ${(error as Error).message}` }] };
  }
  const { source, errors } = parseSource(file, content);
  if (errors.length > 0) return { mappings: [], problems: errors.map((e) => ({ file, line: e.line, path: '', reason: `YAML: ${e.reason}` })) };

  const contents = source.doc.contents as Node | null;
  if (!contents) return { mappings: [], problems: [{ file, line: 1, path: '', reason: 'empty file: expected a mapping (`on:`, `send:`) or a list of them' }] };
  const base = basename(file, extname(file));
  const entries: [Node, Segment[], string][] = isSeq(contents)
    ? contents.items.map((item, i) => [item as Node, [i], `${base}-${i + 1}`])
    : [[contents, [], base]];

  const mappings: Mapping[] = [];
  const problems: MappingProblem[] = [];
  for (const [node, prefix, defaultName] of entries) {
    const { parsed, problems: found } = parseMapping(source, node, prefix, defaultName, adapters);
    problems.push(...found);
    if (!parsed) continue;
    const sampleProblems = checkWithSample(source, node, prefix, parsed.mapping, parsed.actionPaths);
    problems.push(...sampleProblems);
    const twin = mappings.find((m) => m.name === parsed.mapping.name);
    if (twin) {
      problems.push({ file, line: parsed.mapping.line, path: `${prefix.length ? `[${prefix[0]}].` : ''}name`, reason: `mapping name "${twin.name}" is already used on line ${twin.line}` });
    }
    mappings.push(parsed.mapping);
  }
  if (entries.length === 0) problems.push({ file, line: source.lineOf(contents), path: '', reason: 'empty list: expected at least one mapping' });
  return problems.length > 0 ? { mappings: [], problems: problems.sort((a, b) => a.line - b.line) } : { mappings, problems };
}

/**
 * Every mapping file of `dir`. Names must be unique across files (a delivery is keyed by
 * mapping name and action index): of two files using one name, the later in name order is
 * refused.
 */
export function loadMappings(dir: string, adapters: AdapterDescriptors): LoadResult {
  if (!existsSync(dir)) return { mappings: [], problems: [] };
  return combine(listMappingFiles(dir).map((file) => ({ file, ...loadMappingFile(file, adapters) })));
}

/** Per-file results → one set, refusing files whose names clash with an earlier file's. */
export function combine(files: readonly { file: string; mappings: readonly Mapping[]; problems: readonly MappingProblem[] }[]): LoadResult {
  const mappings: Mapping[] = [];
  const problems: MappingProblem[] = [];
  const owners = new Map<string, Mapping>();
  for (const entry of files) {
    problems.push(...entry.problems);
    const clashes = entry.mappings.filter((m) => owners.has(m.name));
    for (const m of clashes) {
      const owner = owners.get(m.name)!;
      problems.push({ file: entry.file, line: m.line, path: 'name', reason: `mapping name "${m.name}" is already used by ${owner.file}:${owner.line}` });
    }
    if (clashes.length > 0) continue;
    for (const m of entry.mappings) owners.set(m.name, m);
    mappings.push(...entry.mappings);
  }
  return { mappings, problems };
}
