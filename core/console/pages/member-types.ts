/**
 * The shapes of the management API's answers the members pages read (docs/api.md, "Members",
 * "Points", "Fraud holds"): the console renders what the API returns, nothing more.
 */

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface MemberView {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  tier: string | null;
  manualTier: string | null;
  aliases: string[];
  status: 'active' | 'suspended' | 'erased';
  createdAt: string;
}

export interface BalanceView {
  available: number;
  pending: number;
  locked: number;
  spent: number;
  expired: number;
  lifetimeEarned: number;
  debt: number;
  tier: string | null;
  expiring: { points: number; expiresAt: string }[];
}

export interface LotView {
  status: 'pending' | 'active' | 'closed';
  activatesAt: string;
  expiresAt: string | null;
  remaining: number;
}

export interface LineView {
  id: string;
  kind: string;
  amount: number;
  effect: Partial<Record<'available' | 'pending' | 'locked' | 'spent' | 'expired' | 'lifetimeEarned', number>>;
  source: string;
  ruleId: string | null;
  eventId: string | null;
  redemptionId: string | null;
  actor: string | null;
  reason: string | null;
  lot: LotView | null;
  createdAt: string;
}

export interface VoucherView {
  code: string;
  status: string;
  valid: boolean;
  reward: { id: string; name: string | null };
  expiresAt: string | null;
  usedAt: string | null;
  usedReference: string | null;
  createdAt: string;
}

export interface RedemptionView {
  id: string;
  reward: { id: string; name: string | null };
  points: number;
  status: 'issued' | 'reversed';
  voucher: { code: string; status: string | null; expiresAt: string | null } | null;
  createdAt: string;
  reversedAt: string | null;
}

export interface HistoryEntryView {
  at: string;
  kind: string;
  actor: string;
  detail: Record<string, unknown>;
}

export interface HoldView {
  id: string;
  points: number;
  reason: string;
  eventId: string;
  heldAt: string;
  heldUntil: string;
  overdue: boolean;
}
