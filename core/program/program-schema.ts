/**
 * The shape of `config/program.yaml`: the loyalty program as data. Validated with zod at start,
 * so a typo is a message naming the file, the rule and the field, never a rule that silently
 * does not match. `docs/program.md` documents every field; keep the two together.
 */
import { z } from 'zod';

const Id = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, "-", "_" or "."');
const Day = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day like "09:30"');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-12-31');
/** Multipliers and rates are decimals written as text or numbers ("1.25", 1.5), kept exact. */
const Decimal = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const text = String(v).trim();
  if (!/^\d+(\.\d{1,6})?$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a positive decimal with at most 6 decimals` });
    return z.NEVER;
  }
  return text;
});
const MoneyAmount = z.object({ amount: z.union([z.string(), z.number()]).transform(String), currency: z.string().regex(/^[A-Za-z]{3}$/) }).strict();

/** When earned points expire: N days after activation, at the end of the month/year, on a date, or never. */
export const ExpirySchema = z.union([
  z.literal('never'),
  z.object({ afterDays: z.number().int().min(1).max(36_500) }).strict(),
  z.object({ endOf: z.enum(['month', 'quarter', 'year']) }).strict(),
  z.object({ on: IsoDate }).strict(),
]);
export type Expiry = z.infer<typeof ExpirySchema>;

const Period = z.enum(['ever', 'day', 'week', 'month', 'year']);
export type Period = z.infer<typeof Period>;

/** Conditions on the event, the order and the member; every listed condition must hold. */
export const ConditionsSchema = z
  .object({
    channel: z.array(z.string()).min(1).optional(),
    location: z.array(z.string()).min(1).optional(),
    source: z.array(z.string()).min(1).optional(),
    currency: z.array(z.string().regex(/^[A-Za-z]{3}$/)).min(1).optional(),
    /** The order has a line with one of these SKUs / product categories. */
    sku: z.array(z.string()).min(1).optional(),
    category: z.array(z.string()).min(1).optional(),
    /** The order amount (after discounts) is at least this, in this currency; other currencies never match. */
    minAmount: MoneyAmount.optional(),
    tier: z.array(Id).min(1).optional(),
    segment: z.array(Id).min(1).optional(),
    /** true: some discount code was used; false: none was; a list: one of these was. */
    discountCode: z.union([z.boolean(), z.array(z.string()).min(1)]).optional(),
    days: z.array(Day).min(1).optional(),
    hours: z.object({ from: ClockTime, to: ClockTime }).strict().optional(),
    dates: z.object({ from: IsoDate.optional(), to: IsoDate.optional() }).strict().optional(),
  })
  .strict();
export type Conditions = z.infer<typeof ConditionsSchema>;

/** Exactly one kind of award per rule. */
export const AwardSchema = z.union([
  z.object({ fixed: z.number().int().min(1).max(1e9) }).strict(),
  z
    .object({
      /** Points per whole unit of the order's currency (1 per dollar, per euro, per yen). */
      perCurrencyUnit: Decimal,
      rounding: z.enum(['down', 'nearest', 'up']).default('down'),
    })
    .strict(),
  z.object({ multiplier: Decimal }).strict(),
  z
    .object({
      /**
       * The points the trigger itself carries in `attributes.<name>` — what a Journey Builder
       * activity or your own app was configured to give — within `max`; anything else earns
       * nothing from this rule, with the reason in the evaluation.
       */
      attribute: z
        .object({
          name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'an attribute name: letters, digits and _'),
          max: z.number().int().min(1).max(1e9),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      lineItems: z
        .object({
          sku: z.array(z.string()).min(1).optional(),
          category: z.array(z.string()).min(1).optional(),
          /** Matching lines earn this many times the per-currency-unit rate of the rules before. */
          multiplier: Decimal.optional(),
          /** Or: fixed points per unit bought. */
          pointsPerItem: z.number().int().min(1).max(1e6).optional(),
        })
        .strict()
        .refine((l) => (l.multiplier === undefined) !== (l.pointsPerItem === undefined), 'set exactly one of multiplier or pointsPerItem')
        .refine((l) => l.sku || l.category, 'name the lines: sku or category'),
    })
    .strict(),
]);
export type Award = z.infer<typeof AwardSchema>;

export const RuleSchema = z
  .object({
    id: Id,
    description: z.string().optional(),
    /** `order.paid`, `customer.created`, `customer.updated`, or an activity name (`review.posted`). */
    on: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a trigger like order.paid or an activity name like review.posted'),
    if: ConditionsSchema.optional(),
    /** A Jexl expression over the evaluation scope (docs/program.md), for what `if` cannot say. */
    when: z.string().min(1).optional(),
    award: AwardSchema,
    pendingDays: z.number().int().min(0).max(3650).optional(),
    expiry: ExpirySchema.optional(),
    limit: z
      .object({
        /** How often one member may earn from this rule. */
        perMember: z.object({ count: z.number().int().min(1), per: Period }).strict().optional(),
        /** Total points this rule may ever award, over all members (a campaign budget). */
        budget: z.number().int().min(1).optional(),
        /** At most this many points from this rule for one event. */
        perEvent: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    /** End the chain here when this rule matches: later rules for the same trigger are skipped. */
    stop: z.boolean().default(false),
    /** Set false to keep a rule in the file without it applying. */
    enabled: z.boolean().default(true),
  })
  .strict();
export type Rule = z.infer<typeof RuleSchema>;

export const TierSchema = z
  .object({
    id: Id,
    name: z.string().min(1),
    /** Points earned in the tier window needed to hold the tier. */
    threshold: z.number().int().min(0),
    /** Multiplies what rules award for the triggers in `tiers.multiplierAppliesTo`. */
    multiplier: Decimal.optional(),
  })
  .strict();

export const ProgramSchema = z
  .object({
    name: z.string().min(1),
    /** IANA time zone for days, weeks, months, time-of-day windows and end-of-period expiry. */
    timeZone: z.string().default('UTC'),
    defaults: z
      .object({
        pendingDays: z.number().int().min(0).max(3650).default(0),
        expiry: ExpirySchema.default('never'),
      })
      .strict()
      .default({ pendingDays: 0, expiry: 'never' }),
    returnPolicy: z.enum(['within_balance', 'only_pending', 'unlimited']).default('within_balance'),
    refunds: z
      .object({
        /** A refund whose order has not arrived waits this long, then becomes an exception. */
        parkHours: z.number().int().min(1).max(24 * 90).default(72),
      })
      .strict()
      .default({ parkHours: 72 }),
    guests: z
      .object({
        /** A guest order is credited when its e-mail enrolls within this many days. 0 disables. */
        creditWithinDays: z.number().int().min(0).max(3650).default(30),
      })
      .strict()
      .default({ creditWithinDays: 30 }),
    notices: z
      .object({
        /** `points.expiring` is emitted this many days before a batch expires. 0 disables. */
        expiringDays: z.number().int().min(0).max(365).default(30),
      })
      .strict()
      .default({ expiringDays: 30 }),
    tiers: z
      .object({
        /** Points earned (not balance) in a rolling window of N days, or over the member's lifetime. */
        basis: z.union([
          z.object({ window: z.literal('rolling'), days: z.number().int().min(1).max(3650) }).strict(),
          z.object({ window: z.literal('lifetime') }).strict(),
        ]),
        downgrade: z
          .union([
            z.object({ mode: z.literal('none') }).strict(),
            z.object({ mode: z.literal('period_end'), period: z.enum(['month', 'quarter', 'year']) }).strict(),
            z.object({ mode: z.literal('after_days'), days: z.number().int().min(0).max(3650) }).strict(),
          ])
          .default({ mode: 'none' }),
        multiplierAppliesTo: z.array(z.string()).default(['order.paid']),
        levels: z.array(TierSchema).min(1),
      })
      .strict()
      .optional(),
    /**
     * Balances worth a message: a write that takes a member from below one to at or above it
     * emits `points.threshold_reached` (docs/program.md, "Thresholds"). Ascending, no repeats.
     */
    thresholds: z.array(z.number().int().min(1).max(1_000_000_000_000)).max(50).default([]),
    limits: z
      .object({
        /** Caps on points earned per member per day / week / month (all rules together). */
        perMember: z
          .object({ day: z.number().int().min(1).optional(), week: z.number().int().min(1).optional(), month: z.number().int().min(1).optional() })
          .strict()
          .optional(),
        /** At most this many points from one event (all rules together). */
        perEvent: z.number().int().min(1).optional(),
      })
      .strict()
      .default({}),
    fraud: z
      .object({
        /** N earning events within M minutes: the points are held pending review and `fraud.flagged` is emitted. */
        velocity: z
          .object({ events: z.number().int().min(2), minutes: z.number().int().min(1).max(1440), holdDays: z.number().int().min(1).max(365).default(14) })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    redemption: z
      .object({
        /** Redemptions costing more than this many points need the member's PIN, when the member has set one. */
        pinRequiredAbove: z.number().int().min(0).optional(),
        /** Wrong PINs in a row before the PIN locks. */
        pinMaxFailures: z.number().int().min(1).max(20).default(5),
        pinLockMinutes: z.number().int().min(1).max(1440).default(15),
        /** Default validity of an issued voucher (a reward may set its own). */
        voucherValidDays: z.number().int().min(1).max(3650).default(90),
        /** Points as payment: `points` points are worth `value` of `currency` (100 points = 1.00 USD). */
        pointsValue: z
          .object({ points: z.number().int().min(1), value: z.union([z.string(), z.number()]).transform(String), currency: z.string().regex(/^[A-Za-z]{3}$/) })
          .strict()
          .optional(),
      })
      .strict()
      .default({ pinMaxFailures: 5, pinLockMinutes: 15, voucherValidDays: 90 }),
    rules: z.array(RuleSchema).default([]),
  })
  .strict();

export type ProgramConfig = z.infer<typeof ProgramSchema>;
export type TierConfig = z.infer<typeof TierSchema>;
