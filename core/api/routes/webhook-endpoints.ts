/**
 * Subscriptions for signed outbound webhooks (docs/api.md, "Webhook endpoints"): an endpoint URL, an optional event-type
 * filter, and a signing secret shown on creation and on rotation only. The `webhook` adapter
 * signs each message per Standard Webhooks; a rotation keeps the previous secret signing for an
 * overlap so receivers can switch without missing a message.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  webhookUrlProblem,
  type WebhookEndpoint,
} from '../../outbound/webhook-endpoints.js';
import { DEFAULT_OUTBOUND, type OutboundTargets } from '../../outbound/guarded-request.js';
import { LOYALTY_EVENT_TYPES } from '../../outbox/loyalty-events.js';
import { idShape } from '../../ids.js';
import { requireScope } from '../authenticate.js';
import { decodeIdCursor, encodeIdCursor } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { hideSecretsOnReplay } from '../idempotency.js';
import { ProblemError } from '../problem.js';
import { closedObject } from '../closed-object.js';
import { IdempotencyHeader, IdempotencyKeyField, PageQuery, errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';

const HOUR = 60 * 60 * 1000;
const isoDate = z.string().openapi({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' });

const WebhookEndpointSchema = z
  .object({
    id: z.string().openapi({ example: 'we_01jd5v3k2m4x7q9r8s6t5w3y1z' }),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.enum(LOYALTY_EVENT_TYPES)).openapi({ description: 'The loyalty event types sent to it; empty: every type.' }),
    status: z.enum(['enabled', 'disabled']),
    disabledReason: z.string().nullable().openapi({ description: 'Why it was disabled, e.g. the receiver answered 410 Gone.' }),
    previousSecretExpiresAt: isoDate
      .nullable()
      .openapi({ description: 'During a rotation overlap: until when messages are also signed with the previous secret.' }),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .openapi('WebhookEndpoint');

const WebhookEndpointWithSecret = WebhookEndpointSchema.extend({
  secret: z.string().nullable().openapi({
    example: 'whsec_MfKQ9r8PKmPkFPLzP6Lh1kTQW3dVzQ7s3q1T5ZOdC2o=',
    description:
      'The signing secret (Standard Webhooks). Shown only in the first answer: store it with the receiver. ' +
      'Null in a replay of the request (same Idempotency-Key): the secret is not kept for replays; rotate it if it was lost.',
  }),
  secretNotice: z
    .string()
    .optional()
    .openapi({ description: 'Only in a replay: why `secret` is null and how to get a new one (rotate-secret).' }),
}).openapi('WebhookEndpointWithSecret');

/** Why a replay shows no secret, and what to do about it (docs/api.md, "Secrets"). */
const SECRET_NOTICE =
  'The secret is shown only in the first answer to this request and is not stored for replays. ' +
  'If it was lost, rotate it: POST /v1/webhook-endpoints/{id}/rotate-secret (with overlapHours 0 to revoke the old one).';

const CreateInput = closedObject({
  url: z.string().max(2048).openapi({
    example: 'https://example.com/hooks/loyalty',
    description:
      'https, to a public address: loopback, private, link-local, CGNAT, unique-local, multicast, reserved and cloud metadata ' +
      'targets are refused, by address or by what the host name resolves to (checked again at every send). ' +
      'With WEBHOOK_ALLOW_PRIVATE=true (development) private and loopback targets and plain http to localhost are allowed.',
  }),
  description: z.string().max(500).nullish(),
  events: z
    .array(z.enum(LOYALTY_EVENT_TYPES))
    .max(LOYALTY_EVENT_TYPES.length)
    .optional()
    .openapi({ description: 'Loyalty event types to send (docs/mappings.md, "Events"); omitted or empty: every type.', example: ['points.earned', 'tier.upgraded'] }),
  idempotencyKey: IdempotencyKeyField,
}).openapi('CreateWebhookEndpoint');

const RotateInput = closedObject({
  overlapHours: z
    .number()
    .min(0)
    .max(24 * 30)
    .default(24)
    .openapi({ description: 'How long the previous secret keeps signing too (0: revoke it now).' }),
  idempotencyKey: IdempotencyKeyField,
}).openapi('RotateWebhookSecret');

const IdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });
const ENDPOINT_ID = idShape('we');

function present(e: WebhookEndpoint, now: number) {
  const previous = e.secrets.filter((s) => s.expiresAt !== null && s.expiresAt > now).map((s) => s.expiresAt!);
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.eventTypes,
    status: e.status,
    disabledReason: e.disabledReason,
    previousSecretExpiresAt: previous.length > 0 ? iso(Math.max(...previous)) : null,
    createdAt: iso(e.createdAt)!,
    updatedAt: iso(e.updatedAt)!,
  };
}

const notFound = (id: string) => new ProblemError(404, 'webhook-endpoint-not-found', 'Webhook endpoint not found', `No webhook endpoint ${id}.`);

