/**
 * Each command's declared options (core/cli/arguments.ts) are the ones its --help names: the
 * options it refuses and the ones it documents cannot drift apart.
 */
import { describe, expect, it } from 'vitest';
import { commands } from '../../core/cli/main.js';

describe('CLI options', () => {
  it.each(Object.entries(commands))('%s: --help names every option it accepts, and it accepts every one --help names', (_name, command) => {
    const documented = new Set([...command.usage.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!));
    documented.delete('help');
    expect([...documented].sort()).toEqual(Object.keys(command.options).sort());
  });
});
