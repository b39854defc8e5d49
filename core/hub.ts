/**
 * Assembles a hub from its environment: storage (migrated), the bootstrap admin key, the
 * ledger, connectors' status and the HTTP app. `serve` adds a listener and the scheduler; tests
 * call `createHub` and then `app.request()` in-process.
 */
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { maxBodyBytesFrom } from './api/body-limit.js';
import { createApp } from './app.js';
import { ApiKeyVerifier, ensureAdminKey } from './auth/api-keys.js';
import { ensureAggregates } from './analytics/backfill.js';
import { createWriteBoundary, type Commit } from './commit/commit.js';
import { createConnectorJobs, type ConnectorJobs } from './connectors/connector-jobs.js';
import { connectorState } from './connectors/connector-state.js';
import { connectorStatus, type ConnectorDefinition, type ConnectorStatus, type InboundHandler, type InboundServices } from './connectors/definition.js';
import { discoverConnectors } from './connectors/discover.js';
import { withRecipes } from './connectors/recipe.js';
import { Ledger } from './ledger/index.js';
import { storePlatforms } from './rewards/store-code-router.js';
import type { Program } from './program/compiled-program.js';
import { DEFAULT_PROGRAM_PATH, loadProgramFile } from './program/load-program.js';
import { createNotifications, deliveryTimeoutFromEnv, type Notifications } from './outbox/notifications.js';
import { allowPrivateFromEnv } from './outbound/address-policy.js';
import { systemResolver, type HostResolver, type OutboundTargets } from './outbound/guarded-request.js';
import { consoleSecretFromEnv } from './console/session.js';
import { readOnlyFromEnv } from './mappings/mapping-files.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { DEFAULT_DATABASE_URL, openStore } from './storage/open-store.js';
import type { Store } from './storage/store.js';

export type HubEnv = Record<string, string | undefined>;

export interface Hub {
  app: ReturnType<typeof createApp>;
  store: Store;
  /** The write boundary: every write is `commit(actor, async (w) => …)` (docs/architecture.md). */
  commit: Commit;
  /** The hub's clock (tests set it). */
  clock: () => number;
  ledger: Ledger;
  metrics: Metrics;
  logger: Logger;
  connectors: ConnectorStatus[];
  notifications: Notifications;
  program: Program;
  /** Enabled connectors' scheduled work, run by the scheduler (core/connectors/connector-jobs.ts). */
  connectorJobs: ConnectorJobs;
  /** Set when no admin key existed and none was configured: print it once, it is not stored. */
  generatedAdminKey?: string;
  close(): Promise<void>;
}

export interface HubOptions {
  env?: HubEnv;
  clock?: () => number;
  logger?: Logger;
  processMetrics?: boolean;
  /** Connector definitions to use instead of discovering `connectors/`. */
  connectors?: ConnectorDefinition[];
  /** The program to run instead of loading `LOYALTY_CONFIG` / config/program.yaml. */
  program?: Program;
  /** How outbound webhook host names are resolved (the system's DNS by default; tests inject one). */
  resolveHost?: HostResolver;
}

