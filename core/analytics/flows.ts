/**
 * What a ledger line means for the figures finance asks for (docs/api.md, "Analytics"): each
 * transfer is one flow, decided by its kind and which of the member's accounts it touches — the
 * same reading as `balanceEffect` (core/ledger/balance-effect.ts).
 */
import { memberAccount, memberPendingAccount } from '../ledger/accounts.js';

export const FLOWS = [
  'earn', // issued, straight into the member's available points
  'earn_pending', // issued into pending points (a returns window, a fraud hold)
  'activate', // pending → available: no change to what is owed
  'spend', // redeemed
  'lock', // a checkout hold: still owed until captured
  'capture', // redeemed (the captured part of a hold)
  'unlock', // a hold released
  'expire', // expired
  'reverse_earn', // issued points taken back from available
  'reverse_pending', // issued points taken back from pending
  'reverse_spend', // redeemed points given back
  'adjust_credit',
  'adjust_debit',
] as const;
export type Flow = (typeof FLOWS)[number];

export interface LineShape {
  kind: string;
  debitAccount: string;
  creditAccount: string;
  memberId: string;
}

export function flowOf(t: LineShape): Flow {
  switch (t.kind) {
    case 'earn':
      return t.creditAccount === memberAccount(t.memberId) ? 'earn' : 'earn_pending';
    case 'reverse':
      if (t.debitAccount === memberAccount(t.memberId)) return 'reverse_earn';
      if (t.debitAccount === memberPendingAccount(t.memberId)) return 'reverse_pending';
      return 'reverse_spend';
    case 'adjust':
      return t.creditAccount === memberAccount(t.memberId) ? 'adjust_credit' : 'adjust_debit';
    case 'activate':
    case 'spend':
    case 'lock':
    case 'capture':
    case 'unlock':
    case 'expire':
      return t.kind;
    default:
      throw new Error(`unknown transfer kind ${t.kind}`);
  }
}

/** Lines that make their member active: it earned or redeemed (docs/api.md, "Analytics"). */
const ACTIVE_FLOWS: ReadonlySet<Flow> = new Set<Flow>(['earn', 'earn_pending', 'spend', 'capture']);

/**
 * Whether a line makes its member active (`members.active`, docs/api.md "Analytics"): an earn or
 * a redemption — but not the opening lines `loyalty-hub import` writes (actor `import:<source>`):
 * a member moving in with its balance did not earn or redeem that day, and a million-member
 * import would otherwise show a million active members on the day it ran.
 */
export function makesActive(flow: Flow, actor: string | null | undefined): boolean {
  return ACTIVE_FLOWS.has(flow) && !writtenByImport(actor);
}

/** Whether `loyalty-hub import` wrote it: its writes act as `import:<source>` (core/members/import-run.ts). */
export function writtenByImport(actor: string | null | undefined): boolean {
  return (actor ?? '').startsWith('import:');
}

/**
 * What a flow does to the points the program owes (available + pending + held by a lock, the
 * member's posted and pending accounts): +1, −1 or 0 times its points. A capture releases the
 * rest of its hold back to available, so only the captured part leaves.
 */
export const LIABILITY_SIGN: Record<Flow, -1 | 0 | 1> = {
  earn: 1,
  earn_pending: 1,
  activate: 0,
  spend: -1,
  lock: 0,
  capture: -1,
  unlock: 0,
  expire: -1,
  reverse_earn: -1,
  reverse_pending: -1,
  reverse_spend: 1,
  adjust_credit: 1,
  adjust_debit: -1,
};

/** What a flow does to pending points alone. */
export const PENDING_SIGN: Partial<Record<Flow, -1 | 1>> = { earn_pending: 1, activate: -1, reverse_pending: -1 };
