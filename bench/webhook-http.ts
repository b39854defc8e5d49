/**
 * Signed Shopify `orders/paid` webhooks end to end at 50 concurrent connections: the real hub
 * (`loyalty-hub serve`, its own process, the Shopify connector verifying the HMAC, the inbox,
 * the rules engine and the ledger in one transaction per delivery) next to a bare Hono handler
 * doing the same HMAC check and ONE insert (bare-webhook-server.ts). Every request is a new
 * order (its own id, event id and signature) from one of 1,000 customers, built from Shopify's
 * own sample payload and signed as Shopify signs. Both servers are warmed up, then measured
 * alternately (bare, hub, bare, hub, …); figures are medians of the runs. The targets:
 * the hub at ≥ 50 % of the bare handler's throughput, p99 < 50 ms.
 */
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, startServer, type Server } from './processes.js';
import { median } from './stats.js';
import { tempDir } from './temp-dir.js';

export const WEBHOOK_RATIO_TARGET = 0.5;
export const WEBHOOK_P99_TARGET_MS = 50;
export const SECRET = 'bench-shopify-app-secret';
export const API_KEY = 'bench-admin-key-0123456789abcdef';

export interface WebhookRun {
  server: 'bare' | 'hub';
  label: string;
  warmup: boolean;
  perSecond: number;
  p50: number;
  p99: number;
  statusCodes: Record<string, number>;
  errors: number;
}

export interface WebhookHttpResult {
  connections: number;
  customers: number;
  runSeconds: number;
  runs: WebhookRun[];
  bare: { perSecond: number; p99: number };
  hub: { perSecond: number; p99: number; worstP99: number };
  ratio: number;
  pairRatios: number[];
  check: { hubAccepted: number; hubInbox: number; hubEarnTransfers: number; hubOrders: number; bareRows: number; non2xx: number };
}

const sample = readFileSync(fileURLToPath(new URL('../tests/fixtures/platform-samples/shopify/order_paid_with_customer.json', import.meta.url)), 'utf8');

/** The n-th order: Shopify's sample with its own order id and one of `customers` customers. */
function orderBody(tag: string, n: number, customers: number): string {
  const order = JSON.parse(sample) as Record<string, unknown> & { customer: Record<string, unknown> };
  const c = n % customers;
  order.id = 7_000_000_000_000 + n;
  order.name = `#${tag}-${n}`;
  order.email = `bench-${c}@example.com`;
  order.customer = { ...order.customer, id: 9_000_000 + c, email: `bench-${c}@example.com` };
  return JSON.stringify(order);
}

/** Each run numbers its orders from its own base, so no run repeats another's order ids. */
let nextBase = 0;

/**
 * Signed `orders/paid` deliveries to `url` at `connections` concurrent connections, for `seconds`
 * or — with `amount` — until that many requests were answered.
 */
