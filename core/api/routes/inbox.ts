/**
 * `GET /v1/inbox`: received webhook deliveries, newest first, with their raw body, the trigger
 * events they became and what came of each — how support answers "why no points?". Raw bodies
 * carry customers' personal data, so the inbox needs the admin scope.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { listInbox, type InboxRow } from '../../inbound/inbox.js';
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
    events: z.array(z.record(z.string(), z.unknown())).nullable().openapi({ description: 'The normalized trigger events.' }),
    outcome: z.unknown().openapi({ description: 'Per event: applied, duplicate, guest or parked, the member and the points; or why it was rejected or ignored.' }),
    rawBody: z.string().nullable().openapi({ description: 'null once the person the delivery was about was erased.' }),
    erasedAt: z.string().nullable().openapi({ description: 'When the person the delivery was about was erased: body, headers and customer data are gone (docs/api.md, "Erasure").' }),
  })
  .openapi('InboxEntry');

const route = createRoute({
  method: 'get',
  path: '/inbox',
  tags: ['Inbox'],
  summary: 'Received webhook deliveries, with what came of each',
  middleware: [requireScope('admin')] as const,
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

export const present = (r: InboxRow) => ({
  id: r.id,
  source: r.source,
  deliveryId: r.deliveryId,
  topic: r.topic,
  status: r.status as z.infer<typeof InboxEntry>['status'],
  receivedAt: iso(r.receivedAt)!,
  processedAt: iso(r.processedAt),
  events: r.events ? (JSON.parse(r.events) as Record<string, unknown>[]) : null,
  outcome: r.outcome ? (JSON.parse(r.outcome) as unknown) : null,
  rawBody: r.erasedAt === null ? r.rawBody : null,
  erasedAt: iso(r.erasedAt),
});

export function inboxRoutes({ store }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(route, async (c) => {
    const { limit, cursor, status, source } = c.req.valid('query');
    const before = cursor ? decodeSeqCursor(cursor) : undefined;
    const rows = await listInbox(store.db, { status, source, before, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return c.json({ data: page.map(present), nextCursor: rows.length > limit ? encodeSeqCursor(page.at(-1)!.seq) : null }, 200);
  });
  return app;
}