const create = createRoute({
  method: 'post',
  path: '/webhook-endpoints',
  tags: ['Webhook endpoints'],
  summary: 'Subscribe an endpoint to signed webhooks; the answer shows its secret, once',
  middleware: [requireScope('admin')] as const,
  request: { headers: IdempotencyHeader, body: { content: { 'application/json': { schema: CreateInput } }, required: true } },
  responses: {
    201: { content: { 'application/json': { schema: WebhookEndpointWithSecret } }, description: 'Subscribed (a replay: the same, with `secret` null)' },
    ...errorResponses(400, 409),
  },
});

const list = createRoute({
  method: 'get',
  path: '/webhook-endpoints',
  tags: ['Webhook endpoints'],
  summary: 'List webhook endpoints (secrets are never shown)',
  middleware: [requireScope('admin')] as const,
  request: { query: PageQuery },
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ data: z.array(WebhookEndpointSchema), nextCursor: z.string().nullable() }) } },
      description: 'A page, oldest first',
    },
    ...errorResponses(400),
  },
});

const read = createRoute({
  method: 'get',
  path: '/webhook-endpoints/{id}',
  tags: ['Webhook endpoints'],
  summary: 'Read a webhook endpoint (its secret is never shown)',
  middleware: [requireScope('admin')] as const,
  request: { params: IdParam },
  responses: { 200: { content: { 'application/json': { schema: WebhookEndpointSchema } }, description: 'The endpoint' }, ...errorResponses(404) },
});

const remove = createRoute({
  method: 'delete',
  path: '/webhook-endpoints/{id}',
  tags: ['Webhook endpoints'],
  summary: 'Unsubscribe an endpoint; deliveries still queued for it are skipped',
  middleware: [requireScope('admin')] as const,
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 200: { content: { 'application/json': { schema: WebhookEndpointSchema } }, description: 'Deleted (what it was)' }, ...errorResponses(404) },
});

const rotate = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{id}/rotate-secret',
  tags: ['Webhook endpoints'],
  summary: 'Replace the signing secret; the previous one keeps signing for the overlap',
  middleware: [requireScope('admin')] as const,
  request: {
    params: IdParam,
    headers: IdempotencyHeader,
    body: { content: { 'application/json': { schema: RotateInput } }, required: false },
  },
  responses: {
    200: { content: { 'application/json': { schema: WebhookEndpointWithSecret } }, description: 'Rotated: the new secret, shown once (a replay: `secret` null)' },
    ...errorResponses(400, 404, 409),
  },
});

/**
 * `onChange` runs (and is awaited) after every change, before the answer: once a client sees
 * 201, events are routed to the new endpoint (pass the endpoint router's `refresh`).
 */
export function webhookEndpointsRoutes(
  { store, commit, clock }: ApiDeps,
  onChange: () => void | Promise<void> = () => {},
  outbound: OutboundTargets = DEFAULT_OUTBOUND,
) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const refused = await webhookUrlProblem(body.url, outbound);
    if (refused) {
      throw new ProblemError(400, 'validation', 'Invalid request', `The request body has 1 invalid field: /url ${refused}`, {
        errors: [{ pointer: '/url', in: 'body', message: refused }],
      });
    }
    hideSecretsOnReplay(c, ['secret'], SECRET_NOTICE);
    const now = clock();
    const { endpoint, secret } = await createWebhookEndpoint({ store, commit }, { url: body.url, description: body.description, eventTypes: body.events }, c.get('principal').name);
    await onChange();
    return c.json({ ...present(endpoint, now), secret }, 201);
  });

  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await listWebhookEndpoints(store.db, { limit, cursor: cursor ? decodeIdCursor(cursor, ENDPOINT_ID, { bare: true }) : undefined });
    const now = clock();
    return c.json({ data: page.data.map((e) => present(e, now)), nextCursor: page.nextCursor && encodeIdCursor(page.nextCursor) }, 200);
  });

  app.openapi(read, async (c) => {
    const { id } = c.req.valid('param');
    const endpoint = await getWebhookEndpoint(store.db, id);
    if (!endpoint) throw notFound(id);
    return c.json(present(endpoint, clock()), 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    const endpoint = await deleteWebhookEndpoint({ store, commit }, id, c.get('principal').name);
    if (!endpoint) throw notFound(id);
    await onChange();
    return c.json(present(endpoint, clock()), 200);
  });

  app.openapi(rotate, async (c) => {
    const { id } = c.req.valid('param');
    // The body is optional: without one the validator hands over {} (no default applied).
    const { overlapHours = 24 } = c.req.valid('json') as { overlapHours?: number };
    hideSecretsOnReplay(c, ['secret'], SECRET_NOTICE);
    const now = clock();
    const rotated = await rotateWebhookSecret({ store, commit }, id, Math.round(overlapHours * HOUR), c.get('principal').name);
    if (!rotated) throw notFound(id);
    await onChange();
    return c.json({ ...present(rotated.endpoint, now), secret: rotated.secret }, 200);
  });

  return app;
}
