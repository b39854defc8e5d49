import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { asc, gt } from 'drizzle-orm';
import { creditGuestOrders } from '../../program/orders.js';
import { findMemberByAlias, findMemberByEmail, enrollMember, requireMember, updateMember, type MemberProfile } from '../../members/members.js';
import { tablesOf } from '../../storage/prepared.js';
import { requireScope } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import type { ApiEnv } from '../env.js';
import { presentMember } from '../presenters.js';
import { EnrollInput, IdempotencyHeader, MemberIdParam, MemberSchema, PageQuery, UpdateMemberInput, errorResponses } from '../schemas.js';
import { invalidFields, mustBeTier, validationHook } from '../validation.js';
import { eraseMember } from '../../members/erase.js';
import { changeMemberStatus } from '../../members/member-status.js';
import { requireStatusChange } from './member-status-input.js';
import { noteProfileChange } from '../../members/member-history.js';
import { setManualTier } from '../../program/manual-tier.js';
import { idShape } from '../../ids.js';
import { decodeIdCursor, encodeIdCursor, pageOf } from '../cursor.js';

const MEMBER_ID = idShape('mem');

type ProfileInput = z.infer<typeof EnrollInput> | z.infer<typeof UpdateMemberInput>;

function toProfile(body: ProfileInput): MemberProfile {
  const { consent, aliases: _a, idempotencyKey: _k, ...rest } = body as z.infer<typeof EnrollInput>;
  return { ...rest, consentEmail: consent?.email, consentSms: consent?.sms };
}

const enroll = createRoute({
  method: 'post',
  path: '/members',
  tags: ['Members'],
  summary: 'Enroll a member',
  middleware: [requireScope('write')] as const,
  request: { headers: IdempotencyHeader, body: { content: { 'application/json': { schema: EnrollInput } }, required: true } },
  responses: {
    201: { content: { 'application/json': { schema: MemberSchema } }, description: 'Enrolled' },
    ...errorResponses(400, 409),
  },
});

const list = createRoute({
  method: 'get',
  path: '/members',
  tags: ['Members'],
  summary: 'Look members up by e-mail or alias, or list them',
  middleware: [requireScope('read')] as const,
  request: {
    query: PageQuery.extend({
      email: z.string().optional(),
      alias: z.string().optional().openapi({ example: 'shopify:123' }),
    }),
  },
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ data: z.array(MemberSchema), nextCursor: z.string().nullable() }) } },
      description: 'Matching members',
    },
    ...errorResponses(400),
  },
});

const read = createRoute({
  method: 'get',
  path: '/members/{id}',
  tags: ['Members'],
  summary: 'Read a member',
  middleware: [requireScope('read')] as const,
  request: { params: MemberIdParam },
  responses: { 200: { content: { 'application/json': { schema: MemberSchema } }, description: 'The member' }, ...errorResponses(404) },
});

const update = createRoute({
  method: 'patch',
  path: '/members/{id}',
  tags: ['Members'],
  summary: 'Update a member (profile, consent, aliases, manual tier)',
  middleware: [requireScope('write')] as const,
  request: {
    params: MemberIdParam,
    headers: IdempotencyHeader,
    body: { content: { 'application/json': { schema: UpdateMemberInput } }, required: true },
  },
  responses: { 200: { content: { 'application/json': { schema: MemberSchema } }, description: 'Updated' }, ...errorResponses(400, 404, 409) },
});

const erase = createRoute({
  method: 'delete',
  path: '/members/{id}',
  tags: ['Members'],
  summary: 'Erase a member (GDPR): personal data anonymized, ledger kept',
  middleware: [requireScope('admin')] as const,
  request: { params: MemberIdParam, headers: IdempotencyHeader },
  responses: { 200: { content: { 'application/json': { schema: MemberSchema } }, description: 'Erased' }, ...errorResponses(404) },
});

export function membersRoutes({ store, commit, program }: ApiDeps) {
  const { members } = tablesOf(store.db);
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(enroll, async (c) => {
    const body = c.req.valid('json');
    // "I bought before I joined": guest orders placed with this e-mail are credited now.
    const member = await commit(c.get('principal').name, async (w) => {
      const enrolled = await enrollMember(w, { ...toProfile(body), aliases: body.aliases });
      if (enrolled.email) await creditGuestOrders(w, program, enrolled.id, enrolled.email);
      return enrolled;
    });
    return c.json(presentMember(member, program), 201);
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const after = q.cursor ? decodeIdCursor(q.cursor, MEMBER_ID, { bare: true }) : undefined;
    if (q.email || q.alias) {
      const found = q.email ? await findMemberByEmail(store.db, q.email) : await findMemberByAlias(store.db, q.alias!);
      return c.json({ data: found ? [presentMember(found, program)] : [], nextCursor: null }, 200);
    }
    const { rows, nextCursor } = pageOf(
      await store.db
        .select({ id: members.id })
        .from(members)
        .where(after ? gt(members.id, after) : undefined)
        .orderBy(asc(members.id))
        .limit(q.limit + 1),
      q.limit,
      (last) => encodeIdCursor(last.id),
    );
    const data = await Promise.all(rows.map((r) => requireMember(store.db, r.id).then((m) => presentMember(m, program))));
    return c.json({ data, nextCursor }, 200);
  });

  app.openapi(read, async (c) => c.json(presentMember(await requireMember(store.db, c.req.valid('param').id), program), 200));

  app.openapi(update, async (c) => {
    const body = c.req.valid('json');
    const { id } = c.req.valid('param');
    const unknownTier = mustBeTier('/tier', body.tier, program.tiers);
    if (unknownTier.length) throw invalidFields(...unknownTier);
    const { status, reason, ...profile } = body;
    requireStatusChange(c.get('principal'), status, reason);
    const member = await commit(c.get('principal').name, async (w) => {
      const before = await requireMember(w.tx, id);
      if (status) await changeMemberStatus(w, id, status, reason);
      const updated = await updateMember(w.tx, w.now, id, { ...toProfile(profile), addAliases: body.addAliases });
      await noteProfileChange(w, before, updated);
      if (body.tier !== undefined) await setManualTier(w, program, id, body.tier);
      return status || body.tier !== undefined ? requireMember(w.tx, id) : updated;
    });
    return c.json(presentMember(member, program), 200);
  });

  app.openapi(erase, async (c) => {
    const { id } = c.req.valid('param');
    const member = await commit(c.get('principal').name, async (w) => {
      const wasErased = (await requireMember(w.tx, id)).status === 'erased';
      const erased = await eraseMember(w.tx, w.now, id);
      if (!wasErased) await w.note(id, 'erasure.requested');
      return erased;
    });
    return c.json(presentMember(member, program), 200);
  });

  return app;
}

