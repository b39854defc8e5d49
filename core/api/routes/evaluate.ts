/**
 * `POST /v1/evaluate`: what an event would earn, rule by rule, with nothing posted. It runs the
 * very function real earning runs (`evaluateTrigger`), on the member's real tier, segments and
 * counters, so the preview and the ledger cannot disagree.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { findMemberByAlias, findMemberByEmail, getMember } from '../../members/members.js';
import type { Db } from '../../storage/store.js';
import type { TriggerCustomer } from '../../triggers/trigger-event.js';
import { counterReader } from '../../program/counters.js';
import { evaluateTrigger } from '../../program/evaluate.js';
import { memberContext } from '../../program/member-standing.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { closedObject } from '../closed-object.js';
import { EvaluationFields, IdempotencyHeader, IdempotencyKeyField, errorResponses, iso } from '../schemas.js';
import { TriggerInput, explicitProgram, triggerFromInput } from '../trigger-input.js';
import { invalidFields, mustBeTier, validationHook } from '../validation.js';

const EvaluateInput = closedObject({
  event: TriggerInput,
  /** For a customer not enrolled yet: the tier to evaluate as (default: the base tier). */
  tier: z.string().optional(),
  idempotencyKey: IdempotencyKeyField,
}).openapi('EvaluateRequest');

const EvaluateResult = z
  .object({ ...EvaluationFields, memberId: z.string().nullable() })
  .openapi('Evaluation');

const route = createRoute({
  method: 'post',
  path: '/evaluate',
  tags: ['Events'],
  summary: 'Preview what an event (a basket) would earn, rule by rule; nothing is posted',
  middleware: [requireScope('read')] as const,
  request: { headers: IdempotencyHeader, body: { content: { 'application/json': { schema: EvaluateInput } }, required: true } },
  responses: { 200: { content: { 'application/json': { schema: EvaluateResult } }, description: 'The evaluation' }, ...errorResponses(400, 404) },
});

export function evaluateRoutes({ store, program, clock }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(route, async (c) => {
    const { event, tier } = c.req.valid('json');
    const unknownTier = mustBeTier('/tier', tier, program.tiers);
    if (unknownTier.length) throw invalidFields(...unknownTier);
    const now = clock();
    const trigger = triggerFromInput(event, event.id ?? 'preview', now);
    const db = store.db;
    const found = await findCustomer(db, trigger.customer);
    const member = found
      ? await memberContext(db, program, found.id)
      : { tier: tier ?? program.tiers[0]?.id ?? null, segments: [], attributes: {} };
    const evaluation = await evaluateTrigger(explicitProgram(program, event), trigger, member, counterReader(db), now);
    return c.json(
      {
        on: evaluation.on,
        memberId: found?.id ?? null,
        tier: evaluation.tier,
        total: evaluation.total,
        lines: evaluation.lines.map((l) => ({ ...l, activatesAt: iso(l.activatesAt)!, expiresAt: iso(l.expiresAt) })),
        skipped: evaluation.skipped,
        limited: evaluation.limited,
        held: evaluation.held ? { reason: evaluation.held.reason, until: iso(evaluation.held.until)! } : null,
      },
      200,
    );
  });
  return app;
}

/** The member an event names, if enrolled; a read only (a preview links no aliases). */
async function findCustomer(db: Db, customer: TriggerCustomer | undefined) {
  if (!customer) return undefined;
  if (customer.memberId) return getMember(db, customer.memberId);
  for (const alias of customer.aliases ?? []) {
    const m = await findMemberByAlias(db, alias);
    if (m) return m;
  }
  return customer.email ? findMemberByEmail(db, customer.email) : undefined;
}
