/**
 * `POST /v1/events`: a trigger from the merchant's own apps (referral, review, newsletter, …).
 * Until the rules engine exists, an `activity` states its points explicitly; the ledger line
 * records the event's id, so the same event id earns once however often it is posted.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { ledgerOps } from '../../ledger/index.js';
import { resolveMember } from '../../members/members.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { presentTransfer } from '../presenters.js';
import { ProblemError } from '../problem.js';
import { Alias, IdempotencyHeader, TransactionSchema, errorResponses } from '../schemas.js';
import { validationHook } from '../validation.js';

const Customer = z
  .object({
    memberId: z.string().max(64).optional(),
    email: z.email().max(254).optional(),
    aliases: z.array(Alias).max(20).optional(),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'a phone number in E.164 form').optional(),
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
  })
  .refine((c) => c.memberId || c.email || c.aliases?.length, 'name the member: memberId, email or aliases')
  .openapi('EventCustomer');

export const EventInput = z
  .object({
    id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "Your stable id for this event; the same id is applied once. Defaults to the Idempotency-Key." }),
    type: z.literal('activity'),
    name: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a lower-case activity name like review.posted').openapi({ example: 'review.posted' }),
    occurredAt: z.iso.datetime().optional(),
    customer: Customer,
    points: z.number().int().min(1).max(1e9).openapi({ description: 'Points to award for this activity.', example: 25 }),
    attributes: z.record(z.string(), z.unknown()).optional(),
    idempotencyKey: z.string().max(255).optional(),
  })
  .openapi('TriggerEvent');

const EventResult = z
  .object({
    status: z.enum(['accepted', 'duplicate']),
    eventId: z.string(),
    memberId: z.string(),
    enrolled: z.boolean(),
    transactions: z.array(TransactionSchema),
  })
  .openapi('EventResult');

const post = createRoute({
  method: 'post',
  path: '/events',
  tags: ['Events'],
  summary: 'Record a trigger event (an activity with its points)',
  middleware: [requireScope('write')] as const,
  request: { headers: IdempotencyHeader, body: { content: { 'application/json': { schema: EventInput } }, required: true } },
  responses: {
    201: { content: { 'application/json': { schema: EventResult } }, description: 'Applied' },
    200: { content: { 'application/json': { schema: EventResult } }, description: 'Already applied earlier (same event id)' },
    ...errorResponses(400, 404, 409),
  },
});

export function eventsRoutes({ ledger }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(post, async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const eventId = `api:${body.id ?? c.get('idempotencyKey') ?? randomUUID()}`;
    const { customer } = body;
    const result = await ledger.write(async (tx, now) => {
      const resolved = await resolveMember(
        tx,
        now,
        {
          memberId: customer.memberId,
          email: customer.email,
          aliases: customer.aliases,
          profile: { phone: customer.phone, firstName: customer.firstName, lastName: customer.lastName },
        },
        { enroll: true },
      );
      if (!resolved) throw new ProblemError(404, 'member-not-found', 'Member not found', 'No member matches the event customer.');
      const posted = await ledgerOps.earn(tx, now, {
        memberId: resolved.memberId,
        points: body.points,
        idempotencyKey: `event:${eventId}`,
        why: { source: 'event', eventId, actor: principal.name, reason: body.name, metadata: body.attributes },
      });
      return { ...resolved, posted };
    });
    ledger.observe(result.posted);
    const status = result.posted.duplicate ? 'duplicate' : 'accepted';
    return c.json(
      {
        status,
        eventId,
        memberId: result.memberId,
        enrolled: result.enrolled,
        transactions: [presentTransfer(result.posted.transfer)],
      } as const,
      result.posted.duplicate ? 200 : 201,
    );
  });

  return app;
}
