import { withoutUndefined } from '../../core/connectors/payload.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { MagentoOrder } from './schemas.js';

/**
 * The buyer of an order. A registered customer has a `customer_id` (the member's alias
 * `magento:<id>`); a guest checkout has none (`customer_is_guest: 1`) but its e-mail still finds
 * the member, or waits for one (docs/program.md). Magento states no marketing consent on an
 * order (newsletter subscriptions live elsewhere), so none is reported.
 */
export function orderCustomer(order: MagentoOrder): TriggerCustomer | undefined {
  const customer = withoutUndefined({
    platformId: isGuest(order) ? undefined : order.customer_id,
    email: order.customer_email ?? order.billing_address?.email,
    phone: order.billing_address?.telephone,
    firstName: order.customer_firstname,
    lastName: order.customer_lastname,
  });
  return Object.keys(customer).length > 0 ? customer : undefined;
}

function isGuest(order: MagentoOrder): boolean {
  const flag = order.customer_is_guest;
  return flag === true || flag === 1 || flag === '1';
}
