/**
 * Store codes, for every store connector alike (docs/adding-a-connector.md, "Store codes"): a
 * connector that declares `capabilities.storeCodes` gets one delivery `store-code:<name>` to its
 * adapter
 * - per `reward.redeemed` whose reward lists it in `storeCodes` and issued a voucher code
 *   (`action: 'create'`: the voucher becomes a single-use code at the store's checkout);
 * - per `points.reversed` of a redemption reversed while its voucher was unused, whose reward
 *   lists it (`action: 'delete'`: the code stops working at the store; reverse-redemption.ts
 *   adds `voucherCode` and `storeCodes` to that event).
 * The dispatcher's unique (event, route) index makes it one delivery per event and store,
 * however often routing runs. An event that asks for a code but lacks what it takes is routed as
 * failed: a dead letter (and `delivery.failed`) that support sees, instead of a code silently
 * missing or left live.
 */
import { connectorStatus, type ConnectorDefinition, type ConnectorRouter } from '../connectors/definition.js';
import type { LoyaltyEvent } from '../outbox/loyalty-events.js';
import type { Route, Router } from '../outbox/routes.js';
import { STORE_CODE_TITLE_PREFIX, storeCodeOptions, type StoreCodeCreateOptions, type StoreCodeOptions } from './store-code-options.js';

export const storeCodeRouteName = (store: string): string => `store-code:${store}`;

/** The connectors that declare store codes, by name: what `storeCodes` of a reward may list. */
export function storePlatforms(definitions: readonly ConnectorDefinition[]): string[] {
  return definitions.filter((d) => d.capabilities?.storeCodes).map((d) => d.name);
}

/** The store-code variables still missing (each an alternative list joined by " or "); empty when configured. */
export function storeCodesMissing(def: ConnectorDefinition, env: Record<string, string | undefined>): string[] {
  const capability = def.capabilities?.storeCodes;
  if (!capability) return [];
  const set = (name: string) => Boolean(env[name]?.trim());
  const missing = connectorStatus(def, env).missing;
  for (const entry of capability.env) {
    const names = typeof entry === 'string' ? [entry] : [...entry];
    if (!names.some(set)) missing.push(names.join(' or '));
  }
  return missing;
}

/** The adapter a store's codes go to: its own store-code adapter where it declares one, else its adapter. */
export function storeCodeAdapterName(def: ConnectorDefinition): string | undefined {
  if (def.capabilities?.storeCodes?.createAdapter) return `${def.name}-store-codes`;
  return def.adapter?.name;
}

/**
 * A store connector must be able to take the shared options: its declared adapter carries
 * `storeCodeOptions` itself, or it declares a store-code adapter of its own (checked when built:
 * core/outbox/notifications.ts) — a start-up error otherwise, naming the connector.
 */
export function checkStoreCodeConnector(def: ConnectorDefinition): void {
  if (!def.capabilities?.storeCodes) return;
  if (def.capabilities.storeCodes.createAdapter) return;
  if (!def.createAdapter || !def.adapter) throw new Error(`connectors/${def.name}: declares storeCodes but no adapter (adapter and createAdapter)`);
  if (def.adapter.options !== storeCodeOptions) {
    throw new Error(`connectors/${def.name}: a store-code adapter takes the shared options (storeCodeOptions of core/rewards/store-code-options.ts)`);
  }
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The delivery one event asks of one store, if any (pure: see Router). */
export function storeCodeRoute(event: LoyaltyEvent, store: { name: string; adapter: string }): Route | undefined {
  const data = event.data as Record<string, unknown>;
  if (!asStrings(data.storeCodes).includes(store.name)) return undefined;
  const code = data.voucherCode;
  if (typeof code !== 'string' || code.trim() === '') return undefined;
  const route = storeCodeRouteName(store.name);

  let candidate: StoreCodeOptions;
  if (event.type === 'reward.redeemed') {
    const reward = (data.reward ?? {}) as Record<string, unknown>;
    const memberPart = event.memberId ? `, member ${event.memberId}` : '';
    candidate = {
      action: 'create',
      code,
      ...(event.memberId ? { memberId: event.memberId } : {}),
      title: `${STORE_CODE_TITLE_PREFIX} ${typeof reward.name === 'string' ? reward.name : 'reward'} (redemption ${String(data.redemptionId)}${memberPart})`.slice(0, 255),
      startsAt: event.occurredAt,
      expiresAt: typeof data.voucherExpiresAt === 'string' ? data.voucherExpiresAt : null,
      redemptionId: data.redemptionId as string,
      reward: {
        id: reward.id as string,
        name: reward.name as string,
        kind: reward.kind as StoreCodeCreateOptions['reward']['kind'],
        value: (reward.value ?? null) as number | null,
        currency: (reward.currency ?? null) as string | null,
        percent: (reward.percent ?? null) as number | null,
        productSku: (reward.productSku ?? null) as string | null,
      },
    };
  } else if (event.type === 'points.reversed' && data.source === 'redemption') {
    candidate = { action: 'delete', code, redemptionId: data.redemptionId as string };
  } else {
    return undefined;
  }
  const parsed = storeCodeOptions.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    return { route, adapter: store.adapter, options: {}, failed: `${event.type} cannot become a ${store.name} store code (${candidate.action}): ${problems}` };
  }
  return { route, adapter: store.adapter, options: parsed.data };
}

const ROUTED = new Set<string>(['reward.redeemed', 'points.reversed']);

/**
 * The one router of every store connector, configured from the environment: a store whose
 * store-code variables are not all set is routed nothing (rather than queueing deliveries that
 * can only fail) and named once in the log by the caller (`storeCodesMissing`).
 */
export function createStoreCodeRouter(definitions: readonly ConnectorDefinition[], env: Record<string, string | undefined>): ConnectorRouter {
  for (const def of definitions) checkStoreCodeConnector(def);
  const stores = definitions
    .filter((d) => d.capabilities?.storeCodes && storeCodesMissing(d, env).length === 0)
    .map((d) => ({ name: d.name, adapter: storeCodeAdapterName(d)! }));
  const router: Router = (event) => {
    if (stores.length === 0 || !ROUTED.has(event.type)) return [];
    return stores.flatMap((s) => storeCodeRoute(event, s) ?? []);
  };
  return {
    router,
    wants: (type) => stores.length > 0 && ROUTED.has(type),
    refresh: async () => {},
    close: () => {},
  };
}
