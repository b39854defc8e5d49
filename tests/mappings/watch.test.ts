import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { mappingActionsFor, watchMappings, type Mapping, type MappingWatcher } from '../../core/mappings/index.js';
import { createLogger } from '../../core/observability/logger.js';
import { adapters, event, mappingDir, member } from './fixtures.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

/** Resolves when `check` holds, polling briefly (fs.watch events arrive asynchronously). */
async function until<T>(check: () => T | undefined, what: string, timeoutMs = 2_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const earned = (text: string) => `name: earned\non: points.earned\nsend: { adapter: slack, channel: "#x", text: "${text}" }\n`;

function textsFor(watcher: MappingWatcher): string[] {
  return mappingActionsFor(watcher.current(), event('points.earned', { points: 7 }), { member }).map((a) => String(a.options.text));
}

describe('hot reload', () => {
  it('applies a changed file; a broken file keeps its last good version and says why; deleting removes it', async () => {
    const dir = mappingDir({ 'earned.yaml': earned('v1 +{{ points }}'), 'other.yaml': 'on: points.spent\nsend: { adapter: slack, channel: "#x", text: t }\n' });
    cleanup.push(dir.remove);
    const logs: Record<string, unknown>[] = [];
    const changes: Mapping[][] = [];
    const watcher = watchMappings(dir.dir, adapters, {
      logger: createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) }),
      onChange: (m) => changes.push(m),
      debounceMs: 20,
    });
    cleanup.unshift(() => watcher.close());
    expect(watcher.current().map((m) => m.name)).toEqual(['earned', 'other']);
    expect(textsFor(watcher)).toEqual(['v1 +7']);

    // Broken: an unknown filter on line 3. The old version keeps running.
    dir.write('earned.yaml', earned('v2 {{ points | nosuch }}'));
    const warning = await until(() => logs.find((l) => l.level === 'warn'), 'the rejection to be logged');
    expect(warning).toMatchObject({
      msg: 'mapping file rejected; its last good version stays in force',
      file: dir.path('earned.yaml'),
      line: 3,
      path: 'send.text',
      reason: 'template syntax: undefined filter: nosuch',
      kept: ['earned'],
    });
    expect(textsFor(watcher)).toEqual(['v1 +7']);
    expect(changes).toEqual([]);

    // Fixed: takes effect without a restart.
    dir.write('earned.yaml', earned('v3 +{{ points }} for {{ member.firstName }}'));
    await until(() => changes.length === 1, 'the fixed file to load');
    expect(textsFor(watcher)).toEqual(['v3 +7 for Bo']);
    expect(watcher.current().map((m) => m.name)).toEqual(['earned', 'other']);

    // A new file joins, a deleted file's mappings go.
    dir.write('more.yaml', 'on: points.earned\nsend: { adapter: slack, channel: "#y", text: "more" }\n');
    await until(() => changes.length === 2, 'the new file to load');
    expect(textsFor(watcher)).toEqual(['v3 +7 for Bo', 'more']);
    rmSync(dir.path('earned.yaml'));
    await until(() => changes.length === 3, 'the deletion');
    expect(watcher.current().map((m) => m.name)).toEqual(['more', 'other']);
  });

  it('starts without a file that is broken at start, and picks it up once fixed', async () => {
    const dir = mappingDir({ 'earned.yaml': earned('{{ pionts }}') });
    cleanup.push(dir.remove);
    const logs: Record<string, unknown>[] = [];
    const watcher = watchMappings(dir.dir, adapters, { logger: createLogger({ write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) }), debounceMs: 20 });
    cleanup.unshift(() => watcher.close());
    expect(watcher.current()).toEqual([]);
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', msg: 'mapping file rejected', line: 3, reason: expect.stringContaining('missing field "pionts"') })]);
    dir.write('earned.yaml', earned('+{{ points }}'));
    await until(() => watcher.current().length === 1, 'the fixed file');
    expect(textsFor(watcher)).toEqual(['+7']);
  });
});
