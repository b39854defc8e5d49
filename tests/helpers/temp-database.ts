import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

/** Which backend this test project runs on (`TEST_BACKEND`, set per vitest project). */
export const backend: 'sqlite' | 'pg' = process.env.TEST_BACKEND === 'pg' ? 'pg' : 'sqlite';

export interface TempDatabase {
  url: string;
  dispose(): Promise<void>;
}

let counter = 0;

/**
 * A fresh, empty-but-migrated database for one test: a SQLite file in a new temporary directory,
 * or a PostgreSQL database cloned from the migrated template.
 */
export async function tempDatabase(): Promise<TempDatabase> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'loyalty-hub-test-'));
    return { url: join(dir, 'loyalty.db'), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template loyalty_hub_template`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async dispose() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Runs one SQL statement on a separate connection, outside the hub's code (to corrupt or inspect
 * a database behind the ledger's back). `?` placeholders work on both backends.
 */
export async function rawSql(url: string, text: string, ...params: unknown[]): Promise<void> {
  if (backend === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(url);
    try {
      conn.prepare(text).run(...params);
    } finally {
      conn.close();
    }
    return;
  }
  let n = 0;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text.replace(/\?/g, () => `$${++n}`), params);
  } finally {
    await client.end();
  }
}
