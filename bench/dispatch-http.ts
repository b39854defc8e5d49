/**
 * (e) Dispatcher deliveries per second against a local HTTP stub: loyalty events made by the real
 * ledger (every earn emits `points.earned`) on a SQLite file, routed by the real `Dispatcher` and
 * sent through the real adapters to `bench/http-stub.ts`, a node:http server in its own process on
 * 127.0.0.1 that answers 200 at once and notes which delivery each request carried.
 *
 * Four measured phases, one after the other, each on fresh events: the signed `webhook` adapter
 * (one endpoint made with `createWebhookEndpoint`, routed by the connector's endpoint router) and
 * the Slack adapter (`SLACK_API_URL` at the stub), each with 8 (the dispatcher's default) and 32
 * concurrent sends. Per phase: the events are earned (not measured), `route()` is timed (deliveries
 * created per second), then `deliverDue()` is called until it finds nothing due (deliveries per
 * second). Attempt latency comes from the `delivery_attempts` table; the check compares the
 * `deliveries` rows with what the stub received.
 */
import { connectorState } from '../core/connectors/connector-state.js';
import Database from 'better-sqlite3';
import slack from '../connectors/slack/index.js';
import webhook from '../connectors/webhook/index.js';
import { createEndpointRouter, type EndpointRouter } from '../connectors/webhook/endpoint-router.js';
import { createWriteBoundary } from '../core/commit/commit.js';
import { earn } from '../core/ledger/index.js';
import { enrollMember } from '../core/members/members.js';
import type { Logger } from '../core/observability/logger.js';
import type { OutboundAdapter } from '../core/outbound/adapter.js';
import { createWebhookEndpoint, disableWebhookEndpoint } from '../core/outbound/webhook-endpoints.js';
import { DEFAULT_OUTBOUND } from '../core/outbound/guarded-request.js';
import { Dispatcher } from '../core/outbox/dispatcher.js';
import type { Router } from '../core/outbox/routes.js';
import { openStore } from '../core/storage/open-store.js';
import type { Store } from '../core/storage/store.js';
import { freePort, startServer, type Server } from './processes.js';
import { percentile } from './stats.js';
import { tempDir } from './temp-dir.js';

export type DispatchAdapterKind = 'webhook' | 'slack';

export interface DispatchPhaseResult {
  label: string;
  adapter: DispatchAdapterKind;
  concurrency: number;
  /** `points.earned` events made for this phase (one earn each, 100 earns per ledger transaction). */
  events: number;
  produceSeconds: number;
  /** `route()`: events read, routed and marked, deliveries inserted (200 events per transaction). */
  routing: { deliveries: number; seconds: number; perSecond: number };
  /** `deliverDue()` called until it returned 0 (or the phase's time limit). */
  delivery: { attempts: number; seconds: number; perSecond: number; passes: number; complete: boolean };
  /** Attempt latency as the dispatcher records it (`delivery_attempts.latency_ms`, whole ms). */
  latency: { n: number; p50: number; p99: number; max: number; mean: number };
  /** Where the delivery loop's time went, over its wall time. */
  time: {
    /** Mean number of `adapter.send()` calls in flight (Σ send time / wall time), out of `concurrency`. */
    sendsInFlight: number;
    /** CPU time of the benchmark process (dispatcher, SQLite, HTTP client) / wall time, in cores. */
    dispatcherCpu: number;
    /** CPU time of the stub process / wall time, in cores. */
    stubCpu: number;
  };
  check: {
    statuses: Record<string, number>;
    outcomes: Record<string, number>;
    stubRequests: number;
    /** Deliveries the stub received exactly once. */
    receivedOnce: number;
    duplicates: number;
    missing: number;
    unknown: number;
    withoutId: number;
    warnings: number;
    firstWarning: string | null;
    ok: boolean;
  };
}

