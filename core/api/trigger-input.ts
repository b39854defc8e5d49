/**
 * The trigger events own apps post to `POST /v1/events` and `POST /v1/evaluate`, as request
 * schemas: the same shape connectors produce (core/triggers/trigger-event.ts), with money as
 * integer minor units and an explicit currency. Every object is closed (an unknown field is
 * refused, core/api/closed-object.ts) but `attributes`, the event's free-form map.
 */
import { z } from '@hono/zod-openapi';
import type { Program } from '../program/compiled-program.js';
import { EXPLICIT_RULE } from '../program/post-evaluation.js';
import { identifyTrigger } from '../triggers/order-identity.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import { normalizeCurrency } from '../triggers/money.js';
import { closedObject } from './closed-object.js';
import { Alias, Currency, IdempotencyKeyField } from './schemas.js';

const Minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const EventCustomer = closedObject({
  memberId: z.string().max(64).optional(),
  email: z.email().max(254).optional(),
  aliases: z.array(Alias).max(20).optional(),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'a phone number in E.164 form').optional(),
  firstName: z.string().max(100).optional(),
  lastName: z.string().max(100).optional(),
})
  .refine((c) => c.memberId || c.email || c.aliases?.length, 'name the member: memberId, email or aliases')
  .openapi('EventCustomer');

/**
 * A line of an order. SPEC §4 names a line by its sku, product, category, quantity and unit
 * price; `total` (what was paid for it after discounts) is what line rules earn on, and without
 * it the line is taken at quantity × unit price — refused when that is past what an integer of
 * minor units holds, rather than rounded.
 */
const LineItemInput = closedObject({
  id: z.string().max(100).optional(),
  sku: z.string().max(100).optional(),
  productId: z.string().max(100).optional(),
  category: z.string().max(100).optional(),
  quantity: z.number().int().min(1).max(1e6),
  unitPrice: Minor,
  total: Minor.optional().openapi({ description: 'What was paid for the line after discounts, minor units; default quantity × unitPrice.' }),
})
  .refine((l) => l.total !== undefined || Number.isSafeInteger(l.quantity * l.unitPrice), {
    message: 'quantity × unitPrice is too large for minor units: give the line its total',
    path: ['total'],
  })
  .transform((l) => ({ ...l, total: l.total ?? l.quantity * l.unitPrice }));

/** A refunded line names the order's line by its `id`, or by SKU. */
const RefundLineInput = closedObject({
  lineItemId: z.string().min(1).max(100).optional().openapi({ description: "The order line's `id`." }),
  sku: z.string().min(1).max(100).optional(),
  quantity: z.number().int().min(1).max(1e6).openapi({ description: 'Units refunded.' }),
  amount: Minor.optional().openapi({ description: "Money refunded for the line, minor units; by default its share of the line's total." }),
})
  .refine((l) => l.lineItemId !== undefined || l.sku !== undefined, { message: 'name the line: lineItemId or sku', path: ['lineItemId'] })
  .openapi('RefundLine');

export const OrderInput = closedObject({
  id: z.string().min(1).max(200),
  channel: z.string().max(40).default('online'),
  location: z.string().max(100).optional(),
  currency: Currency,
  amount: Minor.openapi({ description: 'Paid after discounts, without shipping and tax, in minor units (12345 = 123.45 USD).', example: 12345 }),
  total: Minor.optional(),
  discountCodes: z.array(z.string().max(100)).max(50).default([]),
  lineItems: z.array(LineItemInput).max(500).default([]),
}).openapi('OrderFacts');

const Base = {
  id: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'Your stable id for this event; the same id is applied once. Defaults to the Idempotency-Key.' }),
  occurredAt: z.iso.datetime().optional(),
  customer: EventCustomer,
  attributes: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Free-form facts for rule conditions: any keys, kept as sent.' }),
  idempotencyKey: IdempotencyKeyField,
};

export const TriggerInput = z
  .discriminatedUnion('type', [
    closedObject({
      ...Base,
      type: z.literal('activity'),
      name: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a lower-case activity name like review.posted').openapi({ example: 'review.posted' }),
      points: z
        .number()
        .int()
        .min(1)
        .max(1e9)
        .optional()
        .openapi({ description: "Award exactly these points instead of the program's rules for this activity (caps still apply).", example: 25 }),
    }),
    closedObject({ ...Base, type: z.literal('order.paid'), order: OrderInput }),
    closedObject({
      ...Base,
      type: z.literal('order.refunded'),
      refund: closedObject({
        orderId: z.string().min(1).max(200),
        refundId: z.string().min(1).max(200),
        currency: Currency,
        amount: Minor.optional(),
        full: z.boolean().optional(),
        lineItems: z.array(RefundLineInput).min(1).max(500).optional().openapi({
          description: 'The refunded lines: what they earned is taken back, not a share of the amount (docs/program.md, "Refunds by line items").',
        }),
      }),
    }),
    closedObject({ ...Base, type: z.literal('order.cancelled'), order: closedObject({ id: z.string().min(1).max(200) }) }),
    closedObject({ ...Base, type: z.enum(['customer.created', 'customer.updated']) }),
  ])
  .openapi('TriggerEvent');

export type TriggerInputBody = z.infer<typeof TriggerInput>;

/** Builds the trigger event; `key` is the caller's id for it (body id or Idempotency-Key). */
export function triggerFromInput(body: TriggerInputBody, key: string, now: number): TriggerEvent {
  const base = {
    source: 'api',
    occurredAt: body.occurredAt ? Date.parse(body.occurredAt) : now,
    customer: { ...body.customer },
    attributes: body.attributes,
  };
  switch (body.type) {
    case 'activity':
      return { ...base, id: `api:${key}`, type: 'activity', name: body.name };
    // Order facts are named by the core from (source, order id), as a connector's are.
    case 'order.paid':
      return identifyTrigger({ ...base, type: 'order.paid', order: { ...body.order, currency: normalizeCurrency(body.order.currency) } });
    case 'order.refunded':
      return identifyTrigger({ ...base, type: 'order.refunded', refund: { ...body.refund, currency: normalizeCurrency(body.refund.currency) } });
    case 'order.cancelled':
      return identifyTrigger({ ...base, type: 'order.cancelled', order: body.order });
    default:
      return { ...base, id: `api:${body.type}:${key}`, type: body.type };
  }
}

/** An activity posted with explicit points runs a one-rule program: caps still apply. */
export function explicitProgram(program: Program, body: TriggerInputBody): Program {
  if (body.type !== 'activity' || body.points === undefined) return program;
  const d = program.config.defaults;
  return {
    ...program,
    rules: [{ id: EXPLICIT_RULE, on: body.name, conditions: {}, award: { kind: 'fixed', points: body.points }, pendingDays: d.pendingDays, expiry: d.expiry, limit: {}, stop: true }],
  };
}

