/**
 * A throwaway PostgreSQL server for the `pg` test project, started from the machine's own
 * PostgreSQL binaries (Debian's `initdb`/`pg_ctl`, run as the `postgres` user when we are
 * root), or the server at TEST_DATABASE_URL when one is given. Never a silent skip: without
 * either, the pg project fails with the reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningPg {
  /** URL of the server's `postgres` database (admin connection). */
  adminUrl: string;
  stop(): void;
}

function findBinDir(): string {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates = [
    ...(process.env.PG_BIN ? [process.env.PG_BIN] : []),
    ...(fromConfig.status === 0 ? [fromConfig.stdout.trim()] : []),
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : []),
  ];
  const dir = candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (!dir) {
    throw new Error(
      'PostgreSQL tests need a server: install PostgreSQL (initdb, pg_ctl; e.g. apt-get install postgresql) or set TEST_DATABASE_URL',
    );
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Where a server for the tests keeps its data: in memory (/dev/shm) where the machine has it.
 * Every pg test clones the template database, and on this machine's disk a CREATE DATABASE took
 * 150–475 ms against 23–33 ms in memory, for some 2,000 tests; the data is thrown away at the
 * end of the run either way. The benchmarks keep theirs on disk, like the SQLite files they are
 * compared with (docs/BENCHMARKS.md).
 */
function dataRoot(inMemory: boolean): string {
  if (!inMemory) return tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK | constants.X_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export async function startPg(options: { inMemory?: boolean } = {}): Promise<RunningPg> {
  if (process.env.TEST_DATABASE_URL) {
    return { adminUrl: process.env.TEST_DATABASE_URL, stop() {} };
  }
  const bin = findBinDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(dataRoot(options.inMemory ?? false), 'loyalty-hub-pg-'));
  chmodSync(dir, 0o700);
  const pgUser = root ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  if (root) chownSync(dir, pgUser!, Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
  // As root, PostgreSQL refuses to run: run its binaries as the postgres user.
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: tmpdir() });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  // Durability settings off: a test server's data is thrown away, and the tests are about
  // locking and constraints, not fsync.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
