import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { LightspeedApi } from './api.js';
import type { LightspeedCustomer, LightspeedSale } from './schemas.js';

/**
 * `WALKIN` is the customer code of the store's default customer, which Lightspeed puts on every
 * sale made to nobody in particular: crediting it would pool every anonymous sale in one member,
 * so such a sale is a guest's.
 */
const WALK_IN_CODE = 'WALKIN';

/**
 * The customer facts of a sale: the customer the sale embeds, or — when it names only its
 * `customer_id` — the one `GET /customers/{id}` returns (with LIGHTSPEED_ACCESS_TOKEN). Without a
 * token such a sale earns for the alias `lightspeed:<customer id>` alone, with no e-mail to merge
 * it with the customer's other memberships (docs/connectors/lightspeed.md). Undefined: a guest.
 */
export async function saleCustomer(sale: LightspeedSale, api: LightspeedApi | undefined): Promise<TriggerCustomer | undefined> {
  const customerId = sale.customer?.id ?? sale.customer_id;
  if (!customerId) return undefined;
  const record = sale.customer?.id ? sale.customer : await api?.customer(customerId);
  if (!record) return { platformId: customerId };
  if (record.customer_code?.toUpperCase() === WALK_IN_CODE) return undefined;
  return customerFacts(customerId, record);
}

function customerFacts(customerId: string, record: LightspeedCustomer): TriggerCustomer {
  const customer: TriggerCustomer = { platformId: customerId };
  if (record.email) customer.email = record.email;
  const phone = record.mobile ?? record.phone;
  if (phone) customer.phone = phone;
  if (record.first_name) customer.firstName = record.first_name;
  if (record.last_name) customer.lastName = record.last_name;
  if (record.do_not_email !== undefined && record.do_not_email !== null) customer.consentEmail = !record.do_not_email;
  return customer;
}
