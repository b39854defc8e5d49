/**
 * A refund that names its lines (docs/program.md, "Refunds by line items"): it takes back what
 * those lines earned, from the order's recorded breakdown (./order-breakdown.ts), and re-judges
 * the order's rules on what remains of it — seed 004's partial earn reversal "recalculates points
 * on the remaining products". A rule that applied to the order as paid but no longer applies to
 * what remains (a threshold bonus, "orders over 100", a rule on a SKU that went back) was earned
 * by the lines that left: all of its points are due back, its share of the multipliers too. The
 * tier bonus is never re-judged: the tier the member held when the order was paid stands.
 */
import type { RefundFacts } from '../triggers/trigger-event.js';
import type { Program } from './compiled-program.js';
import { evaluationScope, failedCondition, type MemberContext } from './match-conditions.js';
import { paidOrder, pointsDue, remainingOrder, type OrderBreakdown } from './order-breakdown.js';

type RefundLine = NonNullable<RefundFacts['lineItems']>[number];

export type LineRefund =
  | { matched: false; unmatched: string[] }
  | {
      matched: true;
      /** The breakdown with this refund's units and withdrawn rules recorded. */
      breakdown: OrderBreakdown;
      /** Points due back for everything refunded so far (cumulative). */
      due: number;
      /** What this refund adds, per rule: which earns the take-back reverses first. */
      prefer: { ruleId: string; points: number }[];
      /** Money of the refunded lines as reported, or their share of what was paid for them. */
      money: number;
      /** In words, for the refund's outcome. */
      described: string;
    };

function nameOf(line: RefundLine): string {
  return line.lineItemId !== undefined ? `line ${line.lineItemId}` : line.sku !== undefined ? `SKU ${line.sku}` : 'a line without id or SKU';
}

/** The order line a refunded line names: by the platform's line id, else by SKU (the first with units left). */
function matchLine(b: OrderBreakdown, line: RefundLine): number {
  if (line.lineItemId !== undefined) return b.lines.findIndex((l) => l.id === line.lineItemId);
  if (line.sku === undefined) return -1;
  const withSku = b.lines.map((l, i) => ({ l, i })).filter(({ l }) => l.sku === line.sku);
  return (withSku.find(({ l }) => l.refunded < l.quantity) ?? withSku[0])?.i ?? -1;
}

export function refundByLines(
  program: Program,
  recorded: OrderBreakdown,
  refund: { lines: RefundLine[]; source: string; occurredAt: number },
  member: MemberContext,
): LineRefund {
  const b: OrderBreakdown = structuredClone(recorded);
  const matches = refund.lines.filter((l) => l.quantity > 0).map((line) => ({ line, index: matchLine(b, line) }));
  const unmatched = matches.filter((m) => m.index < 0).map((m) => nameOf(m.line));
  if (unmatched.length > 0 || matches.length === 0) return { matched: false, unmatched };

  let money = 0;
  const named: string[] = [];
  for (const { line, index } of matches) {
    const l = b.lines[index]!;
    // A line refunded again (or beyond its units) gives back nothing more than its units earned.
    const units = Math.min(line.quantity, l.quantity - Math.min(l.refunded, l.quantity));
    l.refunded += units;
    money += line.amount ?? Math.floor((l.total * units) / l.quantity);
    named.push(`${l.sku ?? l.id ?? `line ${index + 1}`} ×${units}`);
  }

  const withdrawn: string[] = [];
  const asPaid = { id: 'paid', type: 'order.paid' as const, source: refund.source, occurredAt: refund.occurredAt, order: paidOrder(b) };
  const remaining = { ...asPaid, order: remainingOrder(b) };
  for (const award of b.awards) {
    if (award.withdrawn || award.award === 'tier') continue;
    const rule = program.rules.find((r) => r.id === award.ruleId);
    // A rule the program no longer has cannot be judged: its line shares still come back.
    if (!rule) continue;
    if (failedCondition(rule, asPaid, member, program.timeZone, evaluationScope(asPaid, member)) !== null) continue;
    const reason = failedCondition(rule, remaining, member, program.timeZone, evaluationScope(remaining, member));
    if (reason !== null) {
      award.withdrawn = reason;
      withdrawn.push(`rule ${rule.id} (${reason})`);
    }
  }
  const described = `refunded by line items (${named.join(', ')})${withdrawn.length ? `; what remains no longer earns ${withdrawn.join('; ')}` : ''}`;
  const due = pointsDue(b);
  const prefer = b.awards.flatMap((award, i) => {
    const more = due[i]! - (award.taken ?? 0);
    award.taken = Math.max(award.taken ?? 0, due[i]!);
    return more > 0 ? [{ ruleId: award.ruleId, points: more }] : [];
  });
  return { matched: true, breakdown: b, due: due.reduce((n, d) => n + d, 0), prefer, money, described };
}
