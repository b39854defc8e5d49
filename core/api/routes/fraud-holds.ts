/**
 * Fraud review (docs/api.md, "Fraud holds"): the points the velocity check held, listed by
 * status, approved (they activate) or rejected (they are voided) once, with a reason, by an
 * admin. The logic is core/program/fraud-holds.ts.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Writer } from '../../commit/writer.js';
import { idShape } from '../../ids.js';
import { FRAUD_HOLD_STATUSES, approveFraudHold, fraudHoldLink, getFraudHold, listFraudHolds, rejectFraudHold, type FraudHold } from '../../program/fraud-holds.js';
import { requireScope } from '../authenticate.js';
import { decodeIdCursor, encodeIdCursor } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { presentTransfer } from '../presenters.js';
import { ProblemError } from '../problem.js';
import { closedObject } from '../closed-object.js';
import { IdempotencyHeader, IdempotencyKeyField, PageQuery, TransactionSchema, errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';

const HOLD_ID = idShape('fh');
const HoldIdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'fh_01jd5v3k2m4x7q9r8s6t5w3y1z' }) });

export const FraudHoldSchema = z
  .object({
    id: z.string(),
    memberId: z.string(),
    status: z.enum(FRAUD_HOLD_STATUSES),
    points: z.number().int(),
    ruleId: z.string().openapi({ example: 'fraud.velocity' }),
    reason: z.string().openapi({ description: 'Why the check held the points.' }),
    eventId: z.string().openapi({ description: 'The trigger whose points are held.', example: 'shopify:order:5551234' }),
    heldAt: z.string(),
    heldUntil: z.string().openapi({ description: 'The review is due by then (`fraud.velocity.holdDays`); open points stay pending after it.' }),
    overdue: z.boolean().openapi({ description: 'Open past `heldUntil`.' }),
    lines: z.array(z.object({ transferId: z.string(), lotId: z.string(), ruleId: z.string(), points: z.number().int() })),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable().openapi({ description: 'The API key that approved or rejected it.' }),
    decisionReason: z.string().nullable(),
    link: z.string().openapi({ example: '/v1/fraud-holds/fh_01jd5v3k2m4x7q9r8s6t5w3y1z' }),
  })
  .openapi('FraudHold');

const DecisionInput = closedObject({ reason: z.string().trim().min(1, 'say why').max(500), idempotencyKey: IdempotencyKeyField });

const ok = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const DecisionResult = z.object({ hold: FraudHoldSchema, transactions: z.array(TransactionSchema) });

const routes = {
  list: createRoute({
    method: 'get',
    path: '/fraud-holds',
    tags: ['Fraud review'],
    summary: 'Points held for fraud review, by status (and member), oldest first',
    middleware: [requireScope('admin')] as const,
    request: {
      query: PageQuery.extend({
        status: z.enum(FRAUD_HOLD_STATUSES).default('open'),
        memberId: z.string().min(1).max(64).optional().openapi({ description: "Only this member's holds." }),
      }),
    },
    responses: { 200: ok(z.object({ data: z.array(FraudHoldSchema), nextCursor: z.string().nullable() }), 'The holds'), ...errorResponses(400) },
  }),
  read: createRoute({
    method: 'get',
    path: '/fraud-holds/{id}',
    tags: ['Fraud review'],
    summary: 'One fraud hold (the link `fraud.flagged` carries)',
    middleware: [requireScope('admin')] as const,
    request: { params: HoldIdParam },
    responses: { 200: ok(FraudHoldSchema, 'The hold'), ...errorResponses(404) },
  }),
  approve: createRoute({
    method: 'post',
    path: '/fraud-holds/{id}/approve',
    tags: ['Fraud review'],
    summary: 'Approve held points: they activate (once; 409 after a decision)',
    middleware: [requireScope('admin')] as const,
    request: { headers: IdempotencyHeader, params: HoldIdParam, body: { content: { 'application/json': { schema: DecisionInput } }, required: true } },
    responses: { 200: ok(DecisionResult, 'Approved'), ...errorResponses(400, 404, 409) },
  }),
  reject: createRoute({
    method: 'post',
    path: '/fraud-holds/{id}/reject',
    tags: ['Fraud review'],
    summary: 'Reject held points: they are voided (once; 409 after a decision)',
    middleware: [requireScope('admin')] as const,
    request: { headers: IdempotencyHeader, params: HoldIdParam, body: { content: { 'application/json': { schema: DecisionInput } }, required: true } },
    responses: { 200: ok(DecisionResult, 'Rejected'), ...errorResponses(400, 404, 409) },
  }),
};

function presentHold(h: FraudHold, now: number) {
  return {
    id: h.id,
    memberId: h.memberId,
    status: h.status,
    points: h.points,
    ruleId: h.ruleId,
    reason: h.reason,
    eventId: h.eventId,
    heldAt: iso(h.heldAt)!,
    heldUntil: iso(h.heldUntil)!,
    overdue: h.status === 'open' && now > h.heldUntil,
    lines: h.lines.map((l) => ({ transferId: l.transferId, lotId: l.lotId, ruleId: l.ruleId, points: l.points })),
    decidedAt: iso(h.decidedAt),
    decidedBy: h.decidedBy,
    decisionReason: h.decisionReason,
    link: fraudHoldLink(h.id),
  };
}

export function fraudHoldsRoutes({ store, commit, clock, program }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(routes.list, async (c) => {
    const q = c.req.valid('query');
    const page = await listFraudHolds(store.db, { ...q, cursor: q.cursor ? decodeIdCursor(q.cursor, HOLD_ID, { bare: true }) : undefined });
    const now = clock();
    return c.json({ data: page.data.map((h) => presentHold(h, now)), nextCursor: page.nextCursor && encodeIdCursor(page.nextCursor) }, 200);
  });

  app.openapi(routes.read, async (c) => {
    const { id } = c.req.valid('param');
    const hold = await getFraudHold(store.db, id);
    if (!hold) throw new ProblemError(404, 'fraud-hold-not-found', 'Fraud hold not found', `No fraud hold ${id}.`);
    return c.json(presentHold(hold, clock()), 200);
  });

  for (const [route, decide] of [
    [routes.approve, approveFraudHold],
    [routes.reject, (w: Writer, id: string, reason: string) => rejectFraudHold(w, program, id, reason)],
  ] as const) {
    app.openapi(route, async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const decision = await commit(c.get('principal').name, (w) => decide(w, id, reason));
      return c.json({ hold: presentHold(decision.hold, clock()), transactions: decision.posted.map((p) => presentTransfer(p.transfer)) }, 200);
    });
  }

  return app;
}
