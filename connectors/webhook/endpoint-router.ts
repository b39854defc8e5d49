import type { Logger } from '../../core/observability/logger.js';
import type { LoyaltyEvent } from '../../core/outbox/loyalty-events.js';
import type { Route, Router } from '../../core/outbox/routes.js';
import { enabledWebhookEndpoints, onWebhookEndpointsChanged } from '../../core/outbound/webhook-endpoints.js';
import type { Store } from '../../core/storage/store.js';
import type { WebhookOptions } from './options.js';

export interface EndpointRouterOptions {
  /** How often to re-read the endpoints (changes made by other processes). 0: never. */
  refreshMs?: number;
  logger?: Pick<Logger, 'warn'>;
}

export interface EndpointRouter {
  router: Router;
  /** Whether any endpoint subscribes to events of this type (a cheap check before routing). */
  wants(type: string): boolean;
  /** Re-reads the enabled endpoints; once it resolves, routing reflects every committed change. */
  refresh(): Promise<void>;
  /** Stops the periodic refresh and the change subscription. */
  close(): void;
}

interface Subscription {
  id: string;
  /** null: every event type. */
  types: ReadonlySet<string> | null;
}

/** The Standard Webhooks payload for a loyalty event: `{ type, timestamp, data }`. */
export function webhookPayload(event: LoyaltyEvent): Record<string, unknown> {
  return { type: event.type, timestamp: event.occurredAt, data: { id: event.id, memberId: event.memberId, ...event.data } };
}

/**
 * Routes loyalty events to the enabled webhook endpoints whose filter they pass: one delivery
 * per (event, endpoint), route `endpoint:<id>`, the payload fixed now so every attempt sends the
 * same bytes. The router is synchronous (the dispatcher calls it inside its routing
 * transaction), so it reads an in-memory list, refreshed when this process changes an endpoint
 * (API calls, a 410 disabling one) and every `refreshMs` (5 s) for changes made elsewhere.
 *
 * Call `refresh()` once before the dispatcher starts routing; until then no endpoint is known.
 */
export function createEndpointRouter(store: Store, options: EndpointRouterOptions = {}): EndpointRouter {
  let subscriptions: Subscription[] = [];
  let started = 0;
  let applied = 0;

  async function refresh(): Promise<void> {
    // Refreshes may overlap; a later one started after a later change, so an older result
    // finishing last must not replace it.
    const generation = ++started;
    const endpoints = await enabledWebhookEndpoints(store.db);
    if (generation < applied) return;
    applied = generation;
    subscriptions = endpoints.map((e) => ({ id: e.id, types: e.eventTypes.length > 0 ? new Set(e.eventTypes) : null }));
  }

  const router: Router = (event) => {
    const routes: Route[] = [];
    for (const s of subscriptions) {
      if (s.types && !s.types.has(event.type)) continue;
      // A dead letter of a delivery to this very endpoint is not sent to it: it is failing.
      if (event.type === 'delivery.failed' && event.data.route === `endpoint:${s.id}`) continue;
      const opts: WebhookOptions = { endpointId: s.id, payload: webhookPayload(event) };
      routes.push({ route: `endpoint:${s.id}`, adapter: 'webhook', options: opts });
    }
    return routes;
  };

  const safeRefresh = () =>
    refresh().catch((error: unknown) => options.logger?.warn('webhook endpoints refresh failed; routing with the last list', { error: String(error) }));
  const unsubscribe = onWebhookEndpointsChanged(store, safeRefresh);
  const refreshMs = options.refreshMs ?? 5_000;
  const timer = refreshMs > 0 ? setInterval(() => void safeRefresh(), refreshMs) : undefined;
  timer?.unref();

  return {
    router,
    wants: (type) => subscriptions.some((sub) => !sub.types || sub.types.has(type)),
    refresh,
    close() {
      if (timer) clearInterval(timer);
      unsubscribe();
    },
  };
}
