/**
 * Whether a rule's `if` conditions and `when` expression hold for an event. Returns the first
 * reason one does not (shown rule by rule by `POST /v1/evaluate`), or null when all hold.
 */
import { conditionHolds } from '../mappings/condition.js';
import type { Scope } from '../mappings/scope.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import { localTime, startOfDate, endOfDate } from './calendar.js';
import type { CompiledRule } from './compiled-program.js';

export interface MemberContext {
  id?: string;
  /** The tier the member holds now (id), or null without tiers. */
  tier: string | null;
  segments: string[];
  attributes: Record<string, unknown>;
  /** `active`, `suspended` (earns pending only: core/members/member-status.ts); absent in a preview without a member. */
  status?: string;
}

export function orderOf(trigger: TriggerEvent) {
  return trigger.type === 'order.paid' ? trigger.order : undefined;
}

const anyOf = (wanted: string[] | undefined, actual: string | undefined) =>
  !wanted || (actual !== undefined && wanted.includes(actual));

export function failedCondition(rule: CompiledRule, trigger: TriggerEvent, member: MemberContext, timeZone: string, scope: Scope): string | null {
  const c = rule.conditions;
  const order = orderOf(trigger);
  const needsOrder = c.channel || c.location || c.currency || c.sku || c.category || rule.minAmount || c.discountCode !== undefined;
  if (needsOrder && !order) return 'needs an order';
  if (order) {
    if (!anyOf(c.channel, order.channel)) return `channel is ${order.channel}, not ${c.channel!.join(' or ')}`;
    if (!anyOf(c.location, order.location)) return `location is ${order.location ?? 'none'}, not ${c.location!.join(' or ')}`;
    if (!anyOf(c.currency, order.currency)) return `currency is ${order.currency}, not ${c.currency!.join(' or ')}`;
    if (c.sku && !order.lineItems.some((l) => l.sku && c.sku!.includes(l.sku))) return `no line with SKU ${c.sku.join(' or ')}`;
    if (c.category && !order.lineItems.some((l) => l.category && c.category!.includes(l.category))) return `no line in category ${c.category.join(' or ')}`;
    if (rule.minAmount) {
      if (order.currency !== rule.minAmount.currency) return `minimum amount is in ${rule.minAmount.currency}, the order is in ${order.currency}`;
      if (order.amount < rule.minAmount.amount) return `order amount ${order.amount} is below the minimum ${rule.minAmount.amount} (minor units)`;
    }
    if (c.discountCode === true && order.discountCodes.length === 0) return 'no discount code was used';
    if (c.discountCode === false && order.discountCodes.length > 0) return 'a discount code was used';
    if (Array.isArray(c.discountCode) && !order.discountCodes.some((code) => (c.discountCode as string[]).some((w) => w.toLowerCase() === code.toLowerCase()))) {
      return `none of the discount codes ${c.discountCode.join(', ')} was used`;
    }
  }
  if (!anyOf(c.source, trigger.source)) return `source is ${trigger.source}, not ${c.source!.join(' or ')}`;
  if (c.tier && !(member.tier && c.tier.includes(member.tier))) return `member tier is ${member.tier ?? 'none'}, not ${c.tier.join(' or ')}`;
  if (c.segment && !c.segment.some((s) => member.segments.includes(s))) return `member is in none of the segments ${c.segment.join(', ')}`;
  if (c.days || c.hours) {
    const t = localTime(trigger.occurredAt, timeZone);
    if (c.days && !c.days.includes(t.weekday)) return `it is ${t.weekday}, not ${c.days.join(' or ')}`;
    if (c.hours) {
      const hm = `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
      // A window may wrap midnight ("22:00"–"02:00").
      const inside = c.hours.from <= c.hours.to ? hm >= c.hours.from && hm < c.hours.to : hm >= c.hours.from || hm < c.hours.to;
      if (!inside) return `local time ${hm} is outside ${c.hours.from}–${c.hours.to}`;
    }
  }
  if (c.dates) {
    if (c.dates.from && trigger.occurredAt < startOfDate(c.dates.from, timeZone)) return `before ${c.dates.from}`;
    if (c.dates.to && trigger.occurredAt > endOfDate(c.dates.to, timeZone)) return `after ${c.dates.to}`;
  }
  if (rule.when) {
    let holds: boolean;
    try {
      holds = conditionHolds(rule.when, scope);
    } catch (error) {
      return `when: ${(error as Error).message}`;
    }
    if (!holds) return `when: ${rule.when.source} is false`;
  }
  return null;
}

/** What `when:` expressions see: the event, its order, the customer and the member. */
export function evaluationScope(trigger: TriggerEvent, member: MemberContext): Scope {
  return {
    type: trigger.type,
    name: trigger.type === 'activity' ? trigger.name : trigger.type,
    source: trigger.source,
    occurredAt: new Date(trigger.occurredAt).toISOString(),
    order: orderOf(trigger) ?? null,
    customer: trigger.customer ?? null,
    attributes: trigger.attributes ?? {},
    member: { tier: member.tier, segments: member.segments, attributes: member.attributes },
  } as Scope;
}
