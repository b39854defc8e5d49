/** Facts about the machine a benchmark ran on, for the report. */
import Database from 'better-sqlite3';
import os from 'node:os';

export interface MachineFacts {
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  sqlite: string;
  loadAverage: number[];
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    sqlite,
    loadAverage: os.loadavg(),
  };
}
