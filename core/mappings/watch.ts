/**
 * Mappings reload when their files change, without a restart. Editing is not atomic — an
 * editor saves a half-typed file, a deploy copies files one by one — so a file that no longer
 * loads keeps its last good version running (and the log says why); deleting a file removes its
 * mappings. Other files are never affected by one file's problems.
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../observability/logger.js';
import { combine, listMappingFiles, loadMappingFile } from './load.js';
import type { AdapterDescriptors, Mapping, MappingProblem } from './types.js';

export interface MappingWatcher {
  /** The mappings in force now. */
  current(): Mapping[];
  /**
   * `file`'s last good version — its text and mappings — or undefined while none has loaded:
   * compared with the file on disk, it tells whether a saved change is running yet.
   */
  loaded(file: string): { text: string; mappings: Mapping[] } | undefined;
  close(): void;
}

export interface WatchOptions {
  /** Called with the new set after a reload that changed it (not for the initial load: see `current()`). */
  onChange?: (mappings: Mapping[]) => void;
  logger: Logger;
  /** Quiet period after the last file event before reloading (editors write in bursts). */
  debounceMs?: number;
}

interface FileState {
  text: string;
  /** The last version of this file that loaded; undefined while it never has. */
  good: Mapping[] | undefined;
  /** That version's text. */
  goodText: string | undefined;
}

export function watchMappings(dir: string, adapters: AdapterDescriptors, options: WatchOptions): MappingWatcher {
  const { logger, onChange, debounceMs = 100 } = options;
  const files = new Map<string, FileState>();
  let mappings: Mapping[] = [];

  const reload = (initial = false) => {
    let changed = false;
    const present = new Set(listMappingFiles(dir));
    for (const file of [...files.keys()]) {
      if (present.has(file)) continue;
      files.delete(file);
      changed = true;
      logger.info('mapping file removed; its mappings no longer apply', { file });
    }
    for (const file of present) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue; // removed between listing and reading: the next event will tell
      }
      const before = files.get(file);
      if (before?.text === text) continue;
      const result = loadMappingFile(file, adapters, text);
      changed = true;
      if (result.problems.length === 0) {
        files.set(file, { text, good: result.mappings, goodText: text });
        if (!initial) logger.info(before ? 'mapping file reloaded' : 'mapping file added', { file, mappings: result.mappings.map((m) => m.name) });
      } else {
        files.set(file, { text, good: before?.good, goodText: before?.goodText });
        logProblems(logger, result.problems, before?.good);
      }
    }
    if (!changed) return;
    const combined = combine([...files].sort(([a], [b]) => a.localeCompare(b)).map(([file, s]) => ({ file, mappings: s.good ?? [], problems: [] })));
    // A name clash only shows once files are combined; the later file is left out, as at start.
    if (combined.problems.length > 0) logProblems(logger, combined.problems, undefined);
    const previous = mappings;
    mappings = combined.mappings;
    if (!initial && (previous.length !== mappings.length || previous.some((m, i) => m !== mappings[i]))) onChange?.(mappings);
  };

  reload(true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          reload();
        } catch (error) {
          logger.error('mapping reload failed; the current mappings stay in force', { dir, error: (error as Error).message });
        }
      }, debounceMs);
    });
    watcher.on('error', (error) => logger.error('watching mappings failed; reloads stop', { dir, error: error.message }));
  } catch (error) {
    logger.warn('cannot watch the mappings folder; changes need a restart', { dir, error: (error as Error).message });
  }

  return {
    current: () => mappings,
    loaded(file) {
      const state = files.get(file);
      return state?.good && state.goodText !== undefined ? { text: state.goodText, mappings: state.good } : undefined;
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

function logProblems(logger: Logger, problems: readonly MappingProblem[], kept: Mapping[] | undefined): void {
  for (const p of problems) {
    logger.warn(kept ? 'mapping file rejected; its last good version stays in force' : 'mapping file rejected', {
      file: p.file,
      line: p.line,
      path: p.path,
      reason: p.reason,
      ...(kept ? { kept: kept.map((m) => m.name) } : {}),
    });
  }
}
