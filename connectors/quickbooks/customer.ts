import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { ChangeContext } from './change.js';
import type { SalesTransaction } from './schemas.js';

/**
 * The customer of a sale: the QuickBooks customer (alias `quickbooks:<realm>:<customer id>`,
 * unique across companies) and an e-mail — the one the transaction was sent to (`BillEmail`),
 * else the customer's `PrimaryEmailAddr` from a second look-up, which also gives the names.
 * No `CustomerRef` and no `BillEmail`: a guest without an e-mail.
 */
export async function saleCustomer(realmId: string, txn: SalesTransaction, ctx: ChangeContext): Promise<TriggerCustomer | undefined> {
  const customerId = txn.CustomerRef?.value;
  const billEmail = txn.BillEmail?.Address;
  if (!customerId) return billEmail ? { email: billEmail } : undefined;
  const customer: TriggerCustomer = { platformId: `${realmId}:${customerId}` };
  if (billEmail) {
    customer.email = billEmail;
    return customer;
  }
  const found = await ctx.api.customer(realmId, customerId);
  if (found?.PrimaryEmailAddr?.Address) customer.email = found.PrimaryEmailAddr.Address;
  if (found?.GivenName) customer.firstName = found.GivenName;
  if (found?.FamilyName) customer.lastName = found.FamilyName;
  if (found?.PrimaryPhone?.FreeFormNumber) customer.phone = found.PrimaryPhone.FreeFormNumber;
  return customer;
}
