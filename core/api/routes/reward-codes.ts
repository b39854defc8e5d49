/**
 * `GET /v1/rewards/{id}/codes` (read): how many uploaded codes a pool reward has left, for the
 * console's reward page and any back office (docs/api.md, "Rewards, redemption and checkout").
 * The codes themselves are never listed: each is a discount its holder can spend.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { POOL_COUNT_CAP, poolStock } from '../../rewards/pool-stock.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { errorResponses } from '../schemas.js';
import { validationHook } from '../validation.js';

const PoolStockSchema = z
  .object({
    rewardId: z.string(),
    unused: z.number().int().openapi({ description: `Codes not yet given to a redemption, counted up to ${POOL_COUNT_CAP}.`, example: 120 }),
    more: z.boolean().openapi({ description: `True when more than ${POOL_COUNT_CAP} are left (the count stopped there).` }),
  })
  .openapi('RewardPoolStock');

const poolCount = createRoute({
  method: 'get',
  path: '/rewards/{id}/codes',
  tags: ['Rewards'],
  summary: "How many of a pool reward's uploaded codes are left (never the codes)",
  middleware: [requireScope('read')] as const,
  request: { params: z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 200: { content: { 'application/json': { schema: PoolStockSchema } }, description: 'The count' }, ...errorResponses(404) },
});

export function rewardCodesRoutes({ store }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(poolCount, async (c) => c.json(await poolStock(store.db, c.req.valid('param').id), 200));
  return app;
}
