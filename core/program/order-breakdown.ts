/**
 * What each line of an order earned, recorded when the order is applied, so a refund that names
 * its lines takes back what THOSE lines earned — their line-level rules and their share of the
 * multipliers and the tier bonus — instead of a pro-rata share of the amount
 * (docs/program.md, "Refunds by line items").
 *
 * Every award line of the evaluation is split into shares, each owned by one order line or by
 * the order itself, and each remembering the additive award it grew from:
 * - `perCurrencyUnit`: over the order's lines, by what was paid for each;
 * - `lineItems`: over the lines the award counted (./evaluate.ts `lineMatches`), by what was paid
 *   for each, or by quantity for points per item;
 * - `fixed`, `attribute`: the order's (a per-order award belongs to no line);
 * - `multiplier`, `tier`: over the shares above, in proportion to their points, so a tea line's
 *   share of a ×1.25 tier bonus is the tea's points × 0.25.
 * Shares are whole points that add up to the award exactly (largest remainder), so the shares of
 * all awards add up to what the order earned.
 */
import type { LineItem, OrderFacts } from '../triggers/trigger-event.js';
import type { Program } from './compiled-program.js';
import { lineMatches, type AwardLine, type Evaluation } from './evaluate.js';

/** An order line as the breakdown keeps it (without the customer: erasure has nothing to scrub here). */
export interface BreakdownLine extends LineItem {
  /** Units refunded so far. */
  refunded: number;
}

/** `[from, line, points]`: the additive award (index in `awards`) it grew from, the line (index in `lines`, -1 for the order), its points. */
export type Share = [number, number, number];

export interface BreakdownAward {
  ruleId: string;
  award: AwardLine['award'];
  points: number;
  shares: Share[];
  /** The rule no longer applies to what remains of the order: all of its points are due back. */
  withdrawn?: string;
  /** Points of this award refunds by line items have asked back so far. */
  taken?: number;
}

export interface OrderBreakdown {
  v: 1;
  /** The order's facts as paid (no customer: nothing personal is kept), to judge what remains. */
  order: Pick<OrderFacts, 'channel' | 'location' | 'currency' | 'amount' | 'discountCodes'>;
  lines: BreakdownLine[];
  awards: BreakdownAward[];
}

const ORDER = -1;

export function breakdownOf(program: Program, order: OrderFacts, evaluation: Evaluation): OrderBreakdown {
  const lines: BreakdownLine[] = order.lineItems.map((l) => ({
    ...(l.id !== undefined ? { id: l.id } : {}),
    ...(l.sku !== undefined ? { sku: l.sku } : {}),
    ...(l.productId !== undefined ? { productId: l.productId } : {}),
    ...(l.category !== undefined ? { category: l.category } : {}),
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    total: l.total,
    refunded: 0,
  }));
  const awards: BreakdownAward[] = [];
  /** The shares of the additive awards so far: what multipliers apply to. */
  const base: Share[] = [];
  for (const line of evaluation.lines) {
    const index = awards.length;
    let buckets: { from: number; line: number; weight: bigint }[];
    if (line.award === 'multiplier' || line.award === 'tier') {
      buckets = base.map(([from, l, points]) => ({ from, line: l, weight: BigInt(points) }));
    } else {
      buckets = lineWeights(program, line, lines).map(([l, weight]) => ({ from: index, line: l, weight }));
    }
    const shares = apportion(line.points, buckets, index);
    if (line.award !== 'multiplier' && line.award !== 'tier') base.push(...shares);
    awards.push({ ruleId: line.ruleId, award: line.award, points: line.points, shares });
  }
  return { v: 1, order: { channel: order.channel, location: order.location, currency: order.currency, amount: order.amount, discountCodes: order.discountCodes }, lines, awards };
}

