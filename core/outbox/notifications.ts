/**
 * Assembles the notification side of a hub: the adapters whose secrets are set, the mapping
 * files (hot-reloaded), the connectors' own routers (signed-webhook subscriptions), and the
 * dispatcher that turns loyalty events into deliveries through all of them.
 */
import { connectorState } from '../connectors/connector-state.js';
import { resolve } from 'node:path';
import { connectorStatus, type ConnectorDefinition, type ConnectorRouter } from '../connectors/definition.js';
import { adapterDescriptors, mappingActionsFor, watchMappings, type AdapterDescriptors, type Mapping, type MappingWatcher } from '../mappings/index.js';
import type { Logger } from '../observability/logger.js';
import type { OutboundAdapter } from '../outbound/adapter.js';
import type { OutboundTargets } from '../outbound/guarded-request.js';
import type { Commit } from '../commit/commit.js';
import type { Store } from '../storage/store.js';
import { storeCodeOptions } from '../rewards/store-code-options.js';
import { createStoreCodeRouter, storeCodeAdapterName, storeCodesMissing } from '../rewards/store-code-router.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import { parseSchedule } from './retry-schedule.js';
import type { Route, Router } from './routes.js';

export interface Notifications {
  dispatcher: Dispatcher;
  adapters: ReadonlyMap<string, OutboundAdapter>;
  mappings: MappingWatcher;
  mappingsDir: string;
  /** Every installed adapter's options schema, configured or not: what mappings are checked against. */
  mappingAdapters: AdapterDescriptors;
  /** Re-read what connector routers depend on (webhook endpoints changed). */
  refreshRouters(): Promise<void>;
  close(): Promise<void>;
}

