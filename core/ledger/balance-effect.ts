import { memberAccount } from './accounts.js';
import type { BalanceFields } from './member-balance.js';
import type { TransferRow } from './types.js';

/**
 * What one transfer does to its member's balance fields. The single definition used by the
 * invariant checker's replay and by the history the API shows, so the two cannot drift.
 * A capture also needs the amount of the hold it posts (the rest of the hold is released).
 */
export function balanceEffect(t: TransferRow, heldByCapture?: number): Partial<BalanceFields> {
  const a = t.amount;
  const toMember = t.creditAccount === memberAccount(t.memberId);
  const fromMember = t.debitAccount === memberAccount(t.memberId);
  switch (t.kind) {
    case 'earn':
      return toMember ? { available: a, lifetimeEarned: a } : { pending: a };
    case 'activate':
      return { pending: -a, available: a, lifetimeEarned: a };
    case 'spend':
      return { available: -a, spent: a };
    case 'lock':
      return { available: -a, locked: a };
    case 'capture': {
      const held = heldByCapture ?? a;
      return { locked: -held, available: held - a, spent: a };
    }
    case 'unlock':
      return { locked: -a, available: a };
    case 'expire':
      return { available: -a, expired: a };
    case 'reverse':
      if (fromMember) return { available: -a, lifetimeEarned: -a }; // an earn taken back
      if (!toMember) return { pending: -a }; // a pending earn taken back
      return { available: a, spent: -a }; // a spend returned
    case 'adjust':
      return { available: toMember ? a : -a };
    default:
      throw new Error(`unknown transfer kind ${t.kind}`);
  }
}
