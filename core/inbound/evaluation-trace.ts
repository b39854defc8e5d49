/**
 * The evaluation trace an inbox row keeps for each event it applied (docs/api.md, "Inbox"): which
 * rule applied for how many points, which did not and why, caps, the fraud hold and suspension —
 * as the engine decided it at the time (core/program/evaluate.ts), so "why no points?" is
 * answered from what happened, not from a re-run against today's counters.
 */
import type { Evaluation } from '../program/evaluate.js';

export interface EvaluationTrace {
  on: string;
  tier: string | null;
  total: number;
  lines: { ruleId: string; award: string; points: number; uncapped: number; cappedBy: string[]; explanation: string; activatesAt: number; expiresAt: number | null }[];
  skipped: { ruleId: string; reason: string }[];
  limited: { limit: string; requested: number; awarded: number; ruleId?: string }[];
  held: { reason: string; until: number } | null;
  suspended: boolean;
}

export function traceOf(e: Evaluation): EvaluationTrace {
  return {
    on: e.on,
    tier: e.tier,
    total: e.total,
    lines: e.lines.map((l) => ({
      ruleId: l.ruleId,
      award: l.award,
      points: l.points,
      uncapped: l.uncapped,
      cappedBy: l.cappedBy,
      explanation: l.explanation,
      activatesAt: l.activatesAt,
      expiresAt: l.expiresAt,
    })),
    skipped: e.skipped,
    limited: e.limited,
    held: e.held ?? null,
    suspended: e.suspended === true,
  };
}
