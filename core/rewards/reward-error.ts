/** What the redemption domain refuses; mapped to problem documents by core/api/problem.ts. */
export type RewardErrorCode =
  | 'reward_not_found'
  | 'reward_unavailable'
  | 'out_of_stock'
  | 'member_limit_reached'
  | 'not_eligible'
  | 'pool_empty'
  | 'voucher_not_found'
  | 'voucher_used'
  | 'voucher_expired'
  | 'voucher_void'
  | 'redemption_not_found'
  | 'redemption_reversed'
  | 'pin_required'
  | 'pin_invalid'
  | 'pin_locked'
  | 'no_points_value';

export class RewardError extends Error {
  constructor(
    readonly code: RewardErrorCode,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'RewardError';
  }
}
