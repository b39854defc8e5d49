/**
 * RFC 9457 problem documents. Every error the API returns goes through here, so clients get one
 * shape: `type`, `title`, `status`, `detail`, and `errors[]` for field-level validation.
 */
import { LedgerError } from '../ledger/errors.js';
import { MemberError } from '../members/errors.js';
import { TriggerError } from '../program/apply-trigger.js';
import { FraudHoldError } from '../program/fraud-holds.js';
import { SegmentError } from '../program/segments.js';
import { RewardError } from '../rewards/reward-error.js';

export interface FieldError {
  /** JSON pointer into the request part that failed, e.g. `/customer/email`. */
  pointer: string;
  /** Which part of the request: body, query, path, header. */
  in: 'body' | 'query' | 'path' | 'header';
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }

  toProblem(): Problem {
    return { type: problemType(this.slug), title: this.title, status: this.status, detail: this.message, ...this.extensions };
  }
}

export const problemType = (slug: string): string => `/problems/${slug}`;

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** Domain codes answered under another problem type: the ledger's key conflict is the documented `idempotency-key-reused` (docs/api.md). */
const DOMAIN_SLUG: Record<string, string> = { idempotency_conflict: 'idempotency-key-reused' };

const DOMAIN_STATUS: Record<string, [number, string]> = {
  member_not_found: [404, 'Member not found'],
  transfer_not_found: [404, 'Transaction not found'],
  hold_not_found: [404, 'Lock not found'],
  member_exists: [409, 'Member already exists'],
  alias_taken: [409, 'Alias belongs to another member'],
  idempotency_conflict: [409, 'Idempotency key reused'],
  hold_not_open: [409, 'Lock already resolved'],
  member_erased: [409, 'Member erased'],
  member_suspended: [409, 'Member suspended'],
  insufficient_points: [422, 'Insufficient points'],
  capture_exceeds_hold: [422, 'Capture exceeds lock'],
  not_reversible: [422, 'Nothing to reverse'],
  invalid_amount: [422, 'Invalid amount'],
  invalid_alias: [400, 'Invalid alias'],
  customer_missing: [400, 'No customer'],
  segment_not_found: [404, 'Segment not found'],
  segment_exists: [409, 'Segment already exists'],
  reward_not_found: [404, 'Reward not found'],
  reward_unavailable: [409, 'Reward not available'],
  out_of_stock: [409, 'Out of stock'],
  member_limit_reached: [409, 'Redemption limit reached'],
  not_eligible: [403, 'Not eligible'],
  pool_empty: [409, 'No voucher codes left'],
  voucher_not_found: [404, 'Voucher not found'],
  voucher_used: [409, 'Voucher already used'],
  voucher_expired: [409, 'Voucher expired'],
  voucher_void: [409, 'Voucher cancelled'],
  redemption_not_found: [404, 'Redemption not found'],
  redemption_reversed: [409, 'Redemption already reversed'],
  pin_required: [401, 'PIN required'],
  pin_invalid: [403, 'Wrong PIN'],
  pin_locked: [423, 'PIN locked'],
  no_points_value: [422, 'Points cannot pay in this currency'],
  fraud_hold_not_found: [404, 'Fraud hold not found'],
  fraud_hold_decided: [409, 'Fraud hold already decided'],
};

/** Maps what the domain refused into a problem document; anything unknown is a 500 without internals. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.toProblem();
  if (error instanceof LedgerError || error instanceof MemberError || error instanceof TriggerError || error instanceof SegmentError || error instanceof RewardError || error instanceof FraudHoldError) {
    const detail = 'detail' in error ? (error.detail as Record<string, unknown>) : {};
    const [status, title] = DOMAIN_STATUS[error.code] ?? [400, 'Request refused'];
    return { type: problemType(DOMAIN_SLUG[error.code] ?? error.code.replaceAll('_', '-')), title, status, detail: error.message, ...detail };
  }
  return { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'The hub failed to process the request; it has been logged.' };
}

