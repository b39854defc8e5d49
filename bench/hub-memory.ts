/**
 * (i) The hub's memory under sustained traffic: the real server (`loyalty-hub serve`, its own
 * process, SQLite file) answers signed Shopify `orders/paid` webhooks (the same deliveries as (g):
 * new orders from 1,000 customers) in steps, and after each step the server's resident set
 * (`VmRSS` in /proc/<pid>/status) is read. The target: RSS after 1M deliveries within
 * 1.2× of RSS after 10k (no growth with traffic). At this machine's rate ((g): a few hundred a
 * second) a million deliveries take most of an hour, so the run stops at `deliveries` (100k by
 * default) and says so; the curve of the steps shows whether memory still grows.
 *
 * After reading the RSS, each step also asks the hub (SIGUSR2 to bench/heap-probe.mjs, preloaded
 * with `--expose-gc`) for its live heap after a full collection: RSS that grows while the live
 * heap does not is heap V8 has sized up and not yet collected, not memory the hub keeps.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { freePort, startServer, type Server } from './processes.js';
import { tempDir } from './temp-dir.js';
import { API_KEY, load, SECRET } from './webhook-http.js';

export const MEMORY_RATIO_TARGET = 1.2;

export interface MemoryStep {
  /** Deliveries answered so far. */
  deliveries: number;
  rssMiB: number;
  /** JS heap in use right after a full garbage collection. */
  liveHeapMiB: number;
  seconds: number;
}

export interface HubMemoryResult {
  connections: number;
  steps: MemoryStep[];
  /** RSS after all deliveries / RSS after the first 10k. */
  ratio: number;
  /** The same for the live heap after a full collection. */
  liveHeapRatio: number;
  baseline: MemoryStep;
  last: MemoryStep;
  check: { non2xx: number; errors: number; earnTransfers: number; inbox: number };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) / 1024;
}

/** Asks the hub for its live heap after a full GC (bench/heap-probe.mjs): its `probe`-th answer. */
async function liveHeapMiB(hub: Server, probe: number): Promise<number> {
  process.kill(hub.pid, 'SIGUSR2');
  const prefix = `HEAP-PROBE ${probe} `;
  for (let waited = 0; waited < 10_000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    const line = hub.output().split('\n').find((l) => l.startsWith(prefix));
    if (line) return (JSON.parse(line.slice(prefix.length)) as { heapUsed: number }).heapUsed / 1024 / 1024;
  }
  throw new Error('(i) the hub did not answer the heap probe');
}

export async function hubMemory(options: { deliveries?: number; step?: number; connections?: number } = {}): Promise<HubMemoryResult> {
  const total = options.deliveries ?? 100_000;
  const step = options.step ?? 10_000;
  const connections = options.connections ?? 50;
  const tmp = tempDir('memory');
  const db = tmp.file('hub.db');
  try {
    const port = await freePort();
    const hub = await startServer(
      'hub',
      ['--expose-gc', '--import', './bench/heap-probe.mjs', '--import', './bench/loopback-only.mjs', 'bin/loyalty-hub.mjs', 'serve', '--port', String(port)],
      { DATABASE_URL: db, ADMIN_API_KEY: API_KEY, SHOPIFY_API_SECRET: SECRET, LOYALTY_MAPPINGS: tmp.file('no-mappings') },
      port,
    );
    const steps: MemoryStep[] = [];
    let non2xx = 0;
    let errors = 0;
    let answered = 0;
    const started = performance.now();
    try {
      while (answered < total) {
        const r = await load(hub.url, `mem-${answered}`, 0, connections, 1_000, Math.min(step, total - answered));
        answered += Object.values(r.statusCodes).reduce((a, b) => a + b, 0);
        non2xx += r.non2xx;
        errors += r.errors;
        const rss = rssMiB(hub.pid);
        steps.push({ deliveries: answered, rssMiB: rss, liveHeapMiB: await liveHeapMiB(hub, steps.length + 1), seconds: (performance.now() - started) / 1000 });
        if (r.errors > step / 10) throw new Error(`(i) ${r.errors} of ${step} requests failed: the hub is not answering`);
      }
    } finally {
      await hub.stop();
    }
    const check = new Database(db, { readonly: true });
    let earnTransfers: number;
    let inbox: number;
    try {
      earnTransfers = (check.prepare(`select count(*) as n from transfers where kind = 'earn'`).get() as { n: number }).n;
      inbox = (check.prepare('select count(*) as n from inbox').get() as { n: number }).n;
    } finally {
      check.close();
    }
    const baseline = steps[0]!;
    const last = steps.at(-1)!;
    return {
      connections,
      steps,
      ratio: last.rssMiB / baseline.rssMiB,
      liveHeapRatio: last.liveHeapMiB / baseline.liveHeapMiB,
      baseline,
      last,
      check: { non2xx, errors, earnTransfers, inbox },
    };
  } finally {
    tmp.remove();
  }
}
