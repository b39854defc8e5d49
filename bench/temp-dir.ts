/** A scratch directory per benchmark, removed afterwards (databases are never left behind). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  dir: string;
  file(name: string): string;
  remove(): void;
}

export function tempDir(tag: string): TempDir {
  const dir = mkdtempSync(join(tmpdir(), `loyalty-bench-${tag}-`));
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
