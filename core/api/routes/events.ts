/**
 * `POST /v1/events`: a trigger from the merchant's own apps — an activity (referral, review,
 * newsletter, login, birthday, any custom name) or an order — applied by the program's rules
 * exactly like a platform webhook. The event's id (or the Idempotency-Key) makes it apply once.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { applyTrigger } from '../../program/apply-trigger.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { presentTransfer } from '../presenters.js';
import { IdempotencyHeader, TransactionSchema, errorResponses } from '../schemas.js';
import { TriggerInput, explicitProgram, triggerFromInput } from '../trigger-input.js';
import { invalidFields, validationHook } from '../validation.js';

export const EventInput = TriggerInput;

const EventResult = z
  .object({
    status: z.enum(['accepted', 'duplicate', 'guest', 'parked']),
    eventId: z.string(),
    memberId: z.string().nullable(),
    enrolled: z.boolean(),
    points: z.number().int().openapi({ description: 'Points earned (or, negative, taken back) by this event.' }),
    detail: z.string().optional(),
    transactions: z.array(TransactionSchema),
  })
  .openapi('EventResult');

const post = createRoute({
  method: 'post',
  path: '/events',
  tags: ['Events'],
  summary: "Record a trigger event; the program's rules decide the points",
  middleware: [requireScope('write')] as const,
  request: { headers: IdempotencyHeader, body: { content: { 'application/json': { schema: TriggerInput } }, required: true } },
  responses: {
    201: { content: { 'application/json': { schema: EventResult } }, description: 'Applied' },
    200: { content: { 'application/json': { schema: EventResult } }, description: 'Already applied earlier (same event id)' },
    ...errorResponses(400, 404, 409),
  },
});

export function eventsRoutes({ commit, program }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(post, async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    // An activity or customer event is known only by the caller's id: without one, every retry
    // would earn again (docs/api.md, "Events"). Orders and refunds carry their own ids.
    const key = body.id ?? c.get('idempotencyKey');
    if (key === undefined && !('order' in body) && !('refund' in body)) {
      throw invalidFields(
        { pointer: '/id', in: 'body', message: 'required (or send an Idempotency-Key header): the event is applied once per id' },
        { pointer: '/idempotency-key', in: 'header', message: 'required when the body has no id' },
      );
    }
    const outcome = await commit(principal.name, (w) => applyTrigger(w, explicitProgram(program, body), triggerFromInput(body, key ?? '', w.now)));
    const duplicate = outcome.status === 'duplicate';
    return c.json(
      {
        status: outcome.status === 'applied' ? 'accepted' : outcome.status,
        eventId: outcome.triggerId,
        memberId: outcome.memberId ?? null,
        enrolled: outcome.enrolled,
        points: outcome.points,
        ...(outcome.detail ? { detail: outcome.detail } : {}),
        transactions: outcome.posted.map((p) => presentTransfer(p.transfer)),
      } as const,
      duplicate ? 200 : 201,
    );
  });

  return app;
}
