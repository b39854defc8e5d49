/**
 * The hub's HTTP surface, composed from sub-apps: operational endpoints at the root, inbound
 * webhooks under /webhooks, the management API under /v1 (API key + Idempotency-Key), and the
 * OpenAPI document generated from the very schemas that validate requests.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ErrorHandler, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { authenticate } from './api/authenticate.js';
import { apiBodyLimit, DEFAULT_MAX_BODY_BYTES } from './api/body-limit.js';
import type { ApiDeps } from './api/deps.js';
import type { ApiEnv } from './api/env.js';
import { idempotency } from './api/idempotency.js';
import { ProblemError, problemResponse, problemType, toProblem } from './api/problem.js';
import { analyticsRoutes } from './api/routes/analytics.js';
import { apiKeysRoutes } from './api/routes/api-keys.js';
import { connectorsRoutes } from './api/routes/connectors.js';
import { deliveriesRoutes } from './api/routes/deliveries.js';
import { evaluateRoutes } from './api/routes/evaluate.js';
import { fraudHoldsRoutes } from './api/routes/fraud-holds.js';
import { inboxRoutes } from './api/routes/inbox.js';
import { inboxDeliveryRoutes } from './api/routes/inbox-delivery.js';
import { redemptionRoutes } from './api/routes/redemptions.js';
import { rewardsRoutes } from './api/routes/rewards.js';
import { rewardCodesRoutes } from './api/routes/reward-codes.js';
import { eventsRoutes } from './api/routes/events.js';
import { memberActivityRoutes } from './api/routes/member-activity.js';
import { membersRoutes } from './api/routes/members.js';
import { mappingsRoutes } from './api/routes/mappings.js';
import { pointsRoutes } from './api/routes/points.js';
import { tiersRoutes } from './api/routes/tiers.js';
import { docsPage } from './api/docs-page.js';
import { registerOperationalPaths } from './api/openapi-operations.js';
import { segmentsRoutes } from './api/routes/segments.js';
import { webhookEndpointsRoutes } from './api/routes/webhook-endpoints.js';
import { refuseUnsafeText } from './api/text-guard.js';
import { validationHook } from './api/validation.js';
import type { ApiKeyVerifier } from './auth/api-keys.js';
import type { ConnectorStatus, InboundHandler } from './connectors/definition.js';
import { consoleRoutes } from './console/console-app.js';
import { webhookRoutes } from './inbound/webhook-route.js';
import type { MappingsFolder } from './mappings/mapping-files.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import { describeError } from './observability/describe-error.js';
import type { OutboundTargets } from './outbound/guarded-request.js';

export interface AppDeps extends ApiDeps {
  verifier: ApiKeyVerifier;
  metrics: Metrics;
  logger: Logger;
  connectors: ConnectorStatus[];
  /** Webhook handlers of the enabled inbound connectors, by name. */
  inbound: Map<string, InboundHandler>;
  /** Other routes of the enabled connectors, by name, mounted at /connectors/<name>. */
  connectorRoutes?: Map<string, Hono>;
  publicUrl?: string;
  /** The largest request body, `/v1` and webhooks alike, in bytes (MAX_BODY_BYTES; default 1 MiB). */
  maxBodyBytes?: number;
  version: string;
  /** Awaited after every change through /v1/webhook-endpoints (so routing reflects it at once). */
  onWebhookEndpointsChanged?: () => Promise<void>;
  /** A delivery was queued again by hand: send it now rather than at the next tick. */
  onDeliveryQueued?: () => void;
  /** Where webhook endpoints may point (WEBHOOK_ALLOW_PRIVATE, the resolver); strict when absent. */
  outbound?: OutboundTargets;
  /** CONSOLE_SESSION_SECRET: the key console cookies are signed with (else one the hub stores; core/console/session.ts). */
  consoleSessionSecret?: string;
  /** The mapping folder the hub runs (LOYALTY_MAPPINGS), for /v1/mappings. */
  mappings: MappingsFolder;
}

