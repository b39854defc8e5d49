/**
 * The rules engine: what an event earns, rule by rule. `POST /v1/evaluate` and real earning call
 * this same function (earning then posts its lines), so a preview cannot disagree with the
 * ledger.
 *
 * ORDER OF EVALUATION (docs/program.md):
 * 1. Rules whose `on` is the event's trigger, in file order. A rule applies when every `if`
 *    condition and its `when` hold and its per-member limit (`limit.perMember`) is not reached.
 *    A matching rule with `stop: true` ends the chain: later rules are not considered.
 * 2. Additive awards, each rounded by itself: `fixed`; `perCurrencyUnit` (order amount in whole
 *    currency units × rate, rounded as the rule says); `lineItems` (matching lines × the rate of
 *    the per-currency rules before it × (multiplier − 1), rounded down — "3× on a SKU" — or
 *    points per item bought).
 * 3. `multiplier` rules multiply the sum of the additive awards, stacking multiplicatively in
 *    file order (×2 then ×1.5 is ×3).
 * 4. The member's tier multiplier, last, for the triggers in `tiers.multiplierAppliesTo`.
 *    Steps 3–4 round down once: each multiplier's line carries the points it added, so the lines
 *    sum to ⌊base × Π multipliers⌋ (123 × 1.25 = 153.75 → 123 + 30 = 153).
 * 5. Caps, line by line in that order: the rule's `limit.perEvent` and `limit.budget`, then the
 *    program's `limits.perEvent` and the member's day / week / month caps. A capped line keeps
 *    its uncapped figure and the reason; an event stopped by a cap reports `limited`.
 * 6. Velocity (`fraud.velocity`): the Nth earning event within M minutes holds all lines pending
 *    review (due within `holdDays`).
 * 7. A suspended member's lines are all pending (core/members/member-status.ts).
 */
import { pendingWhileSuspended } from '../members/member-status.js';
import { formatMinorUnits, currencyExponent } from '../triggers/money.js';
import type { LineItem, TriggerEvent } from '../triggers/trigger-event.js';
import { DAY_MS, periodKey, periodStartDay } from './calendar.js';
import type { CompiledRule, Program } from './compiled-program.js';
import { counterKeys, type CounterReader } from './counters.js';
import { activationTime, expiryTime } from './expiry-date.js';
import { evaluationScope, failedCondition, orderOf, type MemberContext } from './match-conditions.js';
import { add, fromInteger, multiply, ONE, round, toText, type Ratio } from './rational.js';

export interface AwardLine {
  /** The rule's id, or `tier:<id>` for the tier multiplier's line. */
  ruleId: string;
  award: 'fixed' | 'attribute' | 'perCurrencyUnit' | 'lineItems' | 'multiplier' | 'tier';
  /** Points after caps: what is (or would be) posted. */
  points: number;
  /** Points before caps. */
  uncapped: number;
  /** Why the line was cut: `limits.perMember.day (50000)`, `rule budget (10000)`. */
  cappedBy: string[];
  explanation: string;
  activatesAt: number;
  expiresAt: number | null;
}

export interface Evaluation {
  /** The trigger's name: `order.paid`, `review.posted`, … */
  on: string;
  lines: AwardLine[];
  /** Rules for this trigger that did not apply, and why. */
  skipped: { ruleId: string; reason: string }[];
  total: number;
  /** Limits that stopped or cut earning (each becomes a `limit.reached` event when posted). */
  limited: { limit: string; requested: number; awarded: number; ruleId?: string }[];
  /** Set when the velocity rule holds the points for review; `until`: the review is due by then. */
  held?: { reason: string; until: number };
  /** Set when the member is suspended: every line is pending (core/members/member-status.ts). */
  suspended?: true;
  tier: string | null;
}

