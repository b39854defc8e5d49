/**
 * Redemption and checkout: redeem a reward, reverse a redemption, use a voucher once, hold
 * points for a cart (lock → capture or release; an expired hold releases itself), quote points
 * as payment, and set a member's redemption PIN.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import { capture, lock, unlock } from '../../ledger/index.js';
import { LedgerError } from '../../ledger/errors.js';
import { requireMember } from '../../members/members.js';
import { requireNotSuspended } from '../../members/member-status.js';
import { checkRedemptionPin, setPin } from '../../rewards/member-pin.js';
import { quotePointsPayment } from '../../rewards/points-payment.js';
import { redeem } from '../../rewards/redeem.js';
import { requireReward } from '../../rewards/catalog.js';
import { reverseRedemption } from '../../rewards/reverse-redemption.js';
import { findVoucher, useVoucher } from '../../rewards/use-voucher.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { presentTransfer } from '../presenters.js';
import { ProblemError } from '../problem.js';
import { closedObject } from '../closed-object.js';
import { Currency, IdempotencyHeader, IdempotencyKeyField, KeyOnlyBody, MemberIdParam, TransactionSchema, errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';
import { RewardSchema, presentReward } from './rewards.js';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true as const });
const ok = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const IdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });
const CodeParam = z.object({ code: z.string().min(4).max(64).openapi({ param: { name: 'code', in: 'path' } }) });

const RedemptionSchema = z
  .object({
    id: z.string(),
    memberId: z.string(),
    reward: RewardSchema,
    points: z.number().int(),
    voucherCode: z.string().nullable().openapi({ description: 'Unguessable; used once at checkout.' }),
    voucherExpiresAt: z.string().nullable(),
    status: z.enum(['issued', 'reversed']),
    transaction: TransactionSchema,
    duplicate: z.boolean(),
  })
  .openapi('Redemption');

const LockSchema = z
  .object({ id: z.string(), memberId: z.string(), points: z.number().int(), expiresAt: z.string().nullable(), transaction: TransactionSchema, duplicate: z.boolean() })
  .openapi('Lock');

const routes = {
  redeem: createRoute({
    method: 'post',
    path: '/members/{id}/redemptions',
    tags: ['Redemption'],
    summary: 'Redeem points for a reward: spends the points, takes one from stock, issues a voucher',
    middleware: [requireScope('write')] as const,
    request: {
      params: MemberIdParam,
      headers: IdempotencyHeader,
      body: json(closedObject({ rewardId: z.string().min(1).max(64), pin: z.string().regex(/^\d{4,8}$/).optional().openapi({ description: 'The member\'s PIN, when the redemption is above `redemption.pinRequiredAbove`.' }), idempotencyKey: IdempotencyKeyField })),
    },
    responses: { 201: ok(RedemptionSchema, 'Redeemed'), 200: ok(RedemptionSchema, 'Redeemed earlier with this Idempotency-Key'), ...errorResponses(400, 404, 409, 422) },
  }),
  reverse: createRoute({
    method: 'post',
    path: '/redemptions/{id}/reverse',
    tags: ['Redemption'],
    summary: 'Reverse a redemption: points back to their lots (original expiry), stock restored, voucher void',
    middleware: [requireScope('write')] as const,
    request: { params: IdParam, headers: IdempotencyHeader, body: { content: { 'application/json': { schema: closedObject({ reason: z.string().max(500).optional(), idempotencyKey: IdempotencyKeyField }) } }, required: false } },
    responses: { 200: ok(z.object({ redemptionId: z.string(), transaction: TransactionSchema, alreadyReversed: z.boolean() }), 'Reversed'), ...errorResponses(404, 409) },
  }),
  useVoucher: createRoute({
    method: 'post',
    path: '/vouchers/{code}/use',
    tags: ['Redemption'],
    summary: 'Use a voucher at checkout: succeeds once, 409 after',
    middleware: [requireScope('write')] as const,
    request: { headers: IdempotencyHeader, params: CodeParam, body: { content: { 'application/json': { schema: closedObject({ reference: z.string().max(200).optional().openapi({ description: 'The order or till receipt it was used on.' }), idempotencyKey: IdempotencyKeyField }) } }, required: false } },
    responses: { 200: ok(z.object({ code: z.string(), status: z.literal('used'), rewardId: z.string(), memberId: z.string(), usedAt: z.string() }), 'Used'), ...errorResponses(404, 409) },
  }),
  getVoucher: createRoute({
    method: 'get',
    path: '/vouchers/{code}',
    tags: ['Redemption'],
    summary: 'Check a voucher (authenticate it at a till before using it)',
    middleware: [requireScope('write')] as const,
    request: { params: CodeParam },
    responses: {
      200: ok(z.object({ code: z.string(), status: z.enum(['active', 'used', 'void']), valid: z.boolean(), rewardId: z.string(), memberId: z.string(), expiresAt: z.string().nullable(), usedAt: z.string().nullable() }), 'The voucher'),
      ...errorResponses(404),
    },
  }),
  lock: createRoute({
    method: 'post',
    path: '/members/{id}/locks',
    tags: ['Checkout'],
    summary: 'Hold points for a cart; released by itself after the TTL unless captured or released',
    middleware: [requireScope('write')] as const,
    request: {
      params: MemberIdParam,
      headers: IdempotencyHeader,
      body: json(closedObject({ points: z.number().int().min(1).max(1e9), ttlSeconds: z.number().int().min(10).max(7 * 86_400).default(900), reference: z.string().max(200).optional(), idempotencyKey: IdempotencyKeyField })),
    },
    responses: { 201: ok(LockSchema, 'Held'), ...errorResponses(400, 404, 409, 422) },
  }),
  capture: createRoute({
    method: 'post',
    path: '/locks/{id}/capture',
    tags: ['Checkout'],
    summary: 'Spend held points (all, or part: the rest is released)',
    middleware: [requireScope('write')] as const,
    request: { params: IdParam, headers: IdempotencyHeader, body: { content: { 'application/json': { schema: closedObject({ points: z.number().int().min(1).optional(), idempotencyKey: IdempotencyKeyField }) } }, required: false } },
    responses: { 200: ok(z.object({ transaction: TransactionSchema, duplicate: z.boolean() }), 'Captured'), ...errorResponses(404, 409, 422) },
  }),
  release: createRoute({
    method: 'post',
    path: '/locks/{id}/release',
    tags: ['Checkout'],
    summary: 'Release held points back to available',
    middleware: [requireScope('write')] as const,
    request: { params: IdParam, headers: IdempotencyHeader, body: KeyOnlyBody },
    responses: { 200: ok(z.object({ transaction: TransactionSchema, duplicate: z.boolean() }), 'Released'), ...errorResponses(404, 409) },
  }),
  quote: createRoute({
    method: 'post',
    path: '/members/{id}/points-payment-quote',
    tags: ['Checkout'],
    summary: 'Points as payment: how many points an amount costs, and how much the member can cover',
    middleware: [requireScope('read')] as const,
    request: { headers: IdempotencyHeader, params: MemberIdParam, body: json(closedObject({ amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), currency: Currency, idempotencyKey: IdempotencyKeyField })) },
    responses: {
      200: ok(
        z.object({ currency: z.string(), amount: z.number().int(), pointsNeeded: z.number().int(), pointsUsable: z.number().int(), valueOfUsable: z.number().int(), remainder: z.number().int(), rate: z.object({ points: z.number().int(), value: z.number().int() }) }),
        'The quote (hold `pointsUsable` with a lock, capture it when the order is paid)',
      ),
      ...errorResponses(404, 422),
    },
  }),
  pin: createRoute({
    method: 'put',
    path: '/members/{id}/pin',
    tags: ['Redemption'],
    summary: "Set or change the member's redemption PIN (stored hashed)",
    middleware: [requireScope('write')] as const,
    request: { headers: IdempotencyHeader, params: MemberIdParam, body: json(closedObject({ pin: z.string().regex(/^\d{4,8}$/, '4 to 8 digits'), idempotencyKey: IdempotencyKeyField })) },
    responses: { 204: { description: 'Set' }, ...errorResponses(400, 404) },
  }),
};

export function redemptionRoutes({ store, commit, ledger, program, clock }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const keyOf = (c: { get(k: 'idempotencyKey'): string | undefined; get(k: 'principal'): { keyId: string } }) => `${c.get('principal').keyId}:${c.get('idempotencyKey') ?? randomUUID()}`;

  app.openapi(routes.redeem, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await requireMember(store.db, id);
    const reward = await requireReward(store.db, body.rewardId);
    await checkRedemptionPin(store, commit, program, clock(), id, reward.cost, body.pin);
    const key = keyOf(c);
    const result = await commit(c.get('principal').name, (w) => redeem(w, program, { memberId: id, rewardId: body.rewardId, idempotencyKey: key }));
    return c.json(
      {
        id: result.redemption.id,
        memberId: id,
        reward: presentReward(result.reward),
        points: result.redemption.points,
        voucherCode: result.redemption.voucherCode,
        voucherExpiresAt: iso(result.redemption.voucherExpiresAt),
        status: result.redemption.status as 'issued' | 'reversed',
        transaction: presentTransfer(result.posted.transfer),
        duplicate: result.duplicate,
      },
      result.duplicate ? 200 : 201,
    );
  });

  app.openapi(routes.reverse, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const result = await commit(c.get('principal').name, (w) => reverseRedemption(w, id, { reason: body.reason }));
    return c.json({ redemptionId: id, transaction: presentTransfer(result.posted.transfer), alreadyReversed: result.alreadyReversed }, 200);
  });

  app.openapi(routes.useVoucher, async (c) => {
    const { code } = c.req.valid('param');
    const body = c.req.valid('json');
    const used = await commit(c.get('principal').name, (w) => useVoucher(w, code, body.reference));
    return c.json({ code: used.code, status: 'used' as const, rewardId: used.rewardId, memberId: used.memberId, usedAt: iso(used.usedAt)! }, 200);
  });

  app.openapi(routes.getVoucher, async (c) => {
    const v = await findVoucher(store.db, c.req.valid('param').code);
    if (!v) throw new ProblemError(404, 'voucher-not-found', 'Voucher not found', 'No such voucher.');
    const valid = v.status === 'active' && (v.expiresAt === null || v.expiresAt >= clock());
    return c.json({ code: v.code, status: v.status as 'active' | 'used' | 'void', valid, rewardId: v.rewardId, memberId: v.memberId, expiresAt: iso(v.expiresAt), usedAt: iso(v.usedAt) }, 200);
  });

  app.openapi(routes.lock, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await requireMember(store.db, id);
    const expiresAt = clock() + body.ttlSeconds * 1000;
    const posted = await commit(c.get('principal').name, async (w) => {
      await requireNotSuspended(w.tx, id, 'lock points at checkout');
      return w.post(lock, { memberId: id, points: body.points, expiresAt, idempotencyKey: `lock:${keyOf(c)}`, why: { source: 'api', reason: body.reference ?? 'checkout hold' } });
    });
    return c.json({ id: posted.transfer.id, memberId: id, points: posted.transfer.amount, expiresAt: iso(posted.transfer.timeoutAt), transaction: presentTransfer(posted.transfer), duplicate: posted.duplicate }, 201);
  });

  app.openapi(routes.capture, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const posted = await commit(c.get('principal').name, (w) =>
      w.post(capture, { lockId: id, points: body.points, idempotencyKey: `capture:${id}`, why: { source: 'api', reason: 'checkout captured' } }),
    ).catch((error: unknown) => {
      // The lock's capture is keyed by the lock: another amount after it is a lock already
      // resolved, not the client's Idempotency-Key reused (docs/api.md, "Idempotency").
      if (error instanceof LedgerError && error.code === 'idempotency_conflict') {
        throw new LedgerError('hold_not_open', `lock ${id} was already captured, for another number of points (transaction ${String(error.detail.transferId)}); a lock is captured once and the rest of it was released`, {
          lockId: id,
          transactionId: error.detail.transferId,
        });
      }
      throw error;
    });
    return c.json({ transaction: presentTransfer(posted.transfer), duplicate: posted.duplicate }, 200);
  });

  app.openapi(routes.release, async (c) => {
    const { id } = c.req.valid('param');
    const posted = await commit(c.get('principal').name, (w) =>
      w.post(unlock, { lockId: id, idempotencyKey: `unlock:${id}`, why: { source: 'api', reason: 'checkout released' } }),
    );
    return c.json({ transaction: presentTransfer(posted.transfer), duplicate: posted.duplicate }, 200);
  });

  app.openapi(routes.quote, async (c) => {
    const { id } = c.req.valid('param');
    const { amount, currency } = c.req.valid('json');
    await requireMember(store.db, id);
    const balance = await ledger.balance(id);
    return c.json(quotePointsPayment(program, amount, currency, balance?.available ?? 0), 200);
  });

  app.openapi(routes.pin, async (c) => {
    const { id } = c.req.valid('param');
    const { pin } = c.req.valid('json');
    await requireMember(store.db, id);
    await commit(c.get('principal').name, ({ tx, now }) => setPin(tx, now, id, pin));
    return c.body(null, 204);
  });

  return app;
}
