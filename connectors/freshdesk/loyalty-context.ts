/**
 * The member's loyalty context under a ticket's description (docs/connectors/freshdesk.md,
 * "The loyalty context"): what an agent needs to answer a points question without opening the
 * hub — member id, balance, tier and the last few ledger movements. Read when the ticket is sent,
 * so a retried ticket shows the state at sending. Never the e-mail address or phone number: the
 * mapping's own text decides whether those appear (as in the Zendesk mappings).
 */
import { isProgramAccount } from '../../core/ledger/accounts.js';
import { Ledger } from '../../core/ledger/index.js';
import type { TransferRow } from '../../core/ledger/types.js';
import { getMember } from '../../core/members/members.js';
import { readStanding } from '../../core/program/member-standing.js';
import type { AdapterServices } from '../../core/connectors/definition.js';
import { escapeHtml } from './html.js';

/** How many ledger movements the context lists, newest first. */
export const RECENT_MOVEMENTS = 5;

export interface LoyaltyContext {
  memberId: string;
  available: number;
  pending: number;
  locked: number;
  lifetimeEarned: number;
  tier: string | null;
  manualTier: string | null;
  recent: { at: number; kind: string; points: number; reason: string | null }[];
}

/** The context of a member the hub knows, or undefined (unknown or erased: nothing to show). */
export async function readLoyaltyContext(services: AdapterServices, memberId: string): Promise<LoyaltyContext | undefined> {
  const member = await getMember(services.store.db, memberId);
  if (!member || member.status === 'erased') return undefined;
  const ledger = new Ledger(services.store, services.commit);
  const [balance, standing, history] = await Promise.all([
    ledger.balance(memberId),
    readStanding(services.store.db, memberId),
    ledger.history(memberId, { limit: RECENT_MOVEMENTS }),
  ]);
  return {
    memberId,
    available: Number(balance?.available ?? 0),
    pending: Number(balance?.pending ?? 0),
    locked: Number(balance?.locked ?? 0),
    lifetimeEarned: Number(balance?.lifetimeEarned ?? 0),
    tier: standing.tier,
    manualTier: member.tier,
    recent: history.map((t) => ({ at: Number(t.createdAt), kind: t.kind, points: signedPoints(t), reason: t.reason })),
  };
}

/**
 * Points as the member's balance saw them: + when they came from a program account (earned,
 * credited, a spend reversed), − when they went to one (spent, expired, taken back), unsigned
 * between the member's own accounts (pending points activated, a hold).
 */
function signedPoints(t: TransferRow): number {
  const amount = Number(t.amount);
  if (isProgramAccount(t.debitAccount)) return amount;
  if (isProgramAccount(t.creditAccount)) return -amount;
  return amount;
}

const points = (n: number) => n.toLocaleString('en-US');
const signed = (n: number) => (n > 0 ? `+${points(n)}` : n < 0 ? `−${points(-n)}` : '0');

export function loyaltyContextHtml(context: LoyaltyContext): string {
  const tier = context.tier ?? 'none yet';
  const rows = [
    `Member: ${escapeHtml(context.memberId)}`,
    `Balance: ${points(context.available)} points available, ${points(context.pending)} pending, ${points(context.locked)} held at checkout`,
    `Lifetime earned: ${points(context.lifetimeEarned)} points`,
    `Tier: ${escapeHtml(tier)}${context.manualTier ? ` (set by hand: ${escapeHtml(context.manualTier)})` : ''}`,
  ];
  const recent = context.recent.length
    ? `<ul>${context.recent
        .map((r) => `<li>${new Date(r.at).toISOString().slice(0, 16).replace('T', ' ')} UTC · ${escapeHtml(r.kind)} ${signed(r.points)}${r.reason ? ` · ${escapeHtml(r.reason)}` : ''}</li>`)
        .join('')}</ul>`
    : '<p>No points movements yet.</p>';
  return `<hr><p><strong>Loyalty context</strong></p><p>${rows.join('<br>')}</p><p>Recent points (newest first):</p>${recent}`;
}
