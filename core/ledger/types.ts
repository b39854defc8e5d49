import type { Row } from '../storage/rows.js';

export type TransferRow = Row<'transfers'>;

export type TransferKind =
  | 'earn' // program:issued → member (active lot) or member:pending (pending lot)
  | 'activate' // member:pending → member, a pending lot becomes spendable
  | 'spend' // member → program:redeemed
  | 'lock' // pending transfer member → program:redeemed: a checkout hold
  | 'capture' // posts a lock (all or part of it)
  | 'unlock' // voids a lock
  | 'expire' // member → program:expired, the unspent part of a lot
  | 'reverse' // undoes part or all of an earn (→ program:issued) or a spend (← program:redeemed)
  | 'adjust'; // manual credit (program:adjusted → member) or debit (member → program:adjusted)

/** Why a line exists. Every transfer records at least its source. */
export interface Why {
  source: 'rule' | 'event' | 'redemption' | 'admin' | 'system' | 'api';
  ruleId?: string;
  eventId?: string;
  redemptionId?: string;
  /** Who did it: an API key name, an admin, `scheduler`. */
  actor?: string;
  reason?: string;
  metadata?: Record<string, unknown>;
}

export interface Balance {
  memberId: string;
  available: number;
  pending: number;
  locked: number;
  spent: number;
  expired: number;
  lifetimeEarned: number;
}

export interface Posted {
  transfer: TransferRow;
  /** true when the idempotency key had already been applied: nothing was written this time. */
  duplicate: boolean;
  /**
   * The member's balance right before and right after this line, when `w.post` applied it now
   * (absent on a replay and on the batched paths): what a caller that announces the line itself
   * needs, without reading the balance again (core/program/announce-application.ts).
   */
  before?: Omit<Balance, 'memberId'>;
  after?: Omit<Balance, 'memberId'>;
}

export type Clock = () => number;
