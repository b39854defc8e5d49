/** `/v1/segments`: static member lists for rule conditions (`if: { segment: [vip] }`). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { changeSegmentMembers, createSegment, listSegments, requireSegment, segmentMembersPage, type Segment } from '../../program/segments.js';
import { idShape } from '../../ids.js';
import { requireScope } from '../authenticate.js';
import { decodeIdCursor, encodeIdCursor, pageOf } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { closedObject } from '../closed-object.js';
import { IdempotencyHeader, IdempotencyKeyField, PageQuery, errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';

const SEGMENT_ID = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const MEMBER_ID = idShape('mem');
const SegmentId = z.string().regex(SEGMENT_ID, 'lower-case letters, digits, "-", "_" or "."');
const SegmentSchema = z.object({ id: z.string(), name: z.string(), description: z.string().nullable(), createdAt: z.string() }).openapi('Segment');
const SegmentParam = z.object({ id: SegmentId.openapi({ param: { name: 'id', in: 'path' } }) });
const present = (s: Segment) => ({ id: s.id, name: s.name, description: s.description, createdAt: iso(s.createdAt)! });

const create = createRoute({
  method: 'post',
  path: '/segments',
  tags: ['Segments'],
  summary: 'Create a segment',
  middleware: [requireScope('admin')] as const,
  request: {
    headers: IdempotencyHeader,
    body: { content: { 'application/json': { schema: closedObject({ id: SegmentId, name: z.string().min(1).max(200), description: z.string().max(1000).optional(), idempotencyKey: IdempotencyKeyField }) } }, required: true },
  },
  responses: { 201: { content: { 'application/json': { schema: SegmentSchema } }, description: 'Created' }, ...errorResponses(400, 409) },
});

const list = createRoute({
  method: 'get',
  path: '/segments',
  tags: ['Segments'],
  summary: 'List segments, by id',
  middleware: [requireScope('read')] as const,
  request: { query: PageQuery },
  responses: {
    200: { content: { 'application/json': { schema: z.object({ data: z.array(SegmentSchema), nextCursor: z.string().nullable() }) } }, description: 'One page' },
    ...errorResponses(400),
  },
});

const change = createRoute({
  method: 'post',
  path: '/segments/{id}/members',
  tags: ['Segments'],
  summary: 'Add members to and remove members from a segment',
  middleware: [requireScope('admin')] as const,
  request: {
    params: SegmentParam,
    headers: IdempotencyHeader,
    body: {
      content: { 'application/json': { schema: closedObject({ add: z.array(z.string().max(64)).max(1000).default([]), remove: z.array(z.string().max(64)).max(1000).default([]), idempotencyKey: IdempotencyKeyField }) } },
      required: true,
    },
  },
  responses: { 200: { content: { 'application/json': { schema: z.object({ added: z.number().int(), removed: z.number().int() }) } }, description: 'Changed' }, ...errorResponses(400, 404) },
});

const members = createRoute({
  method: 'get',
  path: '/segments/{id}/members',
  tags: ['Segments'],
  summary: 'Member ids in a segment',
  middleware: [requireScope('read')] as const,
  request: { params: SegmentParam, query: PageQuery },
  responses: { 200: { content: { 'application/json': { schema: z.object({ data: z.array(z.string()), nextCursor: z.string().nullable() }) } }, description: 'One page' }, ...errorResponses(400, 404) },
});

export function segmentsRoutes({ store, commit }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const segment = await commit(c.get('principal').name, ({ tx, now }) => createSegment(tx, now, body));
    return c.json(present(segment), 201);
  });
  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = cursor ? decodeIdCursor(cursor, SEGMENT_ID) : undefined;
    const page = pageOf(await listSegments(store.db, { limit: limit + 1, after }), limit, (last) => encodeIdCursor(last.id));
    return c.json({ data: page.rows.map(present), nextCursor: page.nextCursor }, 200);
  });
  app.openapi(change, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    return c.json(await commit(c.get('principal').name, ({ tx, now }) => changeSegmentMembers(tx, now, id, body)), 200);
  });
  app.openapi(members, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const after = cursor ? decodeIdCursor(cursor, MEMBER_ID) : undefined;
    await requireSegment(store.db, id);
    const page = pageOf(await segmentMembersPage(store.db, id, { limit: limit + 1, after }), limit, encodeIdCursor);
    return c.json({ data: page.rows, nextCursor: page.nextCursor }, 200);
  });
  return app;
}