/** Refusals as problem+json (core/api/problem.ts); anything unexpected logged once and answered 500. */
function apiErrorHandler(logger: AppDeps['logger']): ErrorHandler {
  return (error, c) => {
    if (error instanceof HTTPException && !(error instanceof ProblemError)) {
      const status = error.status;
      return problemResponse({
        type: problemType(status === 400 ? 'malformed-request' : 'http-error'),
        title: status === 400 ? 'Malformed request' : 'Request refused',
        status,
        detail: error.message,
      });
    }
    const problem = toProblem(error);
    if (problem.status >= 500) {
      logger.error('unhandled error', { method: c.req.method, path: c.req.path, error: describeError(error) });
    }
    return problemResponse(problem);
  };
}

function managementApi(deps: AppDeps) {
  const v1 = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  // The console calls this sub-app in process (core/console/api-client.ts), not through the outer
  // app: it answers a thrown refusal as problem+json itself.
  v1.onError(apiErrorHandler(deps.logger));
  v1.use('*', authenticate(deps.verifier));
  v1.use('*', refuseUnsafeText());
  v1.use('*', idempotency(deps.store, deps.commit));
  v1.route('/', membersRoutes(deps));
  v1.route('/', memberActivityRoutes(deps));
  v1.route('/', pointsRoutes(deps));
  v1.route('/', tiersRoutes(deps));
  v1.route('/', eventsRoutes(deps));
  v1.route('/', evaluateRoutes(deps));
  v1.route('/', segmentsRoutes(deps));
  v1.route('/', inboxRoutes(deps));
  v1.route('/', inboxDeliveryRoutes(deps));
  v1.route('/', rewardsRoutes(deps));
  v1.route('/', rewardCodesRoutes(deps));
  v1.route('/', redemptionRoutes(deps));
  v1.route('/', fraudHoldsRoutes(deps));
  v1.route('/', deliveriesRoutes(deps, deps.onDeliveryQueued));
  v1.route('/', webhookEndpointsRoutes(deps, deps.onWebhookEndpointsChanged, deps.outbound));
  v1.route('/', apiKeysRoutes(deps, deps.verifier));
  v1.route('/', analyticsRoutes(deps));
  v1.route('/', mappingsRoutes(deps, deps.mappings));
  v1.route('/', connectorsRoutes(deps, deps.connectors));
  return v1;
}

export function createApp(deps: AppDeps) {
  const { store, metrics, logger } = deps;
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routePath(c, -1) || 'unmatched';
    metrics.httpRequests.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    if (c.res.status >= 500) logger.error('request failed', { method: c.req.method, route, status: c.res.status });
  });

  app.onError(apiErrorHandler(logger));

  app.notFound((c) =>
    problemResponse({ type: problemType('not-found'), title: 'Not Found', status: 404, detail: `No route ${c.req.method} ${c.req.path}.` }),
  );

  app.get('/health', (c) => c.json({ status: 'ok', version: deps.version }));
  app.get('/ready', async (c) => {
    const ready = await store.ready();
    return c.json({ status: ready.ok ? 'ready' : 'not ready', database: ready.detail }, ready.ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));

  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  app.use('/v1/*', apiBodyLimit(maxBodyBytes));
  app.route('/webhooks', webhookRoutes({ ...deps, bodyLimit: maxBodyBytes }));
  app.use('/connectors/*', apiBodyLimit(maxBodyBytes));
  for (const [name, routes] of deps.connectorRoutes ?? []) app.route(`/connectors/${name}`, routes);
  const api = managementApi(deps);
  app.route('/v1', api);
  // The console reads and writes through the same API, in process (docs/console.md).
  app.route('/console', consoleRoutes({ ...deps, api }));

  registerOperationalPaths(
    app.openAPIRegistry,
    deps.connectors.filter((c) => c.directions.includes('inbound')).map((c) => c.name),
  );
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`lh_…`) with the read, write or admin scope.',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Loyalty Hub API',
      version: deps.version,
      description: 'Members, points, events. Errors are RFC 9457 problem documents; every write accepts an Idempotency-Key.',
    },
    security: [{ apiKey: [] }],
  });
  app.route('/docs', docsPage('/openapi.json'));
  return app;
}
