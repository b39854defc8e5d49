/**
 * Loyalty events (docs/mappings.md, "Events"): what the core emits and what mappings and outbound webhooks
 * subscribe to. Each is written to the outbox in the same transaction as the change it reports.
 */
import type { Balance } from '../ledger/types.js';

export const LOYALTY_EVENT_TYPES = [
  'member.enrolled',
  'points.earned',
  'points.pending',
  'points.activated',
  'points.spent',
  'points.reversed',
  'points.expired',
  'points.expiring',
  'points.locked',
  'points.released',
  'points.threshold_reached',
  'tier.upgraded',
  'tier.downgraded',
  'reward.redeemed',
  'voucher.used',
  'limit.reached',
  'fraud.flagged',
  'delivery.failed',
  // Dead deliveries of one adapter, at most one an hour, for people (core/outbox/failure-digest.ts).
  'delivery.failed.digest',
  // A refund whose order never arrived within `refunds.parkHours` (support should look).
  'refund.unmatched',
  'webhook.rejected',
] as const;

export type LoyaltyEventType = (typeof LOYALTY_EVENT_TYPES)[number];

/** A member's balance fields at the moment of the event (the ledger's own shape). */
export type BalanceSnapshot = Omit<Balance, 'memberId'>;

/** One emitted event, as stored in the outbox and handed to mappings and webhooks. */
export interface LoyaltyEvent {
  id: string;
  type: LoyaltyEventType;
  /** ISO 8601 UTC. */
  occurredAt: string;
  memberId: string | null;
  /**
   * The event's own fields. For points events: `points`, `transferId`, `source`, `reason`,
   * `eventId`, `ruleId`, `expiresAt` where they apply, and `balance` (the member's balance right
   * after the change); a trigger's `points.earned` / `points.pending` also `lines` (one event for
   * all its lines: core/program/announce-application.ts), `points.threshold_reached` `threshold`.
   */
  data: Record<string, unknown> & { points?: number; balance?: BalanceSnapshot };
}

/** An outbox row (`loyalty_events`) as the event mappings and webhooks are given. */
export function loyaltyEventOf(row: { id: string; type: string; occurredAt: number; memberId: string | null; data: string }): LoyaltyEvent {
  return {
    id: row.id,
    type: row.type as LoyaltyEventType,
    occurredAt: new Date(row.occurredAt).toISOString(),
    memberId: row.memberId,
    data: JSON.parse(row.data) as LoyaltyEvent['data'],
  };
}
