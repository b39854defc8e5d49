/** Errors the ledger refuses a write with. Each leaves the database as it was. */
export class LedgerError extends Error {
  constructor(
    readonly code:
      | 'member_not_found'
      | 'member_erased'
      | 'invalid_amount'
      | 'insufficient_points'
      | 'idempotency_conflict'
      | 'hold_not_found'
      | 'hold_not_open'
      | 'capture_exceeds_hold'
      | 'not_reversible'
      | 'transfer_not_found',
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}

/**
 * Another transaction committed a transfer with the same idempotency key after this one looked.
 * The facade retries: the retry finds the committed transfer and returns it as a duplicate.
 */
export class ConcurrentDuplicate extends Error {
  constructor(readonly idempotencyKey: string) {
    super(`transfer ${idempotencyKey} was written concurrently`);
    this.name = 'ConcurrentDuplicate';
  }
}
