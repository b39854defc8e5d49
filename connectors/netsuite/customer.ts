import { withoutUndefined } from '../../core/connectors/payload.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { NetSuiteTransaction } from './schemas.js';

/**
 * The transaction's customer: `entity` (the customer's internal id, alias `netsuite:<id>`) and
 * the transaction's `email`, which NetSuite fills from the customer record. NetSuite keeps no
 * marketing consent on a transaction, so none is reported.
 */
export function transactionCustomer(transaction: NetSuiteTransaction): TriggerCustomer | undefined {
  const facts = withoutUndefined({ platformId: transaction.fields.entity, email: transaction.fields.email });
  return Object.keys(facts).length > 0 ? facts : undefined;
}

/** When the transaction reached the state sent: its last change, else its date, else now. */
export function occurredAtOf(transaction: NetSuiteTransaction): number {
  return transaction.fields.lastmodifieddate ?? transaction.fields.trandate ?? Date.now();
}
