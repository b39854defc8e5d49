/**
 * The members pages' words for what the API returns in fields: which look-up a search used, a
 * ledger line's effect on the balance, an account-history entry's detail (docs/api.md,
 * "Points" and "What support reads").
 */
import { formatPoints } from '../components.js';
import type { HistoryEntryView, LineView } from './member-types.js';

export type SearchBy = 'email' | 'alias' | 'id';

/**
 * How one search box finds a member through the API: `platform:id` is an alias (`email:…` too),
 * anything else with an `@` an e-mail, the rest a member id. The results say which was used.
 */
export function searchBy(q: string): SearchBy {
  if (q.includes(':')) return 'alias';
  if (q.includes('@')) return 'email';
  return 'id';
}

export const SEARCH_BY_WORDS: Record<SearchBy, string> = { email: 'e-mail', alias: 'alias', id: 'member id' };

const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${formatPoints(Math.abs(n))}`;

const BALANCE_FIELDS = ['available', 'pending', 'locked', 'spent', 'expired'] as const;

/** "+50 available", "−25 pending, +25 available": what the line did to the member's balance. */
export function lineEffect(line: LineView): string {
  const parts = BALANCE_FIELDS.filter((f) => line.effect[f]).map((f) => `${signed(line.effect[f]!)} ${f}`);
  return parts.length ? parts.join(', ') : formatPoints(line.amount);
}

/** Where a line came from: its source, and the event or person behind it. */
export function lineSource(line: LineView): string {
  const by = line.eventId ?? line.redemptionId ?? line.actor;
  return by ? `${line.source} · ${by}` : line.source;
}

const text = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** An account-history entry's detail as a sentence a support agent reads. */
export function historyDetail(entry: HistoryEntryView): string {
  const d = entry.detail;
  switch (entry.kind) {
    case 'tier.changed': {
      const why = d.reason === 'manual_tier_set' ? `manual tier set to ${text(d.manualTier)}` : d.reason === 'manual_tier_cleared' ? 'manual tier cleared' : 'qualifying points';
      return `${text(d.from)} → ${text(d.to)} (${why}; ${text(d.qualifyingPoints)} qualifying points)`;
    }
    case 'status.changed':
      return `${text(d.from)} → ${text(d.to)}: ${text(d.reason)}`;
    case 'points.held':
    case 'points.approved':
    case 'points.rejected':
      return `${text(d.points)} points (${text(d.eventId)}): ${text(d.reason)}`;
    case 'profile.updated':
      return `changed ${Array.isArray(d.fields) ? d.fields.join(', ') : text(d.fields)}`;
    default: {
      const pairs = Object.entries(d).map(([k, v]) => `${k}: ${text(v)}`);
      return pairs.length ? pairs.join('; ') : '—';
    }
  }
}
