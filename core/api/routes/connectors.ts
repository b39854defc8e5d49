/**
 * `GET /v1/connectors` (docs/api.md, "Connectors"): connector health for an operator — each
 * installed platform enabled or the variables it lacks, its latest received webhook, and its
 * signature failures over the last day. The logic is core/connectors/connector-health.ts.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { connectorHealth, type ConnectorHealth } from '../../connectors/connector-health.js';
import type { ConnectorStatus } from '../../connectors/definition.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';

const ConnectorSchema = z
  .object({
    name: z.string().openapi({ example: 'shopify' }),
    title: z.string().openapi({ example: 'Shopify' }),
    directions: z.array(z.enum(['inbound', 'outbound'])),
    enabled: z.boolean(),
    missing: z.array(z.string()).openapi({ description: 'Required environment variables that are not set (names only, never values).', example: ['SHOPIFY_API_SECRET'] }),
    inboundMissing: z
      .array(z.string())
      .openapi({ description: "Variables its webhooks still need while it sends (names only): until they are set, POST /webhooks/<name> answers 404 naming them.", example: [] }),
    lastReceived: z
      .object({ at: z.string(), status: z.string(), topic: z.string().nullable() })
      .nullable()
      .openapi({ description: "The platform's latest webhook in the inbox, whatever came of it; null when none (or the connector only sends)." }),
    lastSent: z
      .object({ at: z.string(), deliveryId: z.string() })
      .nullable()
      .openapi({ description: 'The latest message this connector delivered (GET /v1/deliveries/{id}), within 10 seconds; null when none (or the connector only receives).' }),
    lastFailed: z
      .object({ at: z.string(), deliveryId: z.string(), statusCode: z.number().int().nullable() })
      .nullable()
      .openapi({ description: "The latest attempt that did not deliver (retried or dead-lettered), with the provider's HTTP status when it answered; within 10 seconds." }),
    signatureFailures: z.object({
      lastDay: z.number().int().openapi({ description: 'Webhooks refused for their signature over the current hour and the 23 before it.' }),
      lastAt: z.string().nullable(),
      lastReason: z.string().nullable(),
    }),
  })
  .openapi('Connector');

const list = createRoute({
  method: 'get',
  path: '/connectors',
  tags: ['Connectors'],
  summary: 'Connector health: enabled or what it lacks, latest webhook received, signature failures in the last day',
  middleware: [requireScope('read')] as const,
  responses: {
    200: { content: { 'application/json': { schema: z.object({ data: z.array(ConnectorSchema) }) } }, description: 'Every installed connector, by name' },
    ...errorResponses(),
  },
});

const present = (c: ConnectorHealth): z.infer<typeof ConnectorSchema> => ({
  name: c.name,
  title: c.title,
  directions: c.directions,
  enabled: c.enabled,
  missing: c.missing,
  inboundMissing: c.inboundMissing ?? [],
  lastReceived: c.lastReceived && { at: iso(c.lastReceived.at)!, status: c.lastReceived.status, topic: c.lastReceived.topic },
  lastSent: c.lastSent && { at: iso(c.lastSent.at)!, deliveryId: c.lastSent.deliveryId },
  lastFailed: c.lastFailed && { at: iso(c.lastFailed.at)!, deliveryId: c.lastFailed.deliveryId, statusCode: c.lastFailed.statusCode },
  signatureFailures: { lastDay: c.signatureFailures.lastDay, lastAt: iso(c.signatureFailures.lastAt), lastReason: c.signatureFailures.lastReason },
});

export function connectorsRoutes({ store, clock }: ApiDeps, connectors: readonly ConnectorStatus[]) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const byName = [...connectors].sort((a, b) => a.name.localeCompare(b.name));
  app.openapi(list, async (c) => {
    const health = await connectorHealth(store.db, byName, clock());
    return c.json({ data: health.map(present) }, 200);
  });
  return app;
}
