/**
 * Order statuses in which WooCommerce has the money: `processing` (paid, not yet shipped) and
 * `completed`. A shop whose gateway or workflow differs (e.g. a custom `shipped` status, or
 * earning only on `completed`) sets `WOOCOMMERCE_PAID_STATUSES=completed,shipped`.
 */
export const DEFAULT_PAID_STATUSES = ['processing', 'completed'];

/** Parses the comma-separated list; WooCommerce's internal `wc-` prefix is accepted and dropped. */
export function paidStatusesFrom(value: string | undefined): ReadonlySet<string> {
  const statuses = (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/^wc-/, ''))
    .filter((s) => s !== '');
  return new Set(statuses.length > 0 ? statuses : DEFAULT_PAID_STATUSES);
}
