/**
 * Account names. Program accounts are the other side of every member movement; their totals are
 * derived by summing transfers (analytics), not kept as hot counter rows that every write in
 * every process would contend on.
 */
export const PROGRAM = {
  issued: 'program:issued',
  redeemed: 'program:redeemed',
  expired: 'program:expired',
  adjusted: 'program:adjusted',
} as const;

/** A member's spendable account: its posted balance is available + locked. */
export const memberAccount = (memberId: string): string => `member:${memberId}`;
/** Points earned but not yet active (the returns window). */
export const memberPendingAccount = (memberId: string): string => `member:${memberId}:pending`;

export const isProgramAccount = (account: string): boolean =>
  (Object.values(PROGRAM) as string[]).includes(account);