export async function load(url: string, label: string, seconds: number, connections: number, customers: number, amount?: number) {
  const base = (nextBase += 10_000_000);
  let n = base;
  const r = await autocannon({
    url,
    connections,
    pipelining: 1,
    duration: seconds,
    ...(amount ? { amount } : {}),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/shopify',
        setupRequest: (request) => {
          const i = n++;
          const body = orderBody(label, i, customers);
          return {
            ...request,
            body,
            headers: {
              'content-type': 'application/json',
              'x-shopify-topic': 'orders/paid',
              'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
              'x-shopify-shop-domain': 'bench.myshopify.com',
              'x-shopify-api-version': '2025-07',
              'x-shopify-webhook-id': `wh-${label}-${i}`,
              'x-shopify-event-id': `ev-${label}-${i}`,
            },
          };
        },
      },
    ],
  });
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count]));
  const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return { perSecond: responses / r.duration, p50: r.latency.p50, p99: r.latency.p99, statusCodes, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

export async function webhookHttp(options: { connections?: number; customers?: number; warmupSeconds?: number; runSeconds?: number; runs?: number } = {}): Promise<WebhookHttpResult> {
  const connections = options.connections ?? 50;
  const customers = options.customers ?? 1_000;
  const warmupSeconds = options.warmupSeconds ?? 3;
  const runSeconds = options.runSeconds ?? 8;
  const runCount = options.runs ?? 3;
  const tmp = tempDir('webhook');
  const hubDb = tmp.file('hub.db');
  const bareDb = tmp.file('bare.db');
  const servers: Server[] = [];
  try {
    const [barePort, hubPort] = [await freePort(), await freePort()];
    const bare = await startServer('bare webhook server', ['--import', 'tsx', 'bench/bare-webhook-server.ts'], { PORT: String(barePort), BARE_DB: bareDb, BARE_SECRET: SECRET }, barePort);
    servers.push(bare);
    const hub = await startServer(
      'hub',
      ['--import', './bench/loopback-only.mjs', 'bin/loyalty-hub.mjs', 'serve', '--port', String(hubPort)],
      { DATABASE_URL: hubDb, ADMIN_API_KEY: API_KEY, SHOPIFY_API_SECRET: SECRET, LOYALTY_MAPPINGS: tmp.file('no-mappings') },
      hubPort,
    );
    servers.push(hub);
    const runs: WebhookRun[] = [];
    let non2xx = 0;
    const order: ['bare' | 'hub', Server][] = [
      ['bare', bare],
      ['hub', hub],
    ];
    const measure = async (server: 'bare' | 'hub', target: Server, label: string, seconds: number, warmup: boolean) => {
      const r = await load(target.url, label, seconds, connections, customers);
      non2xx += r.non2xx;
      runs.push({ server, label, warmup, perSecond: r.perSecond, p50: r.p50, p99: r.p99, statusCodes: r.statusCodes, errors: r.errors });
    };
    for (const [kind, target] of order) await measure(kind, target, `warmup-${kind}`, warmupSeconds, true);
    for (let i = 0; i < runCount; i++) for (const [kind, target] of order) await measure(kind, target, `${kind}-${i + 1}`, runSeconds, false);
    for (const server of servers) await server.stop();

    const measured = (kind: 'bare' | 'hub') => runs.filter((r) => r.server === kind && !r.warmup);
    const [bareRuns, hubRuns] = [measured('bare'), measured('hub')];
    const count = (file: string, sql: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare(sql).get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const hubAll = runs.filter((r) => r.server === 'hub');
    return {
      connections,
      customers,
      runSeconds,
      runs,
      bare: { perSecond: median(bareRuns.map((r) => r.perSecond)), p99: median(bareRuns.map((r) => r.p99)) },
      hub: { perSecond: median(hubRuns.map((r) => r.perSecond)), p99: median(hubRuns.map((r) => r.p99)), worstP99: Math.max(...hubRuns.map((r) => r.p99)) },
      ratio: median(hubRuns.map((r) => r.perSecond)) / median(bareRuns.map((r) => r.perSecond)),
      pairRatios: hubRuns.map((h, i) => h.perSecond / bareRuns[i]!.perSecond),
      check: {
        hubAccepted: hubAll.reduce((a, r) => a + (r.statusCodes['200'] ?? 0), 0),
        hubInbox: count(hubDb, "SELECT count(*) AS n FROM inbox WHERE status = 'accepted'"),
        hubEarnTransfers: count(hubDb, "SELECT count(*) AS n FROM transfers WHERE kind = 'earn' AND event_id LIKE 'shopify:order:%'"),
        hubOrders: count(hubDb, 'SELECT count(*) AS n FROM orders'),
        bareRows: count(bareDb, 'SELECT count(*) AS n FROM deliveries'),
        non2xx,
      },
    };
  } finally {
    for (const server of servers) await server.stop();
    tmp.remove();
  }
}

// Run on its own: npx tsx bench/webhook-http.ts
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const r = await webhookHttp(quick ? { warmupSeconds: 1, runSeconds: 3, runs: 1 } : {});
  console.log(JSON.stringify({ ...r, runs: r.runs.map(({ statusCodes, ...x }) => ({ ...x, statusCodes })) }, null, 2));
}
