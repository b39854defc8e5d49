import type { LoyaltyEvent } from '../outbox/loyalty-events.js';
import type { ScopeExtras } from './types.js';

export type Scope = Record<string, unknown>;

/**
 * What a `when` condition and a template see. The event's own fields sit at the top level so
 * that `when: points >= 5000` reads as in docs/mappings.md; `event`, `member`, `balance`, `tier` and
 * `reward` are reserved names that win over an event field of the same name.
 *
 * `balance` is the event's own snapshot when it has one: it is the balance right after the
 * change being reported, which is what a threshold condition (`balance.available - points <
 * 1000`) must compare against — a balance read later, when the event is routed, may already
 * include further changes. The caller's balance fills in for events without one.
 */
export function evaluationScope(event: LoyaltyEvent, extras: ScopeExtras = {}): Scope {
  const data = isObject(event.data) ? event.data : {};
  return {
    ...data,
    event: { id: event.id, type: event.type, occurredAt: event.occurredAt, memberId: event.memberId },
    member: extras.member ?? null,
    balance: (isObject(data.balance) ? data.balance : null) ?? extras.balance ?? null,
    // tier.* and reward.* events carry their tier / reward in their data.
    tier: extras.tier ?? (isObject(data.tier) ? data.tier : null),
    reward: extras.reward ?? (isObject(data.reward) ? data.reward : null),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