/** `[line, weight]` of an additive award; empty when it belongs to the order. */
function lineWeights(program: Program, award: AwardLine, lines: BreakdownLine[]): [number, bigint][] {
  const byTotal = (i: number): [number, bigint] => [i, BigInt(lines[i]!.total)];
  if (award.award === 'perCurrencyUnit') return lines.map((_, i) => byTotal(i));
  if (award.award !== 'lineItems') return [];
  const rule = program.rules.find((r) => r.id === award.ruleId);
  if (rule?.award.kind !== 'lineItems') return [];
  const spec = rule.award;
  return lines.flatMap((l, i): [number, bigint][] => (lineMatches(spec, l) ? [spec.pointsPerItem !== undefined ? [i, BigInt(l.quantity)] : byTotal(i)] : []));
}

/**
 * Splits `points` over weighted buckets in whole points that add up exactly: each gets the floor
 * of its share, and the points left go one each to the largest remainders (ties: the earlier
 * bucket). Without weight, everything is the order's.
 */
function apportion(points: number, buckets: { from: number; line: number; weight: bigint }[], own: number): Share[] {
  const total = buckets.reduce((n, b) => n + b.weight, 0n);
  if (total === 0n) return [[own, ORDER, points]];
  const p = BigInt(points);
  const parts = buckets.map((b, i) => ({ ...b, i, points: (p * b.weight) / total, rest: (p * b.weight) % total }));
  let left = p - parts.reduce((n, b) => n + b.points, 0n);
  for (const part of [...parts].sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1))) {
    if (left === 0n) break;
    part.points += 1n;
    left -= 1n;
  }
  // Shares of the same (from, line) — a multiplier over a base that had several — are merged.
  const merged = new Map<string, Share>();
  for (const part of parts) {
    const key = `${part.from}:${part.line}`;
    const known = merged.get(key);
    if (known) known[2] += Number(part.points);
    else merged.set(key, [part.from, part.line, Number(part.points)]);
  }
  return [...merged.values()];
}

/** Every line refunded in full: the order is gone, and with it every award, per-order ones too. */
export function everyLineRefunded(b: OrderBreakdown): boolean {
  return b.lines.length > 0 && b.lines.every((l) => l.refunded >= l.quantity);
}

/**
 * The points due back per award for everything refunded so far (cumulative): a share of a line gives back
 * ⌊share × refunded units / units⌋ — all of it when every unit is back — so the total never
 * exceeds what was earned and refunding every line gives back exactly all; a share grown from a
 * withdrawn rule, and every share once all lines are back, gives back whole.
 */
export function pointsDue(b: OrderBreakdown): number[] {
  const gone = everyLineRefunded(b);
  return b.awards.map((award) => {
    let due = 0;
    for (const [from, line, points] of award.shares) {
      if (gone || award.withdrawn || b.awards[from]?.withdrawn) due += points;
      else if (line !== ORDER) {
        const l = b.lines[line]!;
        due += l.refunded >= l.quantity ? points : Math.floor((points * l.refunded) / l.quantity);
      }
    }
    return due;
  });
}

/** The order's facts with only what has not been refunded: what the rules are judged on again. */
export function remainingOrder(b: OrderBreakdown): OrderFacts & { id: string } {
  const paid = b.lines.reduce((n, l) => n + l.total, 0);
  const lineItems = b.lines.flatMap((l) => {
    const quantity = l.quantity - Math.min(l.refunded, l.quantity);
    if (quantity === 0) return [];
    const { refunded: _refunded, ...rest } = l;
    return [{ ...rest, quantity, total: l.total - Math.floor((l.total * (l.quantity - quantity)) / l.quantity) }];
  });
  const kept = lineItems.reduce((n, l) => n + l.total, 0);
  const amount = paid === 0 ? b.order.amount : Math.floor((b.order.amount * kept) / paid);
  return { id: 'remaining', ...b.order, amount, lineItems };
}

/** The whole order as paid, judged the same way as what remains (./refund-by-lines.ts). */
export function paidOrder(b: OrderBreakdown): OrderFacts & { id: string } {
  return { id: 'paid', ...b.order, lineItems: b.lines.map(({ refunded: _refunded, ...l }) => l) };
}

export function parseBreakdown(text: string | null): OrderBreakdown | undefined {
  if (!text) return undefined;
  const parsed = JSON.parse(text) as OrderBreakdown;
  return parsed.v === 1 ? parsed : undefined;
}
