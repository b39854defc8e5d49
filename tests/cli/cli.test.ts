import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, startHubProcess } from '../helpers/hub-process.js';

/** Runs the CLI as a newcomer would: a separate process, configured only by its environment. */
function cli(args: string[], env: Record<string, string>) {
  const { PORT: _p, ADMIN_API_KEY: _a, DATABASE_URL: _d, ...base } = process.env;
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...base, ...env }, encoding: 'utf8', cwd: tmpdir() });
}

describe('loyalty-hub CLI', () => {
  let dir = '';
  let env: Record<string, string> = {};
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loyalty-hub-cli-'));
    env = { DATABASE_URL: join(dir, 'data', 'loyalty.db') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('explains itself with --help, and each command too', () => {
    const main = cli(['--help'], env);
    expect(main.status).toBe(0);
    expect(main.stdout).toMatch(/serve[\s\S]*migrate[\s\S]*keys create/);
    const keys = cli(['keys', 'create', '--help'], env);
    expect(keys.stdout).toContain('--scope');
    const unknown = cli(['frobnicate'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });

  it('migrates a new database and creates keys with a scope', () => {
    const migrate = cli(['migrate'], env);
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toMatch(/migrations applied/);
    const created = cli(['keys', 'create', '--name', 'POS backend', '--scope', 'write'], env);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/lh_[0-9a-z]+_[A-Za-z0-9_-]+/);
    const bad = cli(['keys', 'create', '--name', 'x', '--scope', 'root'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--scope must be one of read, write, admin');
  });

  it('serves: prints where it listens and the generated admin key, which then works', async () => {
    const hub = await startHubProcess(env, /admin API key.*lh_\S+/);
    try {
      const out = hub.output();
      const key = /admin API key.*?(lh_\S+)/.exec(out)?.[1];
      expect(out).toMatch(/database: sqlite .*migrations applied/);
      expect(out).toMatch(/connector +slack +disabled: set SLACK_BOT_TOKEN/);
      expect(key).toBeDefined();
      expect((await fetch(`${hub.url}/health`)).status).toBe(200);
      const res = await fetch(`${hub.url}/v1/members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ann@example.com' }),
      });
      expect(res.status).toBe(201);
    } finally {
      expect(await hub.stop()).toBe(0);
    }
  });
});
