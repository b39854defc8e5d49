/**
 * `/v1/api-keys` (admin, docs/api.md): list keys (never their secrets), create one (its key is
 * in this answer only — an Idempotency-Key replay does not show it again), revoke one. A
 * revocation takes effect at once in this process; other processes cache key records for 5 s.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { API_KEY_ID, SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord, type ApiKeyVerifier } from '../../auth/api-keys.js';
import { requireScope } from '../authenticate.js';
import { decodeIdCursor, encodeIdCursor } from '../cursor.js';
import { hideSecretsOnReplay } from '../idempotency.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { ProblemError } from '../problem.js';
import { closedObject } from '../closed-object.js';
import { IdempotencyHeader, IdempotencyKeyField, PageQuery, errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';

const isoDate = z.string().openapi({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' });

const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: '01jd5v3k2m4x7q9r8s6t5w3y1z' }),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    fromEnvironment: z.boolean().openapi({ description: 'The key is ADMIN_API_KEY: change the variable and restart to replace it.' }),
    createdAt: isoDate,
    revokedAt: isoDate.nullable(),
  })
  .openapi('ApiKey');

const CreatedApiKey = ApiKeySchema.extend({
  key: z
    .string()
    .nullable()
    .openapi({
      example: 'lh_01jd5v3k2m4x7q9r8s6t5w3y1z_3fQm…',
      description: 'The key, shown in this answer only; null when the answer is replayed for a repeated Idempotency-Key (revoke that key and create another if it was lost).',
    }),
}).openapi('CreatedApiKey');

const CreateInput = closedObject({
  name: z.string().trim().min(1).max(200).openapi({ example: 'POS backend', description: 'Who or what uses the key.' }),
  scope: z.enum(SCOPES).default('read').openapi({ description: 'read: look-ups; write: events, earn, redeem, locks; admin: everything.' }),
  idempotencyKey: IdempotencyKeyField,
}).openapi('CreateApiKey');

const IdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });

const present = (k: ApiKeyRecord) => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes,
  fromEnvironment: k.fromEnvironment,
  createdAt: iso(k.createdAt)!,
  revokedAt: iso(k.revokedAt),
});

const list = createRoute({
  method: 'get',
  path: '/api-keys',
  tags: ['API keys'],
  summary: 'List API keys (never their secrets), oldest first',
  middleware: [requireScope('admin')] as const,
  request: {
    query: PageQuery.extend({
      revoked: z.enum(['true', 'false']).optional().openapi({ description: 'false: only keys that still work. Default: all.' }),
    }),
  },
  responses: {
    200: { content: { 'application/json': { schema: z.object({ data: z.array(ApiKeySchema), nextCursor: z.string().nullable() }) } }, description: 'A page of keys' },
    ...errorResponses(400),
  },
});

const create = createRoute({
  method: 'post',
  path: '/api-keys',
  tags: ['API keys'],
  summary: 'Create an API key; the answer shows it, once',
  middleware: [requireScope('admin')] as const,
  request: { headers: IdempotencyHeader, body: { content: { 'application/json': { schema: CreateInput } }, required: true } },
  responses: { 201: { content: { 'application/json': { schema: CreatedApiKey } }, description: 'Created' }, ...errorResponses(400, 409) },
});

const revoke = createRoute({
  method: 'delete',
  path: '/api-keys/{id}',
  tags: ['API keys'],
  summary: 'Revoke an API key: it stops working at once here, within 5 s in other hub processes',
  middleware: [requireScope('admin')] as const,
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 200: { content: { 'application/json': { schema: ApiKeySchema } }, description: 'Revoked (or revoked before)' }, ...errorResponses(404, 409) },
});

export function apiKeysRoutes({ store, commit }: ApiDeps, verifier: ApiKeyVerifier) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(list, async (c) => {
    const { limit, cursor, revoked } = c.req.valid('query');
    const after = cursor ? decodeIdCursor(cursor, API_KEY_ID, { bare: true }) : undefined;
    const page = await listApiKeys(store.db, { limit, cursor: after, includeRevoked: revoked !== 'false' });
    return c.json({ data: page.data.map(present), nextCursor: page.nextCursor && encodeIdCursor(page.nextCursor) }, 200);
  });

  app.openapi(create, async (c) => {
    const { name, scope } = c.req.valid('json');
    const { key, record } = await createApiKey(commit, name, [scope], c.get('principal').name);
    // An Idempotency-Key replay must not show the key again (docs/security.md).
    hideSecretsOnReplay(c, ['key'], 'The key is shown once, in the first answer; revoke this key and create another if it was lost.');
    return c.json({ ...present(record), key }, 201);
  });

  app.openapi(revoke, async (c) => {
    const { id } = c.req.valid('param');
    const result = await revokeApiKey(commit, id, { actor: c.get('principal').name });
    switch (result.status) {
      case 'not-found':
        throw new ProblemError(404, 'api-key-not-found', 'API key not found', `No API key ${id}.`);
      case 'from-environment':
        throw new ProblemError(409, 'api-key-from-environment', 'Key comes from the environment', 'This is the ADMIN_API_KEY key: change or unset ADMIN_API_KEY and restart the hub to replace it.');
      case 'last-admin':
        throw new ProblemError(409, 'last-admin-key', 'Last admin key', 'This is the only admin key that still works: create another admin key first, or nobody could administer the hub.');
      case 'revoked':
      case 'already-revoked':
        verifier.forget(id);
        return c.json(present(result.record), 200);
    }
  });

  return app;
}