export async function evaluateTrigger(
  program: Program,
  trigger: TriggerEvent,
  member: MemberContext,
  counters: CounterReader,
  now: number,
): Promise<Evaluation> {
  const on = trigger.type === 'activity' ? trigger.name : trigger.type;
  const tz = program.timeZone;
  const scope = evaluationScope(trigger, member);
  const order = orderOf(trigger);
  const lines: (AwardLine & { rule?: CompiledRule })[] = [];
  const skipped: Evaluation['skipped'] = [];
  const limited: Evaluation['limited'] = [];
  const multipliers: CompiledRule[] = [];
  let rate: Ratio = fromInteger(0);

  const line = (rule: Pick<CompiledRule, 'id' | 'pendingDays' | 'expiry'>, award: AwardLine['award'], points: number, explanation: string) => {
    const activatesAt = activationTime(now, rule.pendingDays);
    return { ruleId: rule.id, award, points, uncapped: points, cappedBy: [], explanation, activatesAt, expiresAt: expiryTime(activatesAt, rule.expiry, tz) };
  };

  for (const rule of program.rules) {
    if (rule.on !== on) continue;
    const reason = failedCondition(rule, trigger, member, tz, scope);
    if (reason) {
      skipped.push({ ruleId: rule.id, reason });
      continue;
    }
    if (rule.limit.perMember && member.id) {
      const { count: limit, per } = rule.limit.perMember;
      const used = (await counters.get(counterKeys.rule(member.id, rule.id, periodKey(trigger.occurredAt, tz, per)))).count;
      if (used >= limit) {
        const what = `limit.perMember (${limit} per ${per})`;
        skipped.push({ ruleId: rule.id, reason: `${what} reached` });
        limited.push({ limit: `rule ${rule.id} ${what}`, requested: 0, awarded: 0, ruleId: rule.id });
        continue;
      }
    }
    const award = rule.award;
    if (award.kind === 'fixed') {
      lines.push({ ...line(rule, 'fixed', award.points, `${award.points} points`), rule });
    } else if (award.kind === 'attribute') {
      const given = trigger.attributes?.[award.name];
      const refused = attributeRefusal(given, award.name, award.max);
      if (refused) {
        skipped.push({ ruleId: rule.id, reason: refused });
        continue;
      }
      lines.push({ ...line(rule, 'attribute', given as number, `${String(given)} points from attributes.${award.name} (at most ${award.max})`), rule });
    } else if (award.kind === 'perCurrencyUnit' && order) {
      const scale = 10n ** BigInt(currencyExponent(order.currency));
      const points = round(multiply({ num: BigInt(order.amount), den: scale }, award.rate), award.rounding);
      rate = add(rate, award.rate);
      lines.push({
        ...line(rule, 'perCurrencyUnit', points, `${formatMinorUnits(order.amount, order.currency)} ${order.currency} × ${toText(award.rate)} per unit, rounded ${award.rounding}`),
        rule,
      });
    } else if (award.kind === 'lineItems' && order) {
      const matching = order.lineItems.filter((l) => lineMatches(award, l));
      let points: number;
      let explanation: string;
      if (award.pointsPerItem !== undefined) {
        const items = matching.reduce((n, l) => n + l.quantity, 0);
        points = items * award.pointsPerItem;
        explanation = `${items} matching item(s) × ${award.pointsPerItem}`;
      } else {
        const scale = 10n ** BigInt(currencyExponent(order.currency));
        const amount = matching.reduce((n, l) => n + l.total, 0);
        const extra = { num: award.multiplier!.num - award.multiplier!.den, den: award.multiplier!.den };
        points = Math.max(0, round(multiply(multiply({ num: BigInt(amount), den: scale }, rate), extra), 'down'));
        explanation = `${formatMinorUnits(amount, order.currency)} ${order.currency} of matching lines at ${toText(award.multiplier!)}× the rate ${toText(rate)}`;
      }
      lines.push({ ...line(rule, 'lineItems', points, explanation), rule });
    } else if (award.kind === 'multiplier') {
      multipliers.push(rule);
    }
    if (rule.stop) {
      for (const later of program.rules.slice(program.rules.indexOf(rule) + 1)) {
        if (later.on === on) skipped.push({ ruleId: later.id, reason: `rule ${rule.id} stops the chain` });
      }
      break;
    }
  }

  // Multipliers, then the tier's: each line carries what it added to ⌊base × Π⌋.
  const base = lines.reduce((n, l) => n + l.points, 0);
  let value: Ratio = fromInteger(base);
  const defaults = { pendingDays: program.config.defaults.pendingDays, expiry: program.config.defaults.expiry };
  const applyMultiplier = (id: string, award: AwardLine['award'], factor: Ratio, rule: CompiledRule | undefined, what: string) => {
    const before = round(value, 'down');
    value = multiply(value, factor);
    const added = round(value, 'down') - before;
    lines.push({ ...line(rule ?? { id, ...defaults }, award, added, `${what} ×${toText(factor)} on ${base} base points`), rule });
  };
  for (const rule of multipliers) {
    if (rule.award.kind === 'multiplier') applyMultiplier(rule.id, 'multiplier', rule.award.factor, rule, `promotion ${rule.id}`);
  }
  const tier = program.tiers.find((t) => t.id === member.tier);
  const tierApplies = program.config.tiers?.multiplierAppliesTo.includes(on) ?? false;
  if (tier?.multiplier && tierApplies && base > 0 && !(tier.multiplier.num === ONE.num && tier.multiplier.den === ONE.den)) {
    applyMultiplier(`tier:${tier.id}`, 'tier', tier.multiplier, undefined, `${tier.name} tier`);
  }

  await applyCaps(program, trigger, member, counters, lines, limited);

  const evaluation: Evaluation = {
    on,
    lines: lines.filter((l) => l.uncapped > 0).map(({ rule: _rule, ...l }) => l),
    skipped,
    total: 0,
    limited,
    tier: member.tier,
  };
  evaluation.total = evaluation.lines.reduce((n, l) => n + l.points, 0);

  const velocity = program.config.fraud.velocity;
  if (velocity && member.id && evaluation.total > 0) {
    const minute = Math.floor(trigger.occurredAt / 60_000);
    const recent = await counters.sum(counterKeys.minute(member.id, minute - velocity.minutes + 1), counterKeys.minute(member.id, minute));
    if (recent.count + 1 >= velocity.events) {
      const until = now + velocity.holdDays * DAY_MS;
      // The lines keep the times they would have: posting holds them for review with no
      // activation time, and an approval releases them from then (core/program/fraud-holds.ts).
      evaluation.held = { reason: `${recent.count + 1} earning events within ${velocity.minutes} minutes (fraud.velocity: ${velocity.events})`, until };
    }
  }
  if (member.status === 'suspended') evaluation.suspended = pendingWhileSuspended(evaluation.lines, now);
  return evaluation;
}

