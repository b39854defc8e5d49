/**
 * `npm run bench`: runs (a) ledger throughput, (b) balance read latency, (c) HTTP events
 * throughput, (d) HTTP events throughput on PostgreSQL with 1 and 2 hub processes next to
 * SQLite, (e) dispatcher deliveries per second against a local HTTP stub, (f) expiring
 * 1,000,000 lots through `ledger.runDue`, (g) signed Shopify webhooks end to end, (h) delivery
 * latency with one webhook endpoint hanging (lane isolation) and (i) the hub's memory under
 * sustained webhooks, (j) `GET /v1/analytics/summary` over 1M members and 10M transfers, (k) a 1M-row CSV
 * import, (l) each console page on (j)'s program, then writes docs/BENCHMARKS.md (full runs only) and
 * bench/results/*.json.
 *
 *   npm run bench                  all of them, rewrites docs/BENCHMARKS.md
 *   npm run bench -- --only a,c    a subset; prints the report instead
 *   npm run bench -- --quick       a shorter smoke run; prints the report instead
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { analyticsSummary } from './analytics-summary.js';
import { balanceRead } from './balance-read.js';
import { dispatchHttp } from './dispatch-http.js';
import { eventsHttp } from './events-http.js';
import { eventsPg } from './events-pg.js';
import { ledgerExpiry } from './ledger-expiry.js';
import { laneIsolation } from './lane-isolation.js';
import { webhookHttp } from './webhook-http.js';
import { hubMemory } from './hub-memory.js';
import { csvImport } from './csv-import.js';
import { consolePages } from './console-pages.js';
import { ledgerThroughput } from './ledger-throughput.js';
import { machineFacts } from './machine.js';
import { repoRoot } from './processes.js';
import { renderReport, type BenchResults } from './report.js';

/**
 * Whatever happens, the run ends: children are killed by processes.ts's exit hook. (a)–(e) take
 * about 5 minutes; (f) seeds and expires millions of rows, minutes more (each of its loops stops
 * itself after 5 minutes).
 */