export async function createNotifications(o: {
  store: Store;
  commit: Commit;
  definitions: readonly ConnectorDefinition[];
  env: Record<string, string | undefined>;
  logger: Logger;
  clock: () => number;
  onAttempt?: DispatcherOptions['onAttempt'];
  /** Per-attempt time limit in ms (DELIVERY_TIMEOUT, parsed by the hub with `deliveryTimeoutFromEnv`). */
  deliveryTimeoutMs?: number;
  /** Where merchant-supplied URLs may go (WEBHOOK_ALLOW_PRIVATE, the resolver). */
  outbound?: OutboundTargets;
}): Promise<Notifications> {
  const { store, commit, definitions, env, logger } = o;
  const adapters = new Map<string, OutboundAdapter>();
  for (const def of definitions) {
    if (!def.createAdapter || !connectorStatus(def, env).enabled) continue;
    const adapter = def.createAdapter(env, { store, commit, outbound: o.outbound, state: connectorState(store, commit, def.name) });
    if (adapter.name !== def.adapter?.name) throw new Error(`connectors/${def.name}: createAdapter built "${adapter.name}" but the definition declares adapter "${def.adapter?.name ?? '(none)'}"`);
    adapters.set(adapter.name, adapter);
  }
  for (const def of definitions) {
    const create = def.capabilities?.storeCodes?.createAdapter;
    if (!create || !connectorStatus(def, env).enabled) continue;
    const adapter = create(env, { store, commit, outbound: o.outbound, state: connectorState(store, commit, def.name) });
    const name = storeCodeAdapterName(def)!;
    if (adapter.name !== name || adapter.options !== storeCodeOptions) {
      throw new Error(`connectors/${def.name}: its store-code adapter must be named "${name}" and take storeCodeOptions (core/rewards/store-code-options.ts)`);
    }
    adapters.set(name, adapter);
  }
  // Mappings are checked against every installed adapter, configured or not, so a mapping for
  // SendGrid is validated before its key is set; it routes only once the adapter is enabled.
  const { adapters: descriptors } = adapterDescriptors([...definitions], env);
  const mappingsDir = resolve(env.LOYALTY_MAPPINGS || 'mappings');
  const mappings = watchMappings(mappingsDir, descriptors, { logger });
  const connectorRouters: ConnectorRouter[] = [
    ...definitions.flatMap((d) => (d.createRouter ? [d.createRouter({ store, commit, logger, env, state: connectorState(store, commit, d.name) })] : [])),
    // Store codes: one router for every connector declaring them (core/rewards/store-code-router.ts).
    createStoreCodeRouter(definitions, env),
  ];
  for (const def of definitions) {
    const missing = def.capabilities?.storeCodes ? storeCodesMissing(def, env) : [];
    if (missing.length && connectorStatus(def, env).enabled) logger.info('store codes are off for a store until its API access is set', { connector: def.name, missing });
  }
  await Promise.all(connectorRouters.map((r) => r.refresh()));

  // Only actions whose adapter is configured are evaluated and rendered; the others are named
  // once in the log. Recomputed whenever a reload hands out a new list.
  let source: readonly Mapping[] | undefined;
  let active: Mapping[] = [];
  const activeMappings = (): Mapping[] => {
    const current = mappings.current();
    if (current === source) return active;
    source = current;
    const idle = new Map<string, Set<string>>(); // disabled adapter → the mappings naming it
    active = current.flatMap((m) => {
      const actions = m.actions.filter((a) => adapters.has(a.adapter.name));
      for (const a of m.actions) {
        if (!adapters.has(a.adapter.name)) idle.set(a.adapter.name, (idle.get(a.adapter.name) ?? new Set()).add(m.name));
      }
      return actions.length ? [{ ...m, actions }] : [];
    });
    // One line per adapter, not per mapping: the shipped mappings on a fresh hub with no adapter
    // configured made about a hundred lines.
    for (const [adapter, names] of idle) {
      const listed = [...names];
      logger.warn('mappings use a disabled adapter; nothing is sent through it until it is configured', {
        adapter,
        mappings: listed.length,
        first: listed.slice(0, 3).join(', ') + (listed.length > 3 ? ', …' : ''),
      });
    }
    return active;
  };
  const mappingRouter: Router = (event, member) => {
    const unbuildable: Route[] = [];
    const routes = mappingActionsFor(activeMappings(), event, { member }, {
      onError: (e) => {
        logger.warn('mapping not applied', { mapping: e.mapping, file: e.file, stage: e.stage, reason: e.reason, eventId: event.id });
        if (e.index !== undefined && e.adapter) {
          unbuildable.push({ route: `mapping:${e.mapping}#${e.index}`, adapter: e.adapter, options: {}, failed: `${e.stage}: ${e.reason}` });
        }
      },
    }).map((a): Route => ({ route: `mapping:${a.mapping}#${a.index}`, adapter: a.adapter, options: a.options }));
    return [...routes, ...unbuildable];
  };
  const router: Router = (event, member) => [mappingRouter(event, member), ...connectorRouters.map((r) => r.router(event, member))].flat();
  const wants = (type: string) => activeMappings().some((m) => m.on === type) || connectorRouters.some((r) => r.wants(type));

  const dispatcher = new Dispatcher({
    store,
    commit,
    router: () => router,
    wants,
    adapters,
    logger,
    clock: o.clock,
    timeZone: env.LOYALTY_TIMEZONE || 'UTC',
    schedule: parseSchedule(env.DELIVERY_RETRY_SCHEDULE),
    onAttempt: o.onAttempt,
    timeoutMs: o.deliveryTimeoutMs,
  });
  return {
    dispatcher,
    adapters,
    mappings,
    mappingsDir,
    mappingAdapters: descriptors,
    refreshRouters: async () => {
      await Promise.all(connectorRouters.map((r) => r.refresh()));
    },
    async close() {
      await dispatcher.stop();
      mappings.close();
      for (const r of connectorRouters) r.close();
    },
  };
}

export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;

/**
 * DELIVERY_TIMEOUT: how long one delivery attempt may take, in milliseconds (default 15000,
 * from 100 to 600000). A bad value is a start-up error naming the variable (docs/operating.md).
 */
export function deliveryTimeoutFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_DELIVERY_TIMEOUT_MS;
  const ms = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || ms < 100 || ms > 600_000) {
    throw new Error(`DELIVERY_TIMEOUT must be a whole number of milliseconds from 100 to 600000 (got "${value}")`);
  }
  return ms;
}
