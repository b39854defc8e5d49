/**
 * `GET /v1/inbox`: received webhook deliveries, newest first, with the trigger events they
 * became and what came of each — how support answers "why no points?", so a `read` key reads it
 * (docs/api.md, "Inbox"). The raw body only for an admin key: a platform's payload carries
 * addresses and more than the member's profile a read key sees (docs/security.md).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { listInbox, type InboxRow } from '../../inbound/inbox.js';
import { hasScope, type Scope } from '../../auth/api-keys.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { decodeSeqCursor, encodeSeqCursor } from '../cursor.js';
import { PageQuery, errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';

export const InboxEntry = z
  .object({
    id: z.string(),
    source: z.string(),
    deliveryId: z.string(),
    topic: z.string().nullable(),
    status: z.enum(['processing', 'accepted', 'ignored', 'rejected', 'failed']),
    receivedAt: z.string(),
    processedAt: z.string().nullable(),
    events: z.array(z.record(z.string(), z.unknown())).nullable().openapi({ description: 'The normalized trigger events (`occurredAt` in ISO 8601 UTC).' }),
    outcome: z.unknown().openapi({ description: 'Per event: applied, duplicate, guest or parked, the member and the points; or why it was rejected or ignored.' }),
    rawBody: z.string().nullable().openapi({ description: 'The body as the platform sent it, for an admin key; null for a read or write key, and once the person the delivery was about was erased.' }),
    erasedAt: z.string().nullable().openapi({ description: 'When the person the delivery was about was erased: body, headers and customer data are gone (docs/api.md, "Erasure").' }),
  })
  .openapi('InboxEntry');

const route = createRoute({
  method: 'get',
  path: '/inbox',
  tags: ['Inbox'],
  summary: 'Received webhook deliveries, with what came of each',
  middleware: [requireScope('read')] as const,
  request: {
    query: PageQuery.extend({
      status: z.enum(['processing', 'accepted', 'ignored', 'rejected', 'failed']).optional(),
      source: z.string().max(40).optional().openapi({ example: 'shopify' }),
    }),
  },
  responses: {
    200: { content: { 'application/json': { schema: z.object({ data: z.array(InboxEntry), nextCursor: z.string().nullable() }) } }, description: 'One page' },
    ...errorResponses(400),
  },
});

/**
 * A stored trigger event as the API shows times (SPEC §3: ISO 8601 UTC): the inbox keeps
 * `occurredAt` as the epoch milliseconds the core computes with.
 */
function presentEvent(event: Record<string, unknown>): Record<string, unknown> {
  return typeof event.occurredAt === 'number' ? { ...event, occurredAt: iso(event.occurredAt) } : event;
}

/** Whether a key of these scopes is shown a delivery's raw body (admin only: see above). */
export const seesRawBody = (scopes: Scope[]) => hasScope(scopes, 'admin');

export const present = (r: InboxRow, withRawBody: boolean) => ({
  id: r.id,
  source: r.source,
  deliveryId: r.deliveryId,
  topic: r.topic,
  status: r.status as z.infer<typeof InboxEntry>['status'],
  receivedAt: iso(r.receivedAt)!,
  processedAt: iso(r.processedAt),
  events: r.events ? (JSON.parse(r.events) as Record<string, unknown>[]).map(presentEvent) : null,
  outcome: r.outcome ? (JSON.parse(r.outcome) as unknown) : null,
  rawBody: r.erasedAt === null && withRawBody ? r.rawBody : null,
  erasedAt: iso(r.erasedAt),
});

export function inboxRoutes({ store }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(route, async (c) => {
    const { limit, cursor, status, source } = c.req.valid('query');
    const before = cursor ? decodeSeqCursor(cursor) : undefined;
    const rows = await listInbox(store.db, { status, source, before, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const withRawBody = seesRawBody(c.get('principal').scopes);
    return c.json({ data: page.map((r) => present(r, withRawBody)), nextCursor: rows.length > limit ? encodeSeqCursor(page.at(-1)!.seq) : null }, 200);
  });
  return app;
}
