/**
 * (k) `loyalty-hub import members.csv` of 1,000,000 rows (issue 18: < 60 s on SQLite): a CSV
 * generated in a temporary directory — every row with opening points, half of them expiring,
 * one in ten with pending points too — imported by the real command (`node bin/loyalty-hub.mjs
 * import`, its own process, as a person runs it) into a fresh SQLite file, timed from spawning it
 * to its exit. Then checked with SQL: one member per row, one ledger line per opening figure, the
 * points summed. (The full ledger invariant checker runs after every import test instead: at a
 * million members it holds every row in memory — see (f).)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { openStore } from '../core/storage/open-store.js';
import { repoRoot } from './processes.js';
import { fmt } from './stats.js';
import { tempDir } from './temp-dir.js';

export const CSV_IMPORT_TARGET_SECONDS = 60;

export interface CsvImportResult {
  rows: number;
  fileMiB: number;
  seconds: number;
  /** CPU seconds the process spent in the import (user + system): the work, whatever else the machine runs. */
  cpuSeconds: number;
  perSecond: number;
  secondRunSeconds: number;
  checks: { members: number; transfers: number; available: number; pending: number; ok: boolean };
  loadAverage: number[];
}

async function generate(file: string, rows: number): Promise<{ transfers: number; available: number; pending: number }> {
  const out = createWriteStream(file);
  const expected = { transfers: 0, available: 0, pending: 0 };
  out.write('external_id,email,first_name,last_name,points,points_expire_at,pending_points,pending_until\n');
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const points = 1 + (i % 2500);
    const pending = i % 10 === 0 ? 50 : 0;
    expected.available += points;
    expected.pending += pending;
    expected.transfers += 1 + (pending ? 1 : 0);
    chunk += `old-${i},member${i}@example.com,First${i},"Last, ${i}",${points},${i % 2 ? '2031-06-30' : ''},${pending || ''},${pending ? '2031-01-01' : ''}\n`;
    if (i % 10_000 === 0) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return expected;
}

/** Runs `loyalty-hub import ARGS` in its own process: its exit code, wall seconds and CPU seconds. */
async function runImportCommand(args: string[], env: Record<string, string>, cpuReport: string): Promise<{ code: number; seconds: number; cpuSeconds: number; output: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', './bench/cpu-at-exit.mjs', 'bin/loyalty-hub.mjs', 'import', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env, BENCH_CPU_REPORT: cpuReport },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const [code] = (await once(child, 'exit')) as [number | null];
  const seconds = (performance.now() - started) / 1000;
  const used = JSON.parse(readFileSync(cpuReport, 'utf8')) as { user: number; system: number };
  return { code: code ?? 1, seconds, cpuSeconds: (used.user + used.system) / 1e6, output };
}

export async function csvImport(options: { rows?: number } = {}, log: (msg: string) => void = () => {}): Promise<CsvImportResult> {
  const rows = options.rows ?? 1_000_000;
  const tmp = tempDir('csv-import');
  try {
    const file = tmp.file('members.csv');
    const expected = await generate(file, rows);
    const fileMiB = statSync(file).size / 2 ** 20;
    log(`(k) ${fmt.int(rows)} rows, ${fileMiB.toFixed(0)} MiB generated; importing…`);
    const databaseUrl = tmp.file('loyalty.db');
    // Migrations first, so the timing is the import's.
    await (await openStore(databaseUrl)).close();
    const args = [file, '--rejects', tmp.file('rejects.csv')];
    const first = await runImportCommand(args, { DATABASE_URL: databaseUrl }, tmp.file('cpu-1.json'));
    if (first.code !== 0) throw new Error(`(k) the import exited with ${first.code}:\n${first.output}`);
    const { seconds, cpuSeconds } = first;
    log(`(k) imported in ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} CPU s); running it again (a no-op)…`);
    const second = await runImportCommand(args, { DATABASE_URL: databaseUrl }, tmp.file('cpu-2.json'));
    if (second.code !== 0) throw new Error(`(k) the second import exited with ${second.code}:\n${second.output}`);
    const secondRunSeconds = second.seconds;

    const store = await openStore(databaseUrl, { migrate: false });
    let checks: CsvImportResult['checks'];
    try {
      const { $client } = store.db as unknown as { $client: import('better-sqlite3').Database };
      const n = (q: string) => Number(($client.prepare(q).pluck().get() as number | null) ?? 0);
      const members = n('select count(*) from members');
      const transfers = n('select count(*) from transfers');
      const available = n('select sum(available) from balances');
      const pending = n('select sum(pending) from balances');
      checks = { members, transfers, available, pending, ok: members === rows && transfers === expected.transfers && available === expected.available && pending === expected.pending };
    } finally {
      await store.close();
    }
    return { rows, fileMiB, seconds, cpuSeconds, perSecond: rows / seconds, secondRunSeconds, checks, loadAverage: os.loadavg() };
  } finally {
    tmp.remove();
  }
}

export function csvImportRows(k: CsvImportResult, row: (...cells: string[]) => string, passFail: (ok: boolean) => string): string[] {
  return [
    row(
      `(k) \`loyalty-hub import members.csv\`, ${fmt.int(k.rows)} rows on SQLite`,
      `${k.seconds.toFixed(1)} s (${fmt.int(k.perSecond)} rows/s, ${k.cpuSeconds.toFixed(1)} CPU s); checks ${k.checks.ok ? 'ok' : 'FAILED'}`,
      `< ${CSV_IMPORT_TARGET_SECONDS} s`,
      k.rows >= 1_000_000 ? passFail(k.seconds < CSV_IMPORT_TARGET_SECONDS && k.checks.ok) : `at ${fmt.int(k.rows)} rows`,
    ),
  ];
}

export function csvImportSection(k: CsvImportResult): string[] {
  return [
    '',
    '## (k) Importing members from a CSV file',
    '',
    `A generated file of ${fmt.int(k.rows)} rows (${k.fileMiB.toFixed(0)} MiB: id, e-mail, names, opening points — half expiring —`,
    'and pending points on one row in ten) through the real command, `node bin/loyalty-hub.mjs import FILE`, in its own process',
    'as a person runs it, into a fresh SQLite file; timed from spawning the process to its exit (start-up included; the command',
    'runs itself once more with a 64 MiB young generation, bin/loyalty-hub.mjs, and both starts count). Pages of 1,000 rows,',
    'each one transaction of set-based statements (core/members/import-bulk.ts).',
    '',
    '| measure | value |',
    '| --- | --- |',
    `| import, spawn to exit | ${k.seconds.toFixed(1)} s, ${fmt.int(k.perSecond)} rows/s |`,
    `| CPU time of the import's process (user + system, every thread; the work, whatever else shares the machine) | ${k.cpuSeconds.toFixed(1)} s |`,
    `| second run of the same file (changes nothing) | ${k.secondRunSeconds.toFixed(1)} s |`,
    `| members / ledger lines / Σ available / Σ pending | ${fmt.int(k.checks.members)} / ${fmt.int(k.checks.transfers)} / ${fmt.int(k.checks.available)} / ${fmt.int(k.checks.pending)} (${k.checks.ok ? 'as generated' : '**not as generated**'}) |`,
    `| load average after | ${k.loadAverage.map((x) => x.toFixed(2)).join(' / ')} |`,
  ];
}
