import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, startHubProcess } from '../helpers/hub-process.js';

/** The test's environment without what configures a hub (PORT, ADMIN_API_KEY, DATABASE_URL). */
function cliEnv() {
  const { PORT: _p, ADMIN_API_KEY: _a, DATABASE_URL: _d, ...base } = process.env;
  return base;
}

/** Runs the CLI as a newcomer would: a separate process, configured only by its environment. */
function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...cliEnv(), ...env }, encoding: 'utf8', cwd: tmpdir() });
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

  it('refuses an option it does not know, with the one meant, and does nothing', () => {
    const members = resolve('docs/examples/members.csv');
    // A typo in --dry-run used to import for real.
    const typo = cli(['import', members, '--dryrun'], env);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('loyalty-hub import: unknown option "--dryrun" (did you mean --dry-run?). Nothing was done');
    expect(existsSync(env.DATABASE_URL!)).toBe(false);
    const format = cli(['export', 'members', '--fromat', 'ndjson'], env);
    expect([format.status, format.stdout]).toEqual([2, '']);
    expect(format.stderr).toContain('unknown option "--fromat" (did you mean --format?)');
    expect(cli(['export', 'members', '--out'], env).stderr).toContain('option --out needs a value');
    expect(cli(['import', members, members], env).stderr).toContain(`unexpected argument "${members}"`);
    expect(cli(['import', members, '--restart=yes'], env).stderr).toContain('option --restart takes no value');
    expect(cli(['replay', '--status', 'lost'], env).stderr).toContain('--status must be one of rejected, failed, accepted, ignored');
    // Commands that parsed their own options printed a stack trace.
    for (const args of [['serve', '--prot', '4000'], ['keys', 'create', '--name', 'x', '--scop', 'write'], ['mappings', 'check', '--bogus']]) {
      const refused = cli(args, env);
      expect(refused.status, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(/^loyalty-hub [a-z ]+: unknown option "--[a-z]+"/);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(env.DATABASE_URL!)).toBe(false);
  });

  it('explains a group of commands: keys, mappings, connectors', () => {
    const keys = cli(['keys', '--help'], env);
    expect(keys.status).toBe(0);
    expect(keys.stdout).toMatch(/keys create[\s\S]*keys list[\s\S]*keys revoke/);
    const bare = cli(['mappings'], env);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/Name a mappings command[\s\S]*mappings check[\s\S]*mappings preview/);
    expect(cli(['connectors', 'list'], env).stderr).toMatch(/Unknown command "connectors list"[\s\S]*connectors check/);
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

  it('lists and revokes keys, and checks the ledger of a live database', async () => {
    expect(cli(['migrate'], env).status).toBe(0);
    const created = cli(['keys', 'create', '--name', 'POS backend', '--scope', 'write'], env);
    const id = /key ([0-9a-z]+) for/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    const listed = cli(['keys', 'list'], env);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+POS backend\\s+write\\s+\\S+\\s+active`));
    expect(listed.stdout).not.toMatch(/lh_/);
    const revoked = cli(['keys', 'revoke', id!], env);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toContain(`Revoked key ${id}`);
    expect(cli(['keys', 'list', '--active'], env).stdout).not.toContain(id!);
    expect(cli(['keys', 'revoke', 'nope'], env).status).toBe(1);

    const clean = cli(['check'], env);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain('ledger OK');
    // A balance row that disagrees with its history: what a bad restore leaves behind.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(env.DATABASE_URL!);
    const now = Date.now();
    db.prepare("insert into members (id, created_at, updated_at) values ('mem_x', ?, ?)").run(now, now);
    db.prepare("insert into balances (member_id, available, updated_at) values ('mem_x', 500, ?)").run(now);
    db.close();
    const broken = cli(['check'], env);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/\d+ violations?[\s\S]*member mem_x: available is 500, its history says 0/);
  });

  it('says so when its port is taken, without a stack trace, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, r));
    try {
      const port = (taken.address() as AddressInfo).port;
      const refused = spawnSync(process.execPath, [BIN, 'serve', '--port', String(port)], {
        env: { ...cliEnv(), ...env },
        encoding: 'utf8',
        cwd: tmpdir(),
        timeout: 30_000,
      });
      expect(refused.stderr).toContain(`serve: port ${port} is already in use`);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      expect(refused.status).toBe(1);
    } finally {
      await new Promise((r) => taken.close(r));
    }
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
