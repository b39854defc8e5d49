/**
 * The outbound delivery log: support sees what was sent, what is waiting for a retry, and what
 * was dead-lettered (and why), and can send a dead letter again.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { and, asc, desc, eq, lt } from 'drizzle-orm';
import { idShape } from '../../ids.js';
import { tablesOf } from '../../storage/prepared.js';
import { requireScope } from '../authenticate.js';
import { decodeIdCursor, encodeIdCursor, pageOf } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { ProblemError } from '../problem.js';
import { IdempotencyHeader, KeyOnlyBody, PageQuery, errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';

const STATUSES = ['pending', 'delivered', 'skipped', 'dead'] as const;
const DELIVERY_ID = idShape('dlv');

const Attempt = z.object({
  attempt: z.number().int(),
  outcome: z.string(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int(),
  error: z.string().nullable(),
  at: z.string(),
});

const Delivery = z
  .object({
    id: z.string().openapi({ description: 'Also the idempotency key every attempt carries.' }),
    eventId: z.string(),
    route: z.string().openapi({ description: 'What asked for it: mapping:<name>#<index> or endpoint:<id>.' }),
    adapter: z.string(),
    memberId: z.string().nullable(),
    status: z.enum(STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    history: z.array(Attempt).optional(),
  })
  .openapi('Delivery');

type Row = ReturnType<typeof tablesOf>['deliveries']['$inferSelect'];
const present = (d: Row) => ({
  id: d.id,
  eventId: d.eventId,
  route: d.route,
  adapter: d.adapter,
  memberId: d.memberId,
  status: d.status as (typeof STATUSES)[number],
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: iso(d.createdAt)!,
  updatedAt: iso(d.updatedAt)!,
});

const list = createRoute({
  method: 'get',
  path: '/deliveries',
  tags: ['Deliveries'],
  summary: 'Outbound deliveries, newest first: pending retries, delivered, skipped, dead letters',
  middleware: [requireScope('read')] as const,
  request: {
    query: PageQuery.extend({ status: z.enum(STATUSES).optional() }),
  },
  responses: {
    200: { content: { 'application/json': { schema: z.object({ data: z.array(Delivery), nextCursor: z.string().nullable() }) } }, description: 'A page' },
    ...errorResponses(400),
  },
});

const read = createRoute({
  method: 'get',
  path: '/deliveries/{id}',
  tags: ['Deliveries'],
  summary: 'One delivery with every attempt (status code, latency, error)',
  middleware: [requireScope('read')] as const,
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { content: { 'application/json': { schema: Delivery } }, description: 'The delivery' }, ...errorResponses(404) },
});

const retry = createRoute({
  method: 'post',
  path: '/deliveries/{id}/retry',
  tags: ['Deliveries'],
  summary: 'Send a dead-lettered (or skipped) delivery again, with a fresh retry schedule',
  middleware: [requireScope('admin')] as const,
  request: { params: z.object({ id: z.string() }), headers: IdempotencyHeader, body: KeyOnlyBody },
  responses: { 200: { content: { 'application/json': { schema: Delivery } }, description: 'Queued again' }, ...errorResponses(404, 409) },
});

export function deliveriesRoutes({ store, commit }: ApiDeps, onQueued: () => void = () => {}) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(list, async (c) => {
    const { status, limit, cursor } = c.req.valid('query');
    const before = cursor ? decodeIdCursor(cursor, DELIVERY_ID, { bare: true }) : undefined;
    const { deliveries } = tablesOf(store.db);
    const rows = await store.db
      .select()
      .from(deliveries)
      .where(and(status ? eq(deliveries.status, status) : undefined, before ? lt(deliveries.id, before) : undefined))
      .orderBy(desc(deliveries.id))
      .limit(limit + 1);
    const page = pageOf(rows, limit, (last) => encodeIdCursor(last.id));
    return c.json({ data: page.rows.map(present), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(read, async (c) => {
    const { id } = c.req.valid('param');
    const { deliveries, deliveryAttempts } = tablesOf(store.db);
    const [row] = await store.db.select().from(deliveries).where(eq(deliveries.id, id));
    if (!row) throw new ProblemError(404, 'delivery-not-found', 'Delivery not found', `No delivery ${id}.`);
    const attempts = await store.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, id)).orderBy(asc(deliveryAttempts.seq));
    return c.json(
      {
        ...present(row),
        history: attempts.map((a) => ({ attempt: a.attempt, outcome: a.outcome, statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error, at: iso(a.at)! })),
      },
      200,
    );
  });

  app.openapi(retry, async (c) => {
    const { id } = c.req.valid('param');
    const row = await commit(c.get('principal').name, async ({ tx, now }) => {
      const { deliveries } = tablesOf(tx);
      const [current] = await tx.select().from(deliveries).where(eq(deliveries.id, id));
      if (!current) throw new ProblemError(404, 'delivery-not-found', 'Delivery not found', `No delivery ${id}.`);
      if (current.status === 'pending' || current.status === 'delivered') {
        throw new ProblemError(409, 'delivery-not-retryable', 'Delivery not retryable', `Delivery ${id} is ${current.status}; only dead or skipped deliveries are sent again.`);
      }
      const [updated] = await tx
        .update(deliveries)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: null, updatedAt: now })
        .where(eq(deliveries.id, id))
        .returning();
      return updated!;
    });
    onQueued();
    return c.json(present(row), 200);
  });

  return app;
}