/**
 * Whether a `lineItems` award counts an order line (its SKU or category is named). Also how the
 * order's per-line breakdown attributes the award to lines (./order-breakdown.ts).
 */
export function lineMatches(award: { sku?: string[]; category?: string[] }, line: LineItem): boolean {
  return Boolean((award.sku && line.sku && award.sku.includes(line.sku)) || (award.category && line.category && award.category.includes(line.category)));
}

async function applyCaps(
  program: Program,
  trigger: TriggerEvent,
  member: MemberContext,
  counters: CounterReader,
  lines: (AwardLine & { rule?: CompiledRule })[],
  limited: Evaluation['limited'],
): Promise<void> {
  const cut = (l: AwardLine, allowance: number, reason: string, ruleId?: string) => {
    if (l.points <= allowance) return;
    const requested = l.points;
    l.points = Math.max(0, allowance);
    l.cappedBy.push(reason);
    limited.push({ limit: reason, requested, awarded: l.points, ruleId });
  };
  for (const l of lines) {
    const limit = l.rule?.limit;
    if (limit?.perEvent !== undefined) cut(l, limit.perEvent, `rule ${l.ruleId} limit.perEvent (${limit.perEvent})`, l.ruleId);
    if (limit?.budget !== undefined) {
      const spent = (await counters.get(counterKeys.budget(l.ruleId))).points;
      cut(l, limit.budget - spent, `rule ${l.ruleId} limit.budget (${limit.budget})`, l.ruleId);
    }
  }
  const caps: { reason: string; left: number }[] = [];
  const { perEvent, perMember } = program.config.limits;
  if (perEvent !== undefined) caps.push({ reason: `limits.perEvent (${perEvent})`, left: perEvent });
  if (perMember && member.id) {
    const tz = program.timeZone;
    const today = counterKeys.day(member.id, periodStartDay(trigger.occurredAt, tz, 'day'));
    for (const period of ['day', 'week', 'month'] as const) {
      const cap = perMember[period];
      if (cap === undefined) continue;
      const from = counterKeys.day(member.id, periodStartDay(trigger.occurredAt, tz, period));
      const earned = (await counters.sum(from, today)).points;
      caps.push({ reason: `limits.perMember.${period} (${cap})`, left: cap - Math.max(0, earned) });
    }
  }
  for (const l of lines) {
    for (const cap of caps) cut(l, cap.left, cap.reason);
    for (const cap of caps) cap.left -= l.points;
  }
}

/**
 * Why the points a trigger carries cannot be awarded (docs/program.md, "Awards"), or undefined:
 * they must be a whole number from 0 to the rule's `max` — more is refused rather than cut, so a
 * misconfigured activity is seen, not quietly capped.
 */
function attributeRefusal(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null) return `attributes.${name} is not given`;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return `attributes.${name} is not a whole number of points (${JSON.stringify(value).slice(0, 40)})`;
  if (value > max) return `attributes.${name} is ${value}, more than the rule's max ${max}`;
  return undefined;
}
