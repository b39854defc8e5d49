/**
 * The routes outside `/v1` in the OpenAPI document (`/openapi.json`, rendered at `/docs`): the
 * inbound webhooks (SPEC §3, "Inbound webhooks") and the operational endpoints. Their handlers
 * are plain Hono routes (core/inbound/, core/app.ts); this only describes them, so a developer
 * reading `/docs` finds every endpoint the hub answers.
 */
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { ProblemSchema } from './schemas.js';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

export function registerOperationalPaths(registry: OpenAPIHono['openAPIRegistry'], platforms: readonly string[]): void {
  registry.registerPath({
    method: 'post',
    path: '/webhooks/{platform}',
    tags: ['Inbound webhooks'],
    summary: "A platform's webhook: the platform's signature is the only authentication",
    description:
      "Each platform signs as it documents (docs/connectors/<platform>.md). A verified delivery is kept in the inbox (`GET /v1/inbox`) with what came of it. A recipe's name (docs/recipes.md) is a platform too.",
    security: [],
    request: {
      params: z.object({ platform: z.string().openapi({ param: { name: 'platform', in: 'path' }, example: platforms[0] ?? 'shopify', description: `Installed: ${platforms.join(', ') || 'none'}` }) }),
      body: { content: { 'application/json': { schema: z.object({}).passthrough().openapi({ description: "The platform's own payload, unchanged" }) } } },
    },
    responses: {
      200: {
        description: 'Verified: applied (`accepted`), already seen (`duplicate`), or not about loyalty (`ignored`)',
        content: { 'application/json': { schema: z.object({ status: z.enum(['accepted', 'duplicate', 'ignored']), eventId: z.string().optional() }) } },
      },
      400: problem('Verified, but unparseable or missing required fields; kept in the inbox as `rejected`'),
      401: problem('Signature missing or wrong, or timestamp outside tolerance; nothing stored but a counter'),
      404: problem('No such platform, or its connector is not configured (the problem names the missing variable)'),
      413: problem('Body over the limit (MAX_BODY_BYTES, default 1 MiB)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/health',
    tags: ['Operations'],
    summary: 'The process is up',
    security: [],
    responses: { 200: { description: 'Up', content: { 'application/json': { schema: z.object({ status: z.literal('ok'), version: z.string() }) } } } },
  });
  const Ready = z.object({ status: z.enum(['ready', 'not ready']), database: z.string() });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    tags: ['Operations'],
    summary: 'The database is reachable and its migrations are current',
    security: [],
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: Ready } } },
      503: { description: 'Not ready: the database is unreachable or behind', content: { 'application/json': { schema: Ready } } },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    tags: ['Operations'],
    summary: 'Prometheus metrics (docs/operating.md, "Metrics and alerts")',
    security: [],
    responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } } },
  });
}
