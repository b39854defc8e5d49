/**
 * Request and response schemas: the same zod objects validate requests and generate
 * `/openapi.json`, so the documentation cannot disagree with what the API accepts.
 */
import { z } from '@hono/zod-openapi';
import { isCurrency } from '../triggers/money.js';
import { closedObject } from './closed-object.js';

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/insufficient-points' }),
    title: z.string().openapi({ example: 'Insufficient points' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().optional(),
    errors: z
      .array(z.object({ pointer: z.string(), in: z.enum(['body', 'query', 'path', 'header']), message: z.string() }))
      .optional(),
  })
  .catchall(z.unknown())
  .openapi('Problem');

const problem = (description: string) => ({
  content: { 'application/problem+json': { schema: ProblemSchema } },
  description,
});

/** The error responses every authenticated route can give, plus the ones named. */
export function errorResponses(...statuses: (400 | 404 | 409 | 422)[]) {
  const all = {
    400: problem('The request is malformed; `errors[]` names each field'),
    401: problem('No API key, or an unknown or revoked one'),
    403: problem("The API key's scope does not allow this"),
    404: problem('Not found'),
    409: problem('Conflicts with the current state or an earlier request with the same Idempotency-Key'),
    422: problem('Understood but refused, e.g. more points than are available'),
  } as const;
  return Object.fromEntries(Object.entries(all).filter(([s]) => ['401', '403', ...statuses.map(String)].includes(s))) as Partial<typeof all>;
}

/**
 * The Idempotency-Key header as a body field: every write with a JSON body accepts it (docs/api.md,
 * "Idempotency"), so it is named in each of those closed bodies.
 */
export const IdempotencyKeyField = z.string().max(255).optional().openapi({ description: 'The `Idempotency-Key` header, sent in the body instead.' });

/**
 * The body of a write that takes nothing but may carry its idempotency key (a release, a retry,
 * a replay): optional, and any other field is refused rather than ignored — `{"points": 5}` on
 * a release would otherwise release everything (core/api/closed-object.ts).
 */
export const KeyOnlyBody = {
  content: { 'application/json': { schema: closedObject({ idempotencyKey: IdempotencyKeyField }).openapi('KeyOnlyBody') } },
  required: false,
} as const;

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .openapi({ description: 'Same key + same body returns the first result; a different body gets 409.' }),
});

/** An ISO 4217 code in use (core/triggers/money.ts), any case: `ZZZ` is refused here and in webhooks alike. */
export const Currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code like USD')
  .refine(isCurrency, 'not an ISO 4217 currency code')
  .openapi({ example: 'USD' });

const isoDate = z.string().openapi({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' });
export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

export const Alias = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_-]{1,31}:\S{1,200}$/, 'an alias is platform:id, e.g. shopify:123')
  .openapi({ example: 'shopify:7390123' });

/** A member's profile as a body sends it: closed, but for `attributes`, the member's free-form map. */
export const MemberProfileInput = closedObject({
  email: z.email().max(254).nullish(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'a phone number in E.164 form, e.g. +14155550100')
    .nullish(),
  firstName: z.string().max(100).nullish(),
  lastName: z.string().max(100).nullish(),
  birthDate: z.iso.date().nullish().openapi({ example: '1990-04-12' }),
  locale: z.string().max(35).nullish(),
  consent: closedObject({ email: z.boolean().optional(), sms: z.boolean().optional() }).optional(),
  attributes: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Free-form: any keys, kept as sent.' }),
});

export const EnrollInput = MemberProfileInput.extend({
  aliases: z.array(Alias).max(20).optional(),
  idempotencyKey: IdempotencyKeyField,
}).openapi('EnrollMember');

export const UpdateMemberInput = MemberProfileInput.extend({
  addAliases: z.array(Alias).max(20).optional(),
  tier: z
    .string()
    .max(50)
    .nullish()
    .openapi({ description: "A tier set by hand, one of the program's tiers: a floor under the earned tier. null clears it (the earned tier is reviewed). A move of the tier held emits tier.upgraded / tier.downgraded." }),
  status: z.enum(['active', 'suspended']).optional().openapi({ description: 'Suspend or reactivate the member (admin scope; docs/api.md, "Member status").' }),
  reason: z.string().trim().min(1).max(500).optional().openapi({ description: 'Why the status changes; required when suspending.' }),
  idempotencyKey: IdempotencyKeyField,
}).openapi('UpdateMember');

