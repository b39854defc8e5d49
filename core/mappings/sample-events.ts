/**
 * A realistic example of every loyalty event, with the member, balance, tier and reward that
 * come with it. Mappings are checked against these at load (and by `mappings check`): a
 * template or condition naming a field the sample lacks is reported as a missing field, and an
 * adapter's schema sees what a template really produces. So a sample must carry every field the
 * real event carries (null where it is usually absent) — keep them in step with the emitters
 * (`core/ledger/operation.ts` for points events, `core/program/announce-application.ts` for a
 * trigger's earns) and with docs/mappings.md.
 */
import type { MemberSnapshot } from '../outbox/routes.js';
import type { BalanceSnapshot, LoyaltyEvent, LoyaltyEventType } from '../outbox/loyalty-events.js';
import type { ScopeExtras } from './types.js';

const OCCURRED_AT = '2025-06-01T14:30:00.000Z';

/** Exactly the fields the dispatcher puts in scope (MemberSnapshot), so check refuses the rest. */
export const SAMPLE_MEMBER = {
  id: 'mem_01JX4SAMPLE',
  email: 'ann.lee@example.com',
  phone: '+14155550123',
  firstName: 'Ann',
  lastName: 'Lee',
  consentEmail: true,
  consentSms: true,
} satisfies MemberSnapshot;

export const SAMPLE_BALANCE: BalanceSnapshot = { available: 5250, pending: 300, locked: 0, spent: 1200, expired: 0, lifetimeEarned: 6750 };
const SAMPLE_TIER = { id: 'gold', name: 'Gold', threshold: 5000 };
const SAMPLE_REWARD = { id: 'rwd_free_coffee', name: 'Free coffee', kind: 'free_product', cost: 5000, points: 5000, value: null, currency: null, percent: null, productSku: 'COFFEE-12OZ' };

/** The fields `announcement` (core/ledger/operation.ts) puts on every points event. */
function pointsData(points: number, kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    points,
    transferId: 'trf_01JX4SAMPLE',
    kind,
    source: 'event',
    reason: null,
    eventId: 'shopify:order-5551234',
    ruleId: 'base-earn',
    redemptionId: null,
    actor: null,
    lockId: null,
    reversesId: null,
    lotId: 'lot_01JX4SAMPLE',
    balance: SAMPLE_BALANCE,
    ...extra,
  };
}

/**
 * A trigger's application as one `points.earned` / `points.pending` (core/program/announce-application.ts):
 * the first line's fields, the total in `points`, the trigger's name in `reason`, and each line.
 * A Silver member's order: 200 points at 1 per dollar, 50 more for the tier.
 */
function applicationData(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const line = (ruleId: string | null, award: string, points: number, explanation: string, id: string) => ({
    ruleId,
    award,
    points,
    explanation,
    transferId: `trf_01JX4SAMPLE${id}`,
    lotId: `lot_01JX4SAMPLE${id}`,
    activatesAt: OCCURRED_AT,
    expiresAt: '2026-06-01T14:30:00.000Z',
  });
  return pointsData(250, 'earn', {
    source: 'rule',
    reason: 'order.paid',
    eventId: 'shopify:order:5551234',
    ruleId: 'order-points',
    lines: [line('order-points', 'perCurrencyUnit', 200, '200.00 USD × 1 point per unit, rounded down', ''), line('tier:silver', 'tier', 50, 'Silver tier ×1.25', 'B')],
    ...extra,
  });
}

