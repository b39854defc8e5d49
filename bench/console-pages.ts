/**
 * (l) The console's pages on a big program (docs/console.md; issue 19: every page answers in
 * < 200 ms with 1M members and 10M transfers). The program is (j)'s: 1,000,000 members and their
 * transfers over two years with the analytics aggregates, seeded by `seedAnalytics`
 * (bench/analytics-summary.ts), plus one member with a long earn history of its own — transfers,
 * lots and movements, by `seedEarnHistory` (bench/seed-history.ts) — so a member page has
 * something to page through; 10,000,000 transfers in all. Then a hub on that file signs in to the
 * console in process (`POST /console/sign-in` with an admin key, as a browser does) and GETs each
 * page of `CONSOLE_PAGES` with the session cookie: median and p99 over many requests.
 *
 * `CONSOLE_PAGES` is data: a section adds its pages as `{ label, path }`, the path may name
 * `{memberId}` (the long-history member), `{rewardId}`, `{today}`, `{monthAgo}` and `{yearAgo}`
 * (dates in the program's time zone, UTC here).
 */
import { statSync } from 'node:fs';
import { createHub } from '../core/hub.js';
import { silentLogger } from '../core/observability/logger.js';
import { openStore } from '../core/storage/open-store.js';
import { benchMemberId, rewardId, seedAnalytics } from './analytics-summary.js';
import { seedEarnHistory } from './seed-history.js';
import { passFail, summarize as stats, type Summary } from './stats.js';
import { tempDir } from './temp-dir.js';

export const CONSOLE_TARGET_MS = 200;
const DAY_MS = 86_400_000;
const ADMIN_KEY = 'bench-console-admin-key-0123456789';

export interface ConsolePage {
  /** What a person is looking at, for the report. */
  label: string;
  /** The console address, placeholders in braces (see above). */
  path: string;
}

/** The pages timed, in the order of the console's navigation (core/console/nav.ts). */
export const CONSOLE_PAGES: ConsolePage[] = [
  { label: 'sign-in form', path: '/console/sign-in' },
  { label: 'overview, the last 30 days by day (the default, where sign-in lands)', path: '/console/overview' },
  { label: 'overview, a month by day', path: '/console/overview?from={monthAgo}&to={today}&groupBy=day' },
  { label: 'overview, a year by month', path: '/console/overview?from={yearAgo}&to={today}&groupBy=month' },
  { label: 'members, the first page of all', path: '/console/members' },
  { label: 'members, search by id', path: '/console/members?q={memberId}' },
  { label: 'a member page (100k ledger lines, every section)', path: '/console/members/{memberId}' },
  { label: 'inbox, received and refused webhooks', path: '/console/inbox' },
  { label: 'deliveries, newest first', path: '/console/deliveries' },
  { label: 'connector health', path: '/console/deliveries/connectors' },
  { label: 'mappings, the shipped files with their state', path: '/console/mappings' },
  { label: 'a mapping in the editor', path: '/console/mappings/points-earned-email.yaml' },
  { label: 'rewards, the catalog', path: '/console/rewards' },
  { label: 'a reward page', path: '/console/rewards/{rewardId}' },
  { label: 'settings: API keys and webhook endpoints', path: '/console/settings' },
];

export interface ConsolePageResult {
  label: string;
  path: string;
  samples: number;
  bytes: number;
  latency: Summary;
}

export interface ConsolePagesResult {
  members: number;
  transfers: number;
  historyLines: number;
  seedSeconds: number;
  databaseMiB: number;
  pages: ConsolePageResult[];
}

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

