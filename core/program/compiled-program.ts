/**
 * The program as the engine uses it: validated config with conditions compiled, decimals turned
 * into exact ratios and money thresholds into minor units — done once at load, so evaluating an
 * event does no parsing.
 */
import { compileCondition, type Condition } from '../mappings/condition.js';
import { normalizeCurrency, toMinorUnits } from '../triggers/money.js';
import type { Award, Conditions, Expiry, ProgramConfig, Rule } from './program-schema.js';
import { parseDecimal, type Ratio } from './rational.js';

export type CompiledAward =
  | { kind: 'fixed'; points: number }
  | { kind: 'perCurrencyUnit'; rate: Ratio; rounding: 'down' | 'nearest' | 'up' }
  | { kind: 'multiplier'; factor: Ratio }
  | { kind: 'attribute'; name: string; max: number }
  | { kind: 'lineItems'; sku?: string[]; category?: string[]; multiplier?: Ratio; pointsPerItem?: number };

export interface CompiledRule {
  id: string;
  description?: string;
  on: string;
  conditions: Conditions;
  minAmount?: { amount: number; currency: string };
  when?: Condition;
  award: CompiledAward;
  pendingDays: number;
  expiry: Expiry;
  limit: NonNullable<Rule['limit']>;
  stop: boolean;
}

export interface CompiledTier {
  id: string;
  name: string;
  threshold: number;
  multiplier?: Ratio;
}

export interface Program {
  config: ProgramConfig;
  /** Where it was loaded from (for messages), or `inline`. */
  source: string;
  timeZone: string;
  rules: CompiledRule[];
  /** Ascending by threshold; the first has threshold 0. Empty: no tiers. */
  tiers: CompiledTier[];
  /** Balances announced by `points.threshold_reached`, ascending (docs/program.md, "Thresholds"). */
  thresholds: readonly number[];
}

function compileAward(award: Award): CompiledAward {
  if ('fixed' in award) return { kind: 'fixed', points: award.fixed };
  if ('perCurrencyUnit' in award) return { kind: 'perCurrencyUnit', rate: parseDecimal(award.perCurrencyUnit), rounding: award.rounding };
  if ('multiplier' in award) return { kind: 'multiplier', factor: parseDecimal(award.multiplier) };
  if ('attribute' in award) return { kind: 'attribute', name: award.attribute.name, max: award.attribute.max };
  const l = award.lineItems;
  return {
    kind: 'lineItems',
    sku: l.sku,
    category: l.category,
    multiplier: l.multiplier === undefined ? undefined : parseDecimal(l.multiplier),
    pointsPerItem: l.pointsPerItem,
  };
}

/** Compiles a validated config; throws with the rule's id for what zod cannot check (Jexl syntax). */
export function compileProgram(config: ProgramConfig, source: string): Program {
  const rules = config.rules
    .filter((r) => r.enabled)
    .map((rule): CompiledRule => {
      const conditions = rule.if ?? {};
      let when: Condition | undefined;
      if (rule.when) when = compileCondition(rule.when);
      return {
        id: rule.id,
        description: rule.description,
        on: rule.on,
        conditions: { ...conditions, currency: conditions.currency?.map(normalizeCurrency) },
        minAmount: conditions.minAmount
          ? { amount: toMinorUnits(conditions.minAmount.amount, conditions.minAmount.currency), currency: normalizeCurrency(conditions.minAmount.currency) }
          : undefined,
        when,
        award: compileAward(rule.award),
        pendingDays: rule.pendingDays ?? config.defaults.pendingDays,
        expiry: rule.expiry ?? config.defaults.expiry,
        limit: rule.limit ?? {},
        stop: rule.stop,
      };
    });
  const tiers = [...(config.tiers?.levels ?? [])]
    .sort((a, b) => a.threshold - b.threshold)
    .map((t) => ({ id: t.id, name: t.name, threshold: t.threshold, multiplier: t.multiplier ? parseDecimal(t.multiplier) : undefined }));
  return { config, source, timeZone: config.timeZone, rules, tiers, thresholds: [...config.thresholds].sort((a, b) => a - b) };
}