const DATA: Record<LoyaltyEventType, () => Record<string, unknown>> = {
  'member.enrolled': () => ({ aliases: ['email:ann.lee@example.com', 'shopify:7012345678'] }),
  'points.earned': () => applicationData(),
  'points.pending': () => applicationData(),
  'points.activated': () => pointsData(250, 'earn'),
  'points.spent': () => pointsData(500, 'spend', { ruleId: null, redemptionId: 'rdm_01JX4SAMPLE' }),
  // A Silver member's refund, announced once (core/program/take-back.ts): the tier bonus line, then the base line.
  'points.reversed': () =>
    pointsData(250, 'reverse', {
      source: 'rule',
      reason: 'order refunded',
      eventId: 'shopify:refund:9012345',
      ruleId: null,
      reversesId: 'trf_01JX3EARLIERB',
      lotId: 'lot_01JX3EARLIERB',
      lines: [
        { transferId: 'trf_01JX4SAMPLEB', kind: 'reverse', points: 50, reason: 'order refunded', reversesId: 'trf_01JX3EARLIERB', lotId: 'lot_01JX3EARLIERB' },
        { transferId: 'trf_01JX4SAMPLEA', kind: 'reverse', points: 200, reason: 'order refunded', reversesId: 'trf_01JX3EARLIERA', lotId: 'lot_01JX3EARLIERA' },
      ],
    }),
  'points.expired': () => pointsData(120, 'expire', { ruleId: null, source: 'system', actor: 'scheduler', reason: 'lot expired' }),
  'points.expiring': () => ({ points: 120, expiresAt: '2025-06-15T00:00:00.000Z', days: 14, balance: SAMPLE_BALANCE }),
  'points.locked': () => pointsData(500, 'lock', { ruleId: null, lockId: 'lck_01JX4SAMPLE' }),
  'points.released': () => pointsData(500, 'release', { ruleId: null, lockId: 'lck_01JX4SAMPLE' }),
  // Coherent with the threshold example in docs/mappings.md: this earn takes the balance across 1,000.
  // The fields of the event that announced the change (here an order's points.earned), the threshold and the balance after.
  'points.threshold_reached': () =>
    applicationData({ threshold: 1000, balance: { ...SAMPLE_BALANCE, available: 1100, spent: 0, lifetimeEarned: 1400 } }),
  'tier.upgraded': () => ({ tier: { ...SAMPLE_TIER }, previousTier: { id: 'silver', name: 'Silver', threshold: 1000 }, qualifyingPoints: 5120 }),
  'tier.downgraded': () => ({ tier: { id: 'silver', name: 'Silver', threshold: 1000 }, previousTier: { ...SAMPLE_TIER }, qualifyingPoints: 4210 }),
  'reward.redeemed': () =>
    pointsData(5000, 'spend', {
      // The spend's own fields (core/rewards/redeem.ts): a redemption, named after the reward.
      source: 'redemption',
      reason: `reward: ${SAMPLE_REWARD.name}`,
      eventId: null,
      ruleId: null,
      redemptionId: 'rdm_01JX4SAMPLE',
      rewardId: SAMPLE_REWARD.id,
      voucherCode: 'K7QF-M2XP-9TBA-C4RH',
      voucherExpiresAt: '2025-08-30T09:30:00.000Z',
      reward: { ...SAMPLE_REWARD },
      storeCodes: [],
      balance: { ...SAMPLE_BALANCE, available: 250, spent: 6200 },
    }),
  // Used at a store's checkout (core/rewards/store-vouchers.ts), the one use that has every field:
  // a till's use has no source nor orderId, a platform's no orderId.
  'voucher.used': () => ({
    code: 'K7QF-M2XP-9TBA-C4RH',
    rewardId: SAMPLE_REWARD.id,
    redemptionId: 'rdm_01JX4SAMPLE',
    reference: 'shopify:order:5551234',
    source: 'shopify',
    orderId: '5551234',
    reward: { ...SAMPLE_REWARD },
  }),
  'limit.reached': () => ({ limit: 'limits.perMember.day (50000)', requested: 1500, awarded: 320, ruleId: null, eventId: 'shopify:order:5551234', trigger: 'order.paid' }),
  'fraud.flagged': () => ({
    ruleId: 'fraud.velocity',
    reason: '5 earning events within 10 minutes (fraud.velocity: 5)',
    heldUntil: '2025-06-15T00:00:00.000Z',
    points: 150,
    eventId: 'shopify:order:5551234',
    holdId: 'fh_01jx4sample0000000000000',
    link: '/v1/fraud-holds/fh_01jx4sample0000000000000',
  }),
  'delivery.failed': () => ({
    deliveryId: 'dlv_01JX4SAMPLE',
    route: 'mapping:points-earned-email#0',
    adapter: 'sendgrid',
    eventId: 'evt_01JX4ORIGINAL',
    attempts: 8,
    statusCode: 503,
    error: 'HTTP 503',
  }),
  'delivery.failed.digest': () => ({
    adapter: 'sendgrid',
    count: 7,
    since: '2025-06-01T08:12:40.000Z',
    until: '2025-06-01T09:14:03.120Z',
    failures: [
      { deliveryId: 'dlv_01JX4SAMPLE', eventId: 'evt_01JX4ORIGINAL', eventType: 'points.earned', memberId: 'mem_01JX4SAMPLE', route: 'mapping:points-earned-email#0', attempts: 8, statusCode: 503, reason: 'HTTP 503' },
      { deliveryId: 'dlv_01JX4SAMPLE2', eventId: 'evt_01JX4ORIGINAL2', eventType: 'points.expiring', memberId: 'mem_01JX4SAMPLE2', route: 'mapping:points-expiring-email#0', attempts: 1, statusCode: 400, reason: 'HTTP 400: The to email does not contain a valid address' },
    ],
    more: 5,
  }),
  'refund.unmatched': () => ({ refundId: 'shopify:refund:929361462', orderKey: 'shopify:order:450789469', source: 'shopify', receivedAt: '2025-06-01T09:30:00.000Z', waitedHours: 72 }),
  // Both kinds' fields (core/inbound/rejection-alerts.ts, core/inbound/process-delivery.ts): here a
  // signature alert, so the payload kind's deliveryId and inboxId are empty.
  'webhook.rejected': () => ({
    platform: 'shopify',
    kind: 'signature',
    reason: 'X-Shopify-Hmac-Sha256 does not match the body',
    count: 11,
    since: '2025-06-01T14:00:00.000Z',
    deliveryId: null,
    inboxId: null,
  }),
};

/** Events that concern no member: their samples have no member, balance or tier. */
const MEMBERLESS = new Set<LoyaltyEventType>(['webhook.rejected', 'refund.unmatched', 'delivery.failed.digest']);

export function sampleEvent(type: LoyaltyEventType): LoyaltyEvent {
  return {
    id: `evt_sample_${type.replace(/\./g, '_')}`,
    type,
    occurredAt: OCCURRED_AT,
    memberId: MEMBERLESS.has(type) ? null : SAMPLE_MEMBER.id,
    data: DATA[type](),
  };
}

/**
 * What the dispatcher adds to an event (core/outbox/notifications.ts): the member, nothing else.
 * `balance`, `tier` and `reward` come from the event's own data, on the events that carry them
 * (docs/mappings.md, "What a mapping sees"); a sample giving them to every event let
 * `{{ tier.name }}` on points.earned pass the check and render empty in the real message.
 */
export function sampleExtras(type: LoyaltyEventType): ScopeExtras {
  return { member: MEMBERLESS.has(type) ? null : { ...SAMPLE_MEMBER }, balance: null, tier: null, reward: null };
}
