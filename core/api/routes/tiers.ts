/**
 * `GET /v1/tiers`: the program's tiers as a storefront or a help page shows them — names,
 * thresholds, multipliers, and how points count toward them (docs/api.md, "Tiers"). A member's
 * own place among them is on `GET /v1/members/{id}/balance` (`tier`, `nextTier`).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Program } from '../../program/compiled-program.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { validationHook } from '../validation.js';

const TierSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    threshold: z.number().int().openapi({ description: 'Points counted toward tiers (see `basis`) needed to hold it' }),
    multiplier: z.string().nullable().openapi({ description: 'Decimal, as written in the program (`"1.25"`); null: none', example: '1.25' }),
  })
  .openapi('Tier');

const TiersSchema = z
  .object({
    data: z.array(TierSchema).openapi({ description: 'Lowest threshold first; empty when the program has no tiers' }),
    basis: z
      .union([z.object({ window: z.literal('rolling'), days: z.number().int() }), z.object({ window: z.literal('lifetime') })])
      .nullable()
      .openapi({ description: 'Which earned points count toward tiers: those of the last `days` days, or all' }),
    downgrade: z
      .union([
        z.object({ mode: z.literal('none') }),
        z.object({ mode: z.literal('period_end'), period: z.enum(['month', 'quarter', 'year']) }),
        z.object({ mode: z.literal('after_days'), days: z.number().int() }),
      ])
      .nullable(),
    multiplierAppliesTo: z.array(z.string()).openapi({ description: 'The triggers a tier multiplier applies to', example: ['order.paid'] }),
  })
  .openapi('Tiers');

const list = createRoute({
  method: 'get',
  path: '/tiers',
  tags: ['Program'],
  summary: "The program's tiers: names, thresholds, multipliers and how points count toward them",
  middleware: [requireScope('read')] as const,
  responses: { 200: { content: { 'application/json': { schema: TiersSchema } }, description: 'Tiers' } },
});

export function presentTiers(program: Program): z.infer<typeof TiersSchema> {
  const config = program.config.tiers;
  const written = new Map((config?.levels ?? []).map((t) => [t.id, t.multiplier ?? null]));
  return {
    data: program.tiers.map((t) => ({ id: t.id, name: t.name, threshold: t.threshold, multiplier: written.get(t.id) ?? null })),
    basis: config?.basis ?? null,
    downgrade: config?.downgrade ?? null,
    multiplierAppliesTo: config?.multiplierAppliesTo ?? [],
  };
}

export function tiersRoutes({ program }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(list, (c) => c.json(presentTiers(program), 200));
  return app;
}
