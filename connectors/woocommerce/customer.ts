import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { parseWithSchema, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import { customerSchema, type WooCustomer, type WooOrder } from './schemas.js';

/**
 * WooCommerce has no marketing-consent field of its own (plugins keep it in meta data under
 * names of their choosing), so no consent is reported.
 */
function facts(fields: TriggerCustomer): TriggerCustomer | undefined {
  const present = withoutUndefined(fields);
  return Object.keys(present).length > 0 ? present : undefined;
}

/**
 * The buyer of an order. `customer_id: 0` is a guest checkout: no platform id, but the billing
 * e-mail still finds (or enrolls) the member through the `email:` alias.
 */
export function orderCustomer(order: WooOrder): TriggerCustomer | undefined {
  const billing = order.billing;
  return facts({
    platformId: order.customer_id,
    email: billing?.email,
    phone: billing?.phone,
    firstName: billing?.first_name,
    lastName: billing?.last_name,
  });
}

function customerFacts(customer: WooCustomer): TriggerCustomer {
  const billing = customer.billing;
  return withoutUndefined({
    platformId: customer.id,
    email: customer.email ?? billing?.email,
    phone: billing?.phone,
    firstName: customer.first_name ?? billing?.first_name,
    lastName: customer.last_name ?? billing?.last_name,
  });
}

/**
 * customer.created → `customer.created`, once per customer. customer.updated →
 * `customer.updated` keyed by `date_modified_gmt` too, so every real change is its own fact while
 * a resend of the same change keeps its id.
 */
export function customerEvent(payload: unknown, kind: 'created' | 'updated'): PlatformTrigger {
  const customer = parseWithSchema(customerSchema, payload, '', `WooCommerce customer.${kind} payload`);
  const stamp = kind === 'created' ? 'date_created_gmt' : 'date_modified_gmt';
  const { id, occurredAt } = requireFields<{ id: string; occurredAt: number }>(`customer.${kind} payload`, {
    id: [customer.id, '/id', 'the customer id is required'],
    occurredAt: [customer[stamp] ?? customer.date_created_gmt, `/${stamp}`, 'a GMT date is required'],
  });
  return {
    type: kind === 'created' ? 'customer.created' : 'customer.updated',
    id: kind === 'created' ? `woocommerce:customer:${id}:created` : `woocommerce:customer:${id}:updated:${occurredAt}`,
    source: 'woocommerce',
    occurredAt,
    customer: customerFacts(customer),
  };
}