export async function consolePages(
  options: { members?: number; transfers?: number; historyLines?: number; samples?: number } = {},
  log: (msg: string) => void = () => {},
): Promise<ConsolePagesResult> {
  const members = options.members ?? 1_000_000;
  const transfers = options.transfers ?? 10_000_000;
  const historyLines = options.historyLines ?? 100_000;
  const samples = options.samples ?? 200;
  const tmp = tempDir('console-pages');
  try {
    const file = tmp.file('console.db');
    await (await openStore(file)).close();
    const endAt = Date.UTC(2026, 10, 30, 12);
    const seeded = seedAnalytics(file, { members, transfers: transfers - historyLines, endAt });
    const memberId = benchMemberId(0);
    const history = seedEarnHistory(file, { memberId, count: historyLines, endAt: endAt - DAY_MS, stepMs: 60_000, tag: 'console' });
    const seedSeconds = seeded.seconds + history.seconds;
    const lines = seeded.lines + historyLines;
    log(`(l) seeded ${members.toLocaleString('en-US')} members and ${lines.toLocaleString('en-US')} transfers (${historyLines.toLocaleString('en-US')} of them one member's) in ${seedSeconds.toFixed(1)} s`);
    const databaseMiB = statSync(file).size / 2 ** 20;

    const hub = await createHub({ logger: silentLogger, connectors: [], clock: () => endAt, env: { DATABASE_URL: file, ADMIN_API_KEY: ADMIN_KEY } });
    try {
      // Signed in as a browser is: the form's POST answers with the session cookie.
      const signIn = await hub.app.request('/console/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
        body: new URLSearchParams({ key: ADMIN_KEY }).toString(),
      });
      const cookie = signIn.headers.get('set-cookie')?.split(';')[0];
      if (signIn.status !== 303 || !cookie) throw new Error(`(l) sign-in answered ${signIn.status}`);

      const values: Record<string, string> = {
        memberId,
        rewardId: rewardId(0),
        today: isoDay(endAt),
        monthAgo: isoDay(endAt - 29 * DAY_MS),
        yearAgo: isoDay(endAt - 364 * DAY_MS),
      };
      const out: ConsolePageResult[] = [];
      for (const page of CONSOLE_PAGES) {
        const path = page.path.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
        const get = async () => {
          const res = await hub.app.request(path, { headers: { cookie } });
          const body = await res.text();
          if (res.status !== 200) throw new Error(`(l) ${page.label}: ${path} answered ${res.status}: ${body.slice(0, 300)}`);
          return body.length;
        };
        for (let i = 0; i < 5; i++) await get(); // warm-up: page cache, statement cache
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < samples; i++) {
          const t0 = performance.now();
          bytes = await get();
          times.push(performance.now() - t0);
        }
        const latency = stats(times);
        out.push({ label: page.label, path, samples, bytes, latency });
        log(`(l) ${page.label}: median ${latency.median.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms (${samples} requests, ${(bytes / 1024).toFixed(0)} KiB)`);
      }
      return { members, transfers: lines, historyLines, seedSeconds, databaseMiB, pages: out };
    } finally {
      await hub.close();
    }
  } finally {
    tmp.remove();
  }
}

/** The summary table's rows for (l) (bench/report.ts): one per page, p99 against the target. */
export function consolePagesRows(r: ConsolePagesResult, row: (...cells: string[]) => string): string[] {
  const size = `${(r.members / 1e6).toFixed(r.members < 1e6 ? 1 : 0)}M members, ${(r.transfers / 1e6).toFixed(r.transfers < 1e6 ? 1 : 0)}M transfers`;
  return r.pages.map((p) =>
    row(`(l) console: ${p.label} (\`GET ${p.path.split('?')[0]}\`), p99 (${size})`, `${p.latency.p99.toFixed(1)} ms (median ${p.latency.median.toFixed(1)} ms)`, `< ${CONSOLE_TARGET_MS} ms`, passFail(p.latency.p99 < CONSOLE_TARGET_MS)),
  );
}

/** The report's section for (l). */
export function consolePagesSection(r: ConsolePagesResult, row: (...cells: string[]) => string): string[] {
  return [
    '',
    '## (l) Console pages on a big program',
    '',
    `Each console page, in process (\`app.request()\` with the session cookie of an admin signed in through \`POST /console/sign-in\`), on (j)'s program:`,
    `a SQLite file of ${r.members.toLocaleString('en-US')} members and ${r.transfers.toLocaleString('en-US')} transfers over two years (${r.databaseMiB.toFixed(0)} MiB), seeded in`,
    `${r.seedSeconds.toFixed(1)} s by \`seedAnalytics\` (bench/analytics-summary.ts) and, for one member, a ${r.historyLines.toLocaleString('en-US')}-line earn history with its`,
    'lots and movements by `seedEarnHistory` (bench/seed-history.ts; those lines are not in the analytics aggregates). The time is the',
    "whole answer: session and key check, the page's calls to the management API, rendering the HTML. Pages are listed in",
    '`CONSOLE_PAGES` (bench/console-pages.ts): a section adds its own there.',
    '',
    row('Page', 'Address', 'Requests', 'Size', 'Median', 'p99', 'Max'),
    row('---', '---', '---:', '---:', '---:', '---:', '---:'),
    ...r.pages.map((p) => row(p.label, `\`${p.path}\``, String(p.samples), `${(p.bytes / 1024).toFixed(0)} KiB`, `${p.latency.median.toFixed(1)} ms`, `${p.latency.p99.toFixed(1)} ms`, `${p.latency.max.toFixed(1)} ms`)),
    '',
    "The overview makes one API call, `GET /v1/analytics/summary`, which reads the daily aggregates ((j)): its cost follows the days",
    'asked for, not the number of members or transfers.',
  ];
}