export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export async function createHub(options: HubOptions = {}): Promise<Hub> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? createLogger({ level: (env.LOG_LEVEL as 'info' | undefined) ?? 'info' });
  // A broken program is a start-up error naming file, line, rule and field, before anything opens.
  const program = options.program ?? loadProgramFile(env.LOYALTY_CONFIG || DEFAULT_PROGRAM_PATH);
  const maxBodyBytes = maxBodyBytesFrom(env);
  // Outbound settings are start-up errors too (docs/operating.md): a bad value names its variable.
  const deliveryTimeoutMs = deliveryTimeoutFromEnv(env.DELIVERY_TIMEOUT);
  const consoleSessionSecret = consoleSecretFromEnv(env.CONSOLE_SESSION_SECRET);
  const mappingsReadOnly = readOnlyFromEnv(env.LOYALTY_MAPPINGS_READONLY);
  const outbound: OutboundTargets = {
    policy: { allowPrivate: allowPrivateFromEnv(env.WEBHOOK_ALLOW_PRIVATE) },
    resolve: options.resolveHost ?? systemResolver,
  };
  const store = await openStore(env.DATABASE_URL || DEFAULT_DATABASE_URL);
  try {
    // The program's thresholds are announced by every write, whatever path raised the balance (docs/program.md, "Thresholds");
    // its time zone is the one the analytics aggregates count days in (docs/architecture.md, "Analytics aggregates").
    const boundary = createWriteBoundary(store, clock, { thresholds: program.thresholds, timeZone: program.timeZone });
    const { commit } = boundary;
    // The analytics aggregates of a database written before them, or under another time zone (core/analytics/backfill.ts).
    await ensureAggregates(store, commit, program.timeZone);
    const { generated } = await ensureAdminKey(store, commit, env.ADMIN_API_KEY || undefined);
    const metrics = createMetrics({ processMetrics: options.processMetrics });
    // Recipes (docs/recipes.md): the shipped ones beside discovered connectors, LOYALTY_RECIPES' always; a bad one stops the start.
    const definitions = withRecipes(options.connectors ?? (await discoverConnectors()), env, { shipped: !options.connectors });
    const connectors = definitions.map((d) => connectorStatus(d, env));
    const notifications = await createNotifications({
      store,
      commit,
      definitions,
      env,
      logger,
      clock,
      onAttempt: (adapter, outcome, ms) => metrics.deliveryAttempts.observe({ adapter, outcome }, ms / 1000),
      deliveryTimeoutMs,
      outbound,
    });
    // After every commit: metrics, and the dispatcher woken for any event it emitted — ledger
    // lines, alerts, scheduled notices and voucher use alike (docs/architecture.md).
    boundary.onCommitted(({ posted, emitted }) => {
      for (const p of posted) metrics.ledgerWrites.inc({ kind: p.transfer.kind, outcome: p.duplicate ? 'duplicate' : 'applied' });
      if (emitted > 0) notifications.dispatcher.nudge();
    });
    const ledger = new Ledger(store, commit, clock);
    const verifier = new ApiKeyVerifier(store.db);
    const inbound = new Map<string, InboundHandler>();
    const connectorRoutes = new Map<string, Hono>();
    const services = new Map<string, InboundServices>();
    for (const def of definitions) {
      if (!connectors.find((s) => s.name === def.name)?.enabled) continue;
      const own = { logger, publicUrl: env.PUBLIC_URL || undefined, state: connectorState(store, commit, def.name) };
      services.set(def.name, own);
      if (def.createInbound) inbound.set(def.name, def.createInbound(env, own));
      if (def.createRoutes) connectorRoutes.set(def.name, def.createRoutes(env, own));
    }
    const connectorJobs = createConnectorJobs(definitions, env, (def) => services.get(def.name), logger);
    const app = createApp({
      store,
      commit,
      ledger,
      clock,
      program,
      storePlatforms: storePlatforms(definitions),
      verifier,
      metrics,
      logger,
      connectors,
      inbound,
      connectorRoutes,
      publicUrl: env.PUBLIC_URL || undefined,
      maxBodyBytes,
      version,
      onWebhookEndpointsChanged: notifications.refreshRouters,
      onDeliveryQueued: () => notifications.dispatcher.nudge(),
      outbound,
      consoleSessionSecret,
      mappings: {
        dir: notifications.mappingsDir,
        adapters: notifications.mappingAdapters,
        watcher: notifications.mappings,
        enabledAdapters: new Set(notifications.adapters.keys()),
        readOnly: mappingsReadOnly,
      },
    });
    return {
      app,
      store,
      commit,
      clock,
      ledger,
      metrics,
      logger,
      connectors,
      notifications,
      program,
      connectorJobs,
      generatedAdminKey: generated,
      close: async () => {
        await notifications.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
