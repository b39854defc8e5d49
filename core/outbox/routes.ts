import type { SendContext } from '../outbound/adapter.js';
import type { LoyaltyEvent } from './loyalty-events.js';

/** One message an event asks for: which adapter, with which (rendered) options. */
export interface Route {
  /** Unique per event: `mapping:<name>#<index>`, `endpoint:<id>`. */
  route: string;
  adapter: string;
  options: Record<string, unknown>;
  /**
   * Set when the message could not even be built (a template rendered what the adapter refuses,
   * e.g. an SMS to a member without a phone number): it is recorded as a dead letter with this
   * reason and announced as `delivery.failed`, so support sees it instead of it being dropped.
   */
  failed?: string;
}

export type MemberSnapshot = NonNullable<SendContext['member']>;

/**
 * Decides what an event triggers (mappings, webhook subscriptions). Pure: it reads what it is
 * given, so routing an event twice gives the same routes, and the unique (event, route) index
 * makes a second routing a no-op.
 */
export type Router = (event: LoyaltyEvent, member: MemberSnapshot | null) => Route[];