const HARD_LIMIT_MS = 35 * 60_000;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { only: { type: 'string' }, quick: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
});
if (values.help) {
  console.log('Usage: npm run bench [-- --only a,b,c,d,e,f,g,h,i,j,k,l] [-- --quick]');
  process.exit(0);
}
const ALL = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];
const selected = new Set((values.only ?? ALL.join(',')).split(',').map((s) => s.trim().toLowerCase()));
for (const s of selected) {
  if (!ALL.includes(s)) {
    console.error(`bench: unknown benchmark "${s}" (choose from ${ALL.join(', ')})`);
    process.exit(2);
  }
}
const quick = values.quick;
const full = selected.size === ALL.length && !quick;

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${HARD_LIMIT_MS / 60_000} minutes, giving up`);
  process.exit(1);
}, HARD_LIMIT_MS);
watchdog.unref();

const started = performance.now();
const stamp = () => `[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s]`;
const log = (msg: string) => console.log(`${stamp()} ${msg}`);

const results: BenchResults = { machine: machineFacts(), loadAverageAfter: [], totalSeconds: 0 };
log(`node ${results.machine.node}, ${results.machine.cpuModel}, ${results.machine.cores} cores; running ${[...selected].sort().join(', ')}${quick ? ' (quick)' : ''}`);

if (selected.has('a')) {
  log('(a) ledger throughput…');
  results.ledger = await ledgerThroughput(quick ? { phaseSeconds: 2 } : { phaseSeconds: 5 });
  const { single, concurrent, batched, postMany, mixed } = results.ledger;
  log(
    `(a) single ${single.perSecond.toFixed(0)}/s, concurrent ${concurrent.perSecond.toFixed(0)}/s, 100 posts/commit ${batched.perSecond.toFixed(0)}/s, ` +
      `postMany ${postMany.perSecond.toFixed(0)}/s, mixed ${mixed.perSecond.toFixed(0)}/s`,
  );
}
if (selected.has('b')) {
  log('(b) balance read latency (seeding history)…');
  results.balance = await balanceRead(quick ? { bigRows: 100_000, seconds: 4 } : { seconds: 10 });
  const { typical, worstCase } = results.balance;
  log(
    `(b) ratio 1M/1k: ledger ${typical.ledger.ratioMedian.toFixed(2)}, API ${typical.api.ratioMedian.toFixed(2)}` +
      (worstCase ? `, worst-case API ${worstCase.api.ratioMedian.toFixed(2)}` : ''),
  );
}
if (selected.has('c')) {
  log('(c) POST /v1/events over HTTP…');
  results.http = await eventsHttp(quick ? { warmupSeconds: 1, runSeconds: 3, runs: 2, members: 200 } : {});
  const h = results.http;
  log(
    `(c) hub ${h.hub.perSecond.toFixed(0)} req/s vs bare ${h.bare.perSecond.toFixed(0)} req/s (${(h.ratio * 100).toFixed(0)} %), ` +
      `vs bare-ledger ${h.bareLedger.perSecond.toFixed(0)} req/s (${(h.ledgerRatio * 100).toFixed(0)} %), hub p99 ${h.hub.p99} ms`,
  );
}
if (selected.has('d')) {
  log('(d) POST /v1/events on PostgreSQL, 1 and 2 hub processes, next to SQLite…');
  results.pg = await eventsPg(quick ? { warmupSeconds: 1, runSeconds: 3, runs: 2, members: 200 } : {});
  const d = results.pg;
  const ok = Object.values(d.checks).every((c) => c.ok);
  log(
    `(d) sqlite ${d.sqlite.perSecond.toFixed(0)} req/s (p99 ${d.sqlite.p99} ms), pg1 ${d.pg1.perSecond.toFixed(0)} req/s (p99 ${d.pg1.p99} ms), ` +
      `pg2 ${d.pg2.perSecond.toFixed(0)} req/s (p99 ${d.pg2.p99} ms); pg1/sqlite ${(d.pg1VsSqlite * 100).toFixed(0)} %, ` +
      `pg2/pg1 ${(d.pg2VsPg1 * 100).toFixed(0)} %; checks ${ok ? 'ok' : 'FAILED'}`,
  );
}
if (selected.has('e')) {
  log('(e) dispatcher deliveries per second against a local HTTP stub…');
  results.dispatch = await dispatchHttp(quick ? { members: 200, eventsPerPhase: 3_000, warmupEvents: 300, phaseLimitSeconds: 10, totalLimitSeconds: 40 } : {});
  const e = results.dispatch;
  log(
    `(e) ${e.phases.map((p) => `${p.label} ${p.delivery.perSecond.toFixed(0)}/s (p99 ${p.latency.p99} ms)`).join(', ')}; ` +
      `routing ${e.phases.map((p) => p.routing.perSecond.toFixed(0)).join('/')}/s; ` +
      `checks ${e.phases.every((p) => p.check.ok) && e.skipped.length === 0 ? 'ok' : 'FAILED'}${e.skipped.length ? ` (skipped ${e.skipped.join(', ')})` : ''}`,
  );
}
if (selected.has('f')) {
  log(`(f) expiring ${quick ? '50,000' : '1,000,000'} lots through ledger.runDue (seeding first)…`);
  results.expiry = await ledgerExpiry(quick ? { lots: 50_000, pgLots: 10_000, loopLimitSeconds: 120 } : { pgLots: 100_000 }, log);
  const targets = results.expiry.runs.filter((r) => r.role === 'target');
  log(`(f) ${targets.map((r) => `${r.lotsPerMember} lot(s)/member ${r.complete ? `${r.secondsPerMillion.toFixed(1)} s` : 'unfinished'} per 1M lots`).join(', ')}`);
}
if (selected.has('g')) {
  log('(g) signed Shopify orders/paid webhooks over HTTP…');
  results.webhook = await webhookHttp(quick ? { warmupSeconds: 1, runSeconds: 3, runs: 1 } : {});
  const w = results.webhook;
  log(`(g) hub ${w.hub.perSecond.toFixed(0)} req/s vs bare ${w.bare.perSecond.toFixed(0)} req/s (${(w.ratio * 100).toFixed(0)} %), hub p99 ${w.hub.p99} ms`);
}

if (selected.has('h')) {
  log('(h) delivery latency to a fast endpoint, without and with another endpoint hanging…');
  const r = (results.lanes = await laneIsolation(quick ? { events: 100 } : {}));
  log(`(h) p99 no hang ${r.p99NoHangMs} ms, p99 with one endpoint hanging ${r.p99HangMs} ms, ratio ${r.ratio.toFixed(2)} (target ≤ 2)`);
}
if (selected.has('i')) {
  log('(i) hub RSS under sustained signed webhooks…');
  results.memory = await hubMemory(quick ? { deliveries: 20_000, step: 5_000 } : {});
  const m = results.memory;
  log(`(i) RSS ${m.baseline.rssMiB.toFixed(0)} MiB after ${m.baseline.deliveries}, ${m.last.rssMiB.toFixed(0)} MiB after ${m.last.deliveries} (×${m.ratio.toFixed(2)})`);
}
if (selected.has('j')) {
  log(`(j) GET /v1/analytics/summary over ${quick ? '100,000 members and 1,000,000' : '1,000,000 members and 10,000,000'} transfers (seeding first)…`);
  results.analytics = await analyticsSummary(quick ? { members: 100_000, transfers: 1_000_000, samples: 50 } : {}, log);
}

if (selected.has('k')) {
  log(`(k) loyalty-hub import of a ${quick ? '50,000' : '1,000,000'}-row CSV file on SQLite…`);
  const k = (results.csvImport = await csvImport(quick ? { rows: 50_000 } : {}, log));
  log(`(k) ${k.seconds.toFixed(1)} s, ${k.perSecond.toFixed(0)} rows/s, ${k.cpuSeconds.toFixed(1)} CPU s (target < 60 s for 1M); second run ${k.secondRunSeconds.toFixed(1)} s; checks ${k.checks.ok ? 'ok' : 'FAILED'}`);
}

if (selected.has('l')) {
  log(`(l) console pages over ${quick ? '100,000 members and 1,000,000' : '1,000,000 members and 10,000,000'} transfers (seeding first)…`);
  results.consolePages = await consolePages(quick ? { members: 100_000, transfers: 1_000_000, historyLines: 10_000, samples: 50 } : {}, log);
}

results.loadAverageAfter = os.loadavg();
results.totalSeconds = (performance.now() - started) / 1000;
const command = `npm run bench${full ? '' : ` -- ${quick ? '--quick ' : ''}${values.only ? `--only ${values.only}` : ''}`.trimEnd()}`;
const report = renderReport(results, command);

const resultsDir = `${repoRoot}bench/results`;
mkdirSync(resultsDir, { recursive: true });
const name = results.machine.date.replaceAll(':', '-').replace(/\..*/, '');
writeFileSync(`${resultsDir}/${name}.json`, JSON.stringify(results, null, 2) + '\n');
writeFileSync(`${resultsDir}/latest.md`, report + '\n');
if (full) {
  mkdirSync(`${repoRoot}docs`, { recursive: true });
  writeFileSync(`${repoRoot}docs/BENCHMARKS.md`, report + '\n');
  log(`wrote docs/BENCHMARKS.md and bench/results/${name}.json`);
} else {
  console.log('\n' + report);
  log(`partial or quick run: docs/BENCHMARKS.md left alone; see bench/results/latest.md`);
}
clearTimeout(watchdog);