export interface DispatchHttpResult {
  members: number;
  eventsPerPhase: number;
  warmupEvents: number;
  /** `deliverDue()`'s claim limit (its default), `route()`'s batch (its default). */
  claimLimit: number;
  routeBatch: number;
  phaseLimitSeconds: number;
  totalLimitSeconds: number;
  phases: DispatchPhaseResult[];
  /** Phases not run because an earlier one hit a time limit. */
  skipped: string[];
  totalSeconds: number;
}

export interface DispatchHttpOptions {
  members?: number;
  eventsPerPhase?: number;
  warmupEvents?: number;
  /** Time limit of each phase's delivery loop; a phase that hits it ends the benchmark. */
  phaseLimitSeconds?: number;
  /** Time limit of the whole benchmark: a delivery loop still running then stops, and with it the benchmark. */
  totalLimitSeconds?: number;
}

export const DISPATCH_PHASES: { adapter: DispatchAdapterKind; concurrency: number }[] = [
  { adapter: 'webhook', concurrency: 8 },
  { adapter: 'webhook', concurrency: 32 },
  { adapter: 'slack', concurrency: 8 },
  { adapter: 'slack', concurrency: 32 },
];

const CLAIM_LIMIT = 200;
const ROUTE_BATCH = 200;
const EARN_BATCH = 100;
const why = { source: 'api', actor: 'bench' } as const;

/** A logger that counts what the dispatcher complains about (lost leases, failed attempts). */
function countingLogger() {
  let count = 0;
  let first: string | null = null;
  const note = (msg: string, fields?: Record<string, unknown>) => {
    count++;
    first ??= `${msg} ${JSON.stringify(fields ?? {})}`;
  };
  const logger: Logger = { debug() {}, info() {}, warn: note, error: note };
  return { logger, count: () => count, first: () => first };
}

/** The adapter, timing its sends. */
function timedAdapter(adapter: OutboundAdapter) {
  let sendMs = 0;
  const timed: OutboundAdapter = {
    ...adapter,
    async send(options, context) {
      const t = performance.now();
      try {
        return await adapter.send(options, context);
      } finally {
        sendMs += performance.now() - t;
      }
    },
  };
  return { adapter: timed, sendMs: () => sendMs };
}

interface StubStats {
  requests: number;
  ids: string[];
  withoutId: number;
  cpuMicros: number;
}

async function stubStats(stub: Server, phase: string): Promise<StubStats> {
  const res = await fetch(`${stub.url}/__stats?phase=${encodeURIComponent(phase)}`);
  if (!res.ok) throw new Error(`http stub: /__stats answered ${res.status}`);
  return (await res.json()) as StubStats;
}

const countBy = (rows: { key: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.key, r.n]));

