/**
 * What support reads to answer a customer about their account (docs/api.md, "Members"): the
 * member's vouchers, redemptions and account history, each newest first and cursor-paged like
 * every list of the API (SPEC §3). Read scope; an unknown member is a 404 problem.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { listMemberHistory } from '../../members/member-history.js';
import { requireMember } from '../../members/members.js';
import { listMemberRedemptions, listMemberVouchers } from '../../rewards/member-rewards.js';
import { requireScope } from '../authenticate.js';
import { decodeSeqCursor, decodeTimeCursor, encodeSeqCursor, encodeTimeCursor, pageOf } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { MemberIdParam, PageQuery, errorResponses, iso } from '../schemas.js';
import { validationHook } from '../validation.js';

const isoDate = z.string().openapi({ format: 'date-time' });
const RewardRef = z.object({ id: z.string(), name: z.string().nullable() }).openapi('RewardRef');
const VoucherStatus = z.enum(['active', 'used', 'void']);

export const MemberVoucher = z
  .object({
    code: z.string(),
    status: VoucherStatus.openapi({ description: 'active (not used yet), used (once, at `usedAt`), void (its redemption was reversed).' }),
    valid: z.boolean().openapi({ description: 'Usable now: active and not past its expiry.' }),
    reward: RewardRef,
    redemptionId: z.string(),
    expiresAt: isoDate.nullable(),
    usedAt: isoDate.nullable(),
    usedReference: z.string().nullable().openapi({ description: 'The order or till receipt it was used on.' }),
    createdAt: isoDate,
  })
  .openapi('MemberVoucher');

export const MemberRedemption = z
  .object({
    id: z.string(),
    reward: RewardRef,
    points: z.number().int(),
    status: z.enum(['issued', 'reversed']),
    voucher: z.object({ code: z.string(), status: VoucherStatus.nullable(), expiresAt: isoDate.nullable() }).nullable().openapi({ description: 'The voucher it issued; null for a reward without a code.' }),
    transactionId: z.string().openapi({ description: 'The spend that paid for it (GET /members/{id}/transactions).' }),
    createdAt: isoDate,
    reversedAt: isoDate.nullable(),
  })
  .openapi('MemberRedemption');

const HistoryKind = z.enum(['enrolled', 'imported', 'profile.updated', 'tier.changed', 'status.changed', 'points.held', 'points.approved', 'points.rejected', 'erasure.requested']);

export const HistoryEntry = z
  .object({
    at: isoDate,
    kind: HistoryKind.or(z.string()).openapi({ description: 'What changed about the account (docs/api.md, "Account history").' }),
    actor: z.string().openapi({ description: "Who made the change: an API key's name, a platform, `scheduler`, `cli`." }),
    detail: z.record(z.string(), z.unknown()).openapi({ description: 'What the change was, per kind; never the person\'s e-mail or phone.' }),
  })
  .openapi('MemberHistoryEntry');

const page = <T extends z.ZodType>(item: T, description: string) => ({
  200: { content: { 'application/json': { schema: z.object({ data: z.array(item), nextCursor: z.string().nullable() }) } }, description },
  ...errorResponses(400, 404),
});

const routes = {
  vouchers: createRoute({
    method: 'get',
    path: '/members/{id}/vouchers',
    tags: ['Members'],
    summary: "A member's vouchers, newest first: active, used (when, on what) or void",
    middleware: [requireScope('read')] as const,
    request: { params: MemberIdParam, query: PageQuery },
    responses: page(MemberVoucher, 'One page of vouchers'),
  }),
  redemptions: createRoute({
    method: 'get',
    path: '/members/{id}/redemptions',
    tags: ['Members'],
    summary: "A member's redemptions, newest first, with their voucher and whether they were reversed",
    middleware: [requireScope('read')] as const,
    request: { params: MemberIdParam, query: PageQuery },
    responses: page(MemberRedemption, 'One page of redemptions'),
  }),
  history: createRoute({
    method: 'get',
    path: '/members/{id}/history',
    tags: ['Members'],
    summary: "A member's account history, newest first: enrolment, profile, tier and status moves, points held for review, erasure",
    middleware: [requireScope('read')] as const,
    request: {
      params: MemberIdParam,
      query: PageQuery.extend({
        kind: z
          .string()
          .max(300)
          .refine((v) => v.split(',').every((k) => (HistoryKind.options as readonly string[]).includes(k)), `each kind one of ${HistoryKind.options.join(', ')}`)
          .optional()
          .openapi({ description: 'Only these kinds, comma-separated: `tier.changed` alone is the tier history.', example: 'tier.changed' }),
      }),
    },
    responses: page(HistoryEntry, 'One page of account history'),
  }),
};

export function memberActivityRoutes({ store, clock }: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(routes.vouchers, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const after = cursor ? decodeTimeCursor(cursor) : undefined;
    await requireMember(store.db, id);
    const { rows, nextCursor } = pageOf(await listMemberVouchers(store.db, id, { after, limit: limit + 1 }), limit, (v) => encodeTimeCursor({ at: v.createdAt, id: v.code }));
    const now = clock();
    const data = rows.map((v) => ({
      code: v.code,
      status: v.status as z.infer<typeof VoucherStatus>,
      valid: v.status === 'active' && (v.expiresAt === null || v.expiresAt >= now),
      reward: { id: v.rewardId, name: v.rewardName },
      redemptionId: v.redemptionId,
      expiresAt: iso(v.expiresAt),
      usedAt: iso(v.usedAt),
      usedReference: v.usedReference,
      createdAt: iso(v.createdAt)!,
    }));
    return c.json({ data, nextCursor }, 200);
  });

  app.openapi(routes.redemptions, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const after = cursor ? decodeTimeCursor(cursor) : undefined;
    await requireMember(store.db, id);
    const { rows, nextCursor } = pageOf(await listMemberRedemptions(store.db, id, { after, limit: limit + 1 }), limit, (r) => encodeTimeCursor({ at: r.createdAt, id: r.id }));
    const data = rows.map((r) => ({
      id: r.id,
      reward: { id: r.rewardId, name: r.rewardName },
      points: r.points,
      status: r.status as 'issued' | 'reversed',
      voucher: r.voucherCode ? { code: r.voucherCode, status: r.voucherStatus as z.infer<typeof VoucherStatus> | null, expiresAt: iso(r.voucherExpiresAt) } : null,
      transactionId: r.transferId,
      createdAt: iso(r.createdAt)!,
      reversedAt: iso(r.reversedAt),
    }));
    return c.json({ data, nextCursor }, 200);
  });

  app.openapi(routes.history, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor, kind } = c.req.valid('query');
    const before = cursor ? decodeSeqCursor(cursor) : undefined;
    await requireMember(store.db, id);
    const { rows, nextCursor } = pageOf(await listMemberHistory(store.db, id, { before, limit: limit + 1, kinds: kind?.split(',') }), limit, (e) => encodeSeqCursor(e.seq));
    return c.json({ data: rows.map((e) => ({ at: iso(e.at)!, kind: e.kind, actor: e.actor, detail: e.detail })), nextCursor }, 200);
  });

  return app;
}
