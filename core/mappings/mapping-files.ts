/**
 * Editing mapping files from the hub itself (docs/mappings.md, "Editing in the console"): the
 * folder as the API shows it, the same checks as `loyalty-hub mappings check` on a text before
 * it is written, and a save that keeps the file's previous version beside it as
 * `<name>.previous` (never loaded: only `*.yaml` / `*.yml` are) and then waits for the hot
 * reload (watch.ts) to put the new version in force.
 */
import { accessSync, constants, copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import { combine, listMappingFiles, loadMappingFile } from './load.js';
import type { MappingWatcher } from './watch.js';
import type { AdapterDescriptors, LoadResult, Mapping, MappingProblem } from './types.js';

/** The mapping folder the hub runs, as the API edits it. */
export interface MappingsFolder {
  /** LOYALTY_MAPPINGS, resolved. */
  dir: string;
  /** Every installed adapter's options schema, configured or not (as at load). */
  adapters: AdapterDescriptors;
  /** The hub's hot reload: what is in force. */
  watcher: MappingWatcher;
  /** The adapters configured on this hub: only their actions are sent. */
  enabledAdapters: ReadonlySet<string>;
  /** LOYALTY_MAPPINGS_READONLY: the files are managed elsewhere (a deploy, git), never written by the hub. */
  readOnly: boolean;
}

/** Kept beside a saved file: the version it replaced. */
export const PREVIOUS_SUFFIX = '.previous';

/** A file name only, in the folder itself: letters, digits, `-`, `_`, inner dots; `.yaml` (or an existing `.yml`). */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.ya?ml$/;

/** Why `name` cannot be a mapping file of the folder, or undefined. New files must end in `.yaml`. */
export function fileNameProblem(name: string, creating: boolean): string | undefined {
  if (name.length > 100) return 'a mapping file name is at most 100 characters';
  if (!FILE_NAME.test(name)) return 'a mapping file name is a plain name ending in .yaml (letters, digits, "-", "_" and dots; no folders)';
  if (creating && !name.endsWith('.yaml')) return 'a new mapping file ends in .yaml';
  return undefined;
}

/** LOYALTY_MAPPINGS_READONLY: "true" or "false" (default); anything else is a start-up error. */
export function readOnlyFromEnv(value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new Error(`LOYALTY_MAPPINGS_READONLY must be "true" or "false" (got "${value}")`);
}

/** Why the hub may not write the folder, in words, or undefined when it may. */
export function readOnlyReason(folder: MappingsFolder): string | undefined {
  if (folder.readOnly) return 'The mappings folder is read-only here (LOYALTY_MAPPINGS_READONLY=true): its files are managed outside the hub. Change them where they come from.';
  if (!existsSync(folder.dir)) return 'The mappings folder does not exist on this hub (LOYALTY_MAPPINGS), so nothing can be saved into it.';
  try {
    accessSync(folder.dir, constants.W_OK);
  } catch {
    return 'The mappings folder is read-only for the hub (its file system or permissions refuse writes).';
  }
  return undefined;
}

const withName = (p: MappingProblem): MappingProblem => ({ ...p, file: basename(p.file) });

export interface FileState {
  file: string;
  /** loaded: valid and this version is in force; pending: valid, the hot reload has not picked it up yet; invalid: see problems. */
  state: 'loaded' | 'pending' | 'invalid';
  problems: MappingProblem[];
  /** The mappings of this file in force now (an invalid file's last good version keeps running). */
  inForce: string[];
}

/**
 * Compiling a file (every template, the sample check) takes milliseconds, a folder of the shipped
 * files hundreds: results are kept per folder, file and exact text, so a page shows the folder's
 * state from what the last change already compiled (docs/console.md: a page answers in < 200 ms).
 */
const compiledCache = new WeakMap<MappingsFolder, Map<string, LoadResult>>();
const CACHE_ENTRIES = 256;

function compiled(folder: MappingsFolder, file: string, text: string): LoadResult {
  let cache = compiledCache.get(folder);
  if (!cache) compiledCache.set(folder, (cache = new Map()));
  const key = `${file}\0${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  // The version the hot reload compiled is not compiled again.
  const running = folder.watcher.loaded(file);
  const result = running?.text === text ? { mappings: running.mappings, problems: [] } : loadMappingFile(file, folder.adapters, text);
  cache.set(key, result);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return result;
}

/**
 * Every file of the folder with `mappings check`'s verdict (each file, then names across files,
 * as `loadMappings` does) and what of it is in force.
 */
export function folderState(folder: MappingsFolder): FileState[] {
  const files = listMappingFiles(folder.dir).flatMap((file) => {
    try {
      return [{ file, ...compiled(folder, file, readFileSync(file, 'utf8')) }];
    } catch {
      return [{ file, ...loadMappingFile(file, folder.adapters) }]; // unreadable: the loader says why
    }
  });
  const checked = combine(files);
  const current = folder.watcher.current();
  return files.map(({ file }) => fileState(folder, file, checked.problems.filter((p) => p.file === file).map(withName), current));
}

function fileState(folder: MappingsFolder, file: string, own: MappingProblem[], current: readonly Mapping[]): FileState {
  const inForce = current.filter((m) => m.file === file).map((m) => m.name);
  let onDisk: string | undefined;
  try {
    onDisk = readFileSync(file, 'utf8');
  } catch {
    onDisk = undefined;
  }
  const running = onDisk !== undefined && folder.watcher.loaded(file)?.text === onDisk && inForce.length > 0;
  return { file: basename(file), state: own.length > 0 ? 'invalid' : running ? 'loaded' : 'pending', problems: own, inForce };
}

/** One file: its text and state; undefined when the folder has no such file. */
export function readMappingFile(folder: MappingsFolder, name: string): (FileState & { text: string; previous: boolean; events: string[] }) | undefined {
  const file = join(folder.dir, name);
  if (!listMappingFiles(folder.dir).includes(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const { mappings, problems } = compileMappingText(folder, name, text);
  return {
    ...fileState(folder, file, problems, folder.watcher.current()),
    text,
    previous: existsSync(file + PREVIOUS_SUFFIX),
    events: [...new Set(mappings.map((m) => m.on))],
  };
}

/**
 * `mappings check` for one file's text as it would be saved: the file's own checks, then its
 * mapping names against the other files in force (a delivery is keyed by mapping name).
 */
export function checkMappingText(folder: MappingsFolder, name: string, text: string): MappingProblem[] {
  const file = join(folder.dir, name);
  const result = compiled(folder, file, text);
  if (result.problems.length > 0) return result.problems.map(withName);
  const others = folder.watcher.current().filter((m) => m.file !== file);
  const clashes = combine([{ file: '(others)', mappings: others, problems: [] }, { file, mappings: result.mappings, problems: [] }]).problems;
  return clashes.map((p) => ({ ...withName(p), reason: p.reason.replace(folder.dir + '/', '') }));
}

/** The mappings a valid text holds (for a preview), or its problems. */
export function compileMappingText(folder: MappingsFolder, name: string, text: string): { mappings: Mapping[]; problems: MappingProblem[] } {
  const problems = checkMappingText(folder, name, text);
  if (problems.length > 0) return { mappings: [], problems };
  return { mappings: compiled(folder, join(folder.dir, name), text).mappings, problems: [] };
}

export type SaveOutcome =
  | { status: 'saved'; created: boolean; previous: string | null; reloaded: boolean; inForce: string[] }
  | { status: 'invalid'; problems: MappingProblem[] }
  | { status: 'read-only'; reason: string }
  | { status: 'changed'; reason: string };

/** The version token of a text: the editor sends back the one it opened, so a save never silently overwrites another's. */
export function versionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Writes `text` as `name` when it passes every check, keeping the replaced version as
 * `name.previous`; a refusal writes nothing. The new text is written beside the file under a
 * hidden name and renamed over it, so the hot reload never reads half a file.
 */
export async function saveMappingFile(
  folder: MappingsFolder,
  name: string,
  text: string,
  options: { baseVersion?: string; reloadWaitMs?: number } = {},
): Promise<SaveOutcome> {
  const readOnly = readOnlyReason(folder);
  if (readOnly) return { status: 'read-only', reason: readOnly };
  const problems = checkMappingText(folder, name, text);
  if (problems.length > 0) return { status: 'invalid', problems };
  const file = join(folder.dir, name);
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (options.baseVersion !== undefined && (existing === undefined ? '' : versionOf(existing)) !== options.baseVersion) {
    return { status: 'changed', reason: `${name} changed on the hub since it was opened: reload it, then make your change again.` };
  }
  const staging = join(folder.dir, `.${name}.${randomUUID()}.saving`);
  try {
    if (existing !== undefined) copyFileSync(file, file + PREVIOUS_SUFFIX);
    writeFileSync(staging, text, { flag: 'wx' });
    renameSync(staging, file);
  } catch (error) {
    rmSync(staging, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      return { status: 'read-only', reason: 'The mappings folder is read-only for the hub (its file system or permissions refuse writes).' };
    }
    throw error;
  }
  const reloaded = await until(() => folder.watcher.loaded(file)?.text === text, options.reloadWaitMs ?? 3_000);
  return {
    status: 'saved',
    created: existing === undefined,
    previous: existing === undefined ? null : basename(file) + PREVIOUS_SUFFIX,
    reloaded,
    inForce: folder.watcher.current().filter((m) => m.file === file).map((m) => m.name),
  };
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}