export async function dispatchHttp(options: DispatchHttpOptions = {}): Promise<DispatchHttpResult> {
  const started = performance.now();
  const memberCount = options.members ?? 1_000;
  const eventsPerPhase = options.eventsPerPhase ?? 10_000;
  const warmupEvents = options.warmupEvents ?? 1_000;
  const phaseLimitSeconds = options.phaseLimitSeconds ?? 30;
  const totalLimitSeconds = options.totalLimitSeconds ?? 150;
  const endOfBudget = started + totalLimitSeconds * 1000;
  const tmp = tempDir('dispatch');
  const file = tmp.file('dispatch.db');
  const stubPort = await freePort();
  let stub: Server | undefined;
  let store: Store | undefined;
  let check: Database.Database | undefined;
  let endpoints: EndpointRouter | undefined;
  try {
    stub = await startServer('http stub', ['--import', 'tsx', 'bench/http-stub.ts'], { PORT: String(stubPort) }, stubPort);
    store = await openStore(file);
    const { commit } = createWriteBoundary(store);
    const members = await commit('bench', async (w) => {
      const ids: string[] = [];
      for (let i = 0; i < memberCount; i++) {
        ids.push((await enrollMember(w, { firstName: `Member${i}`, email: `member${i}@bench.example`, consentEmail: true })).id);
      }
      return ids;
    });
    // The enrolments' member.enrolled events are routed (to nothing) before the phases start.
    await new Dispatcher({ store, commit, router: () => () => [], adapters: new Map(), logger: countingLogger().logger }).route();
    check = new Database(file, { readonly: true });

    endpoints = createEndpointRouter(store, { refreshMs: 0 });
    await endpoints.refresh();
    // The stub listens on 127.0.0.1, which the outbound address policy refuses by default
    // (docs/security.md, "Outbound requests"): the benchmark runs with the development allowance,
    // as `WEBHOOK_ALLOW_PRIVATE=true` gives the hub.
    const webhookAdapter = webhook.createAdapter({}, { store, commit, state: connectorState(store, commit, 'webhook'), outbound: { ...DEFAULT_OUTBOUND, policy: { allowPrivate: true } } });
    let key = 0;
    let member = 0;

    /** `n` earns through the ledger, 100 per transaction, each emitting one points.earned. */
    async function produce(n: number): Promise<number> {
      const t = performance.now();
      for (let done = 0; done < n; done += EARN_BATCH) {
        const size = Math.min(EARN_BATCH, n - done);
        await commit('bench', async (w) => {
          for (let j = 0; j < size; j++) {
            await w.post(earn, { memberId: members[member++ % members.length]!, points: 10 + (key % 90), idempotencyKey: `bench-e:${key++}`, why });
          }
        });
      }
      return (performance.now() - t) / 1000;
    }

    async function phase(label: string, kind: DispatchAdapterKind, concurrency: number, events: number): Promise<DispatchPhaseResult> {
      let route: string;
      let router: Router;
      let adapter: OutboundAdapter;
      let endpointId: string | undefined;
      if (kind === 'webhook') {
        const { endpoint } = await createWebhookEndpoint({ store: store!, commit }, {
          url: `${stub!.url}/${label}/hooks`,
          description: `benchmark (e) ${label}`,
          eventTypes: ['points.earned'],
        });
        endpointId = endpoint.id;
        route = `endpoint:${endpoint.id}`;
        router = endpoints!.router;
        adapter = webhookAdapter;
      } else {
        route = `mapping:bench-${label}#0`;
        router = (event, m) =>
          event.type === 'points.earned'
            ? [
                {
                  route,
                  adapter: 'slack',
                  options: { channel: '#loyalty-bench', text: `${m?.firstName ?? 'A member'} earned ${event.data.points} points (balance ${event.data.balance?.available})` },
                },
              ]
            : [];
        adapter = slack.createAdapter({ SLACK_BOT_TOKEN: 'xoxb-bench-not-a-real-token', SLACK_API_URL: `${stub!.url}/${label}` });
      }
      const log = countingLogger();
      const ta = timedAdapter(adapter);
      const dispatcher = new Dispatcher({ store: store!, commit, router: () => router, adapters: new Map([[kind, ta.adapter]]), logger: log.logger, concurrency });

      const produceSeconds = await produce(events);

      let t = performance.now();
      const created = await dispatcher.route(ROUTE_BATCH);
      const routeSeconds = (performance.now() - t) / 1000;

      const stubBefore = (await stubStats(stub!, '')).cpuMicros;
      const cpuBefore = process.cpuUsage();
      t = performance.now();
      const deadline = Math.min(t + phaseLimitSeconds * 1000, endOfBudget);
      let attempts = 0;
      let passes = 0;
      let complete = false;
      while (performance.now() < deadline) {
        passes++;
        const n = await dispatcher.deliverDue(CLAIM_LIMIT);
        if (n === 0) {
          complete = true;
          break;
        }
        attempts += n;
      }
      const deliverSeconds = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const received = await stubStats(stub!, label);
      if (endpointId) await disableWebhookEndpoint({ store: store!, commit }, endpointId, 'benchmark phase over');

      const statuses = countBy(check!.prepare('SELECT status AS key, count(*) AS n FROM deliveries WHERE route = ? GROUP BY status').all(route) as { key: string; n: number }[]);
      const attemptRows = check!
        .prepare('SELECT a.latency_ms AS ms, a.outcome AS outcome FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.route = ?')
        .all(route) as { ms: number; outcome: string }[];
      const outcomes: Record<string, number> = {};
      for (const a of attemptRows) outcomes[a.outcome] = (outcomes[a.outcome] ?? 0) + 1;
      const latencies = attemptRows.map((a) => a.ms).sort((a, b) => a - b);
      const ids = new Set((check!.prepare('SELECT id FROM deliveries WHERE route = ?').all(route) as { id: string }[]).map((r) => r.id));
      const seen = new Map<string, number>();
      for (const id of received.ids) seen.set(id, (seen.get(id) ?? 0) + 1);
      let receivedOnce = 0;
      let duplicates = 0;
      let unknown = 0;
      for (const [id, n] of seen) {
        if (!ids.has(id)) unknown += n;
        else if (n === 1) receivedOnce++;
        if (n > 1) duplicates += n - 1;
      }
      const missing = [...ids].filter((id) => !seen.has(id)).length;
      const delivered = statuses.delivered ?? 0;
      const ok =
        complete &&
        created === events &&
        ids.size === events &&
        delivered === events &&
        attemptRows.length === events &&
        outcomes.delivered === events &&
        received.requests === events &&
        receivedOnce === events &&
        duplicates === 0 &&
        missing === 0 &&
        unknown === 0 &&
        received.withoutId === 0 &&
        log.count() === 0;

      return {
        label,
        adapter: kind,
        concurrency,
        events,
        produceSeconds,
        routing: { deliveries: created, seconds: routeSeconds, perSecond: created / routeSeconds },
        delivery: { attempts, seconds: deliverSeconds, perSecond: attempts / deliverSeconds, passes, complete },
        latency: {
          n: latencies.length,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          max: latencies.at(-1) ?? Number.NaN,
          mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
        },
        time: {
          sendsInFlight: ta.sendMs() / 1000 / deliverSeconds,
          dispatcherCpu: (cpu.user + cpu.system) / 1e6 / deliverSeconds,
          stubCpu: (received.cpuMicros - stubBefore) / 1e6 / deliverSeconds,
        },
        check: {
          statuses,
          outcomes,
          stubRequests: received.requests,
          receivedOnce,
          duplicates,
          missing,
          unknown,
          withoutId: received.withoutId,
          warnings: log.count(),
          firstWarning: log.first(),
          ok,
        },
      };
    }

    // Warm-up (JIT, statement caches, connections): a short phase per adapter, not reported.
    if (warmupEvents > 0) {
      for (const kind of ['webhook', 'slack'] as const) {
        const w = await phase(`warmup-${kind}`, kind, 8, warmupEvents);
        if (!w.delivery.complete) throw new Error(`(e) the warm-up of ${kind} did not finish in time`);
      }
    }

    const phases: DispatchPhaseResult[] = [];
    const skipped: string[] = [];
    for (const p of DISPATCH_PHASES) {
      const label = `${p.adapter}-c${p.concurrency}`;
      // A phase that hit its limit leaves deliveries pending, which the next one would claim.
      if (phases.some((r) => !r.delivery.complete)) {
        skipped.push(label);
        continue;
      }
      phases.push(await phase(label, p.adapter, p.concurrency, eventsPerPhase));
    }
    return {
      members: memberCount,
      eventsPerPhase,
      warmupEvents,
      claimLimit: CLAIM_LIMIT,
      routeBatch: ROUTE_BATCH,
      phaseLimitSeconds,
      totalLimitSeconds,
      phases,
      skipped,
      totalSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    endpoints?.close();
    check?.close();
    await store?.close();
    await stub?.stop();
    tmp.remove();
  }
}
