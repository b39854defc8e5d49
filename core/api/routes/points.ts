import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { adjust } from '../../ledger/index.js';
import { requireMember } from '../../members/members.js';
import { effectiveTier, qualifyingPoints, readStanding } from '../../program/member-standing.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { presentTransfer, presentTransfers } from '../presenters.js';
import { decodeSeqCursor, encodeSeqCursor } from '../cursor.js';
import { closedObject } from '../closed-object.js';
import { BalanceSchema, HistoryLineSchema, IdempotencyHeader, IdempotencyKeyField, MemberIdParam, PageQuery, TransactionSchema, errorResponses, iso } from '../schemas.js';
import { invalidFields, mustBeAhead, validationHook } from '../validation.js';

const balance = createRoute({
  method: 'get',
  path: '/members/{id}/balance',
  tags: ['Points'],
  summary: "A member's balance, and every batch of points due to expire",
  middleware: [requireScope('read')] as const,
  request: { params: MemberIdParam },
  responses: { 200: { content: { 'application/json': { schema: BalanceSchema } }, description: 'The balance' }, ...errorResponses(404) },
});

const history = createRoute({
  method: 'get',
  path: '/members/{id}/transactions',
  tags: ['Points'],
  summary: "A member's points history, newest first; each line that created or moved a lot shows that lot (activation, expiry, what remains)",
  middleware: [requireScope('read')] as const,
  request: { params: MemberIdParam, query: PageQuery },
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ data: z.array(HistoryLineSchema), nextCursor: z.string().nullable() }) } },
      description: 'One page of history',
    },
    ...errorResponses(400, 404),
  },
});

const AdjustmentInput = closedObject({
  points: z
    .number()
    .int()
    .refine((n) => n !== 0, 'must not be 0')
    .refine((n) => Math.abs(n) <= 1e12, 'must be at most 10^12 in size')
    .openapi({ description: 'Positive credits, negative debits (never below the available balance).', example: 250 }),
  reason: z.string().min(3).max(500).openapi({ example: 'Goodwill for the late delivery of order #1001' }),
  expiresAt: z.iso.datetime().optional().openapi({ description: 'For a credit: when its points expire (default: never).' }),
  idempotencyKey: IdempotencyKeyField,
}).openapi('Adjustment');

const AdjustmentResult = z
  .object({ transaction: TransactionSchema, balance: BalanceSchema.omit({ tier: true, nextTier: true, expiring: true, debt: true }), duplicate: z.boolean() })
  .openapi('AdjustmentResult');

const adjustment = createRoute({
  method: 'post',
  path: '/members/{id}/adjustments',
  tags: ['Points'],
  summary: 'Credit or debit points by hand, with a reason',
  middleware: [requireScope('admin')] as const,
  request: {
    params: MemberIdParam,
    headers: IdempotencyHeader,
    body: { content: { 'application/json': { schema: AdjustmentInput } }, required: true },
  },
  responses: {
    201: { content: { 'application/json': { schema: AdjustmentResult } }, description: 'Adjusted' },
    ...errorResponses(400, 404, 409, 422),
  },
});

export function pointsRoutes({ store, commit, ledger, program, clock }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(balance, async (c) => {
    const { id } = c.req.valid('param');
    const member = await requireMember(store.db, id);
    const now = clock();
    const [b, expiring, standing, qualifying] = await Promise.all([
      ledger.balance(id),
      ledger.expiring(id),
      readStanding(store.db, id),
      program.tiers.length ? qualifyingPoints(store.db, program, id, now) : 0,
    ]);
    // Under the `unlimited` return policy a refund debt shows as a negative balance.
    const available = program.config.returnPolicy === 'unlimited' ? b!.available - standing.debt : b!.available;
    const held = effectiveTier(program, standing.tier, member.tier);
    // The tier above the one held (a manual tier counts: it is a floor), for "N points to Gold".
    const next = held ? program.tiers[program.tiers.indexOf(held) + 1] : undefined;
    return c.json(
      {
        ...b!,
        available,
        debt: standing.debt,
        tier: held?.id ?? member.tier,
        nextTier: next
          ? { id: next.id, name: next.name, threshold: next.threshold, qualifyingPoints: qualifying, pointsNeeded: Math.max(0, next.threshold - qualifying) }
          : null,
        expiring: expiring.map((e) => ({ points: e.points, expiresAt: iso(e.expiresAt)! })),
      },
      200,
    );
  });

  app.openapi(history, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    await requireMember(store.db, id);
    const rows = await ledger.history(id, { limit: limit + 1, before: cursor ? decodeSeqCursor(cursor) : undefined });
    const page = rows.slice(0, limit);
    return c.json(
      { data: await presentTransfers(store.db, page), nextCursor: rows.length > limit ? encodeSeqCursor(page.at(-1)!.seq) : null },
      200,
    );
  });

  app.openapi(adjustment, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const clientKey = c.get('idempotencyKey');
    const expiresAt = body.expiresAt ? Date.parse(body.expiresAt) : null;
    const late = mustBeAhead('/expiresAt', expiresAt, clock());
    if (late.length) throw invalidFields(...late);
    const posted = await commit(principal.name, (w) =>
      w.post(adjust, {
        memberId: id,
        points: body.points,
        expiresAt,
        idempotencyKey: `adjust:${principal.keyId}:${clientKey ?? randomUUID()}`,
        why: { source: 'admin', reason: body.reason },
      }),
    );
    const { memberId: _m, ...fields } = (await ledger.balance(id))!;
    return c.json({ transaction: presentTransfer(posted.transfer), balance: { memberId: id, ...fields }, duplicate: posted.duplicate }, 201);
  });

  return app;
}
