/**
 * SPEC §7: an acknowledged (2xx) event is durable — killing the process right after the answer
 * loses nothing. The hub is killed with SIGKILL (no shutdown code runs) the moment the answers
 * arrive, restarted on the same database, and must show every acknowledged write.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkLedgerInvariants } from '../../core/ledger/index.js';
import { openStore } from '../../core/storage/open-store.js';
import { tempDatabase, type TempDatabase } from '../helpers/temp-database.js';

const BIN = join(import.meta.dirname, '../../bin/loyalty-hub.mjs');
const KEY = 'crash-test-admin-key-0123456789';

async function startHub(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const { PORT: _p, ...base } = process.env;
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: { ...base, DATABASE_URL: databaseUrl, ADMIN_API_KEY: KEY, LOG_LEVEL: 'warn' },
    cwd: tmpdir(),
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = /listening on (http:\/\/localhost:\d+)/.exec(out)?.[1];
    if (url) return { url, child };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`hub did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('durability of acknowledged writes', () => {
  let database: TempDatabase;
  beforeEach(async () => {
    database = await tempDatabase();
  });
  afterEach(() => database.dispose());

  it('keeps every acknowledged event after the process is killed with SIGKILL', async () => {
    const first = await startHub(database.url);
    const member = (await (await post(first.url, '/v1/members', { email: 'ann@example.com' })).json()) as { id: string };
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(first.url, '/v1/events', { type: 'activity', name: 'login', id: `login-${i}`, customer: { memberId: member.id }, points: 3 }),
      ),
    );
    const acknowledged = answers.filter((r) => r.status === 201).length;
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    expect(acknowledged).toBe(100);

    const second = await startHub(database.url);
    try {
      const res = await fetch(`${second.url}/v1/members/${member.id}/balance`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(((await res.json()) as { available: number }).available).toBe(3 * acknowledged);
    } finally {
      const done = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await done;
    }
    const store = await openStore(database.url, { migrate: false });
    try {
      expect(await checkLedgerInvariants(store.db)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