export const MemberSchema = z
  .object({
    id: z.string().openapi({ example: 'mem_01jd5v3k2m4x7q9r8s6t5w3y1z' }),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    birthDate: z.string().nullable(),
    locale: z.string().nullable(),
    consent: z.object({ email: z.boolean(), sms: z.boolean() }),
    tier: z.string().nullable().openapi({ description: 'The tier the member holds: earned, raised to the manual tier if that is higher (the same as the balance shows).' }),
    manualTier: z.string().nullable().openapi({ description: 'The tier set by hand (a floor), or null.' }),
    attributes: z.record(z.string(), z.unknown()),
    aliases: z.array(z.string()),
    status: z.enum(['active', 'suspended', 'erased']),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .openapi('Member');

export const BalanceSchema = z
  .object({
    memberId: z.string(),
    available: z.number().int(),
    pending: z.number().int(),
    locked: z.number().int(),
    spent: z.number().int(),
    expired: z.number().int(),
    lifetimeEarned: z.number().int(),
    debt: z.number().int().openapi({ description: 'Points a refund took back beyond what was available, repaid by later earning.' }),
    tier: z.string().nullable(),
    nextTier: z
      .object({
        id: z.string(),
        name: z.string(),
        threshold: z.number().int(),
        qualifyingPoints: z.number().int().openapi({ description: "The member's points that count toward tiers now (the program's tier basis: lifetime, or the last N days)." }),
        pointsNeeded: z.number().int().openapi({ description: 'threshold − qualifyingPoints, at least 0: what a storefront shows as "N points to Gold".' }),
      })
      .nullable()
      .openapi({ description: 'The tier above the one held, and how far the member is from it; null at the top tier or in a program without tiers.' }),
    expiring: z.array(z.object({ points: z.number().int(), expiresAt: isoDate })),
  })
  .openapi('Balance');

export const TransactionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['earn', 'activate', 'spend', 'lock', 'capture', 'unlock', 'expire', 'reverse', 'adjust']),
    amount: z.number().int().openapi({ description: 'Points the transfer moved (always positive).' }),
    effect: z
      .object({
        available: z.number().int().optional(),
        pending: z.number().int().optional(),
        locked: z.number().int().optional(),
        spent: z.number().int().optional(),
        expired: z.number().int().optional(),
        lifetimeEarned: z.number().int().optional(),
      })
      .openapi({ description: "The signed change this transfer made to each of the member's balance fields." }),
    debitAccount: z.string(),
    creditAccount: z.string(),
    source: z.string().openapi({ description: 'Why the line exists: rule, event, redemption, admin, api, system.' }),
    ruleId: z.string().nullable(),
    eventId: z.string().nullable(),
    redemptionId: z.string().nullable(),
    actor: z.string().nullable(),
    reason: z.string().nullable(),
    lockId: z.string().nullable().openapi({ description: 'For capture/unlock: the lock it resolves.' }),
    reversesId: z.string().nullable(),
    lotId: z.string().nullable(),
    expiresAt: isoDate.nullable().openapi({ description: 'For a lock: when it releases itself.' }),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    createdAt: isoDate,
  })
  .openapi('Transaction');

export const LotSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'active', 'closed']),
    amount: z.number().int(),
    remaining: z.number().int().openapi({ description: 'Points of the lot still spendable.' }),
    locked: z.number().int(),
    spent: z.number().int(),
    expired: z.number().int(),
    reversed: z.number().int(),
    activatesAt: isoDate,
    expiresAt: isoDate.nullable().openapi({ description: 'null: the points never expire.' }),
  })
  .openapi('Lot');

/** A line of `GET /members/{id}/transactions`: the transfer and, for a line that names a lot (earn, activate, a credit), that lot now. */
export const HistoryLineSchema = TransactionSchema.extend({
  lot: LotSchema.nullable().openapi({ description: "The lot this line created or moved, as it stands now: when its points activate and expire, and what remains of it." }),
}).openapi('TransactionLine');

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional().openapi({ description: 'The `nextCursor` of the previous page.' }),
});

export const MemberIdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });

/** One rule's points in an evaluation trace: `/v1/evaluate`, and why a received delivery earned (`/v1/inbox/{id}/explanation`). */
export const EvaluationLine = z.object({
  ruleId: z.string(),
  award: z.enum(['fixed', 'attribute', 'perCurrencyUnit', 'lineItems', 'multiplier', 'tier']),
  points: z.number().int(),
  uncapped: z.number().int(),
  cappedBy: z.array(z.string()),
  explanation: z.string(),
  activatesAt: z.string(),
  expiresAt: z.string().nullable(),
});

/** What an evaluation says, shared by `/v1/evaluate` and a delivery's explanation: the trigger, tier, points by rule, and the rules, limits and hold that kept points back. */
export const EvaluationFields = {
  on: z.string(),
  tier: z.string().nullable(),
  total: z.number().int(),
  lines: z.array(EvaluationLine),
  skipped: z.array(z.object({ ruleId: z.string(), reason: z.string() })),
  limited: z.array(z.object({ limit: z.string(), requested: z.number().int(), awarded: z.number().int(), ruleId: z.string().optional() })),
  held: z.object({ reason: z.string(), until: z.string() }).nullable(),
};
