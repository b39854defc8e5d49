import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { gmtEpochMsOf, idOf, isObject, requireFields, textOf, withoutUndefined, type JsonObject } from './fields.js';

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
export function orderCustomer(order: JsonObject): TriggerCustomer | undefined {
  const billing = isObject(order.billing) ? order.billing : {};
  return facts({
    platformId: idOf(order.customer_id),
    email: textOf(billing.email),
    phone: textOf(billing.phone),
    firstName: textOf(billing.first_name),
    lastName: textOf(billing.last_name),
  });
}

function customerFacts(customer: JsonObject): TriggerCustomer {
  const billing = isObject(customer.billing) ? customer.billing : {};
  return withoutUndefined({
    platformId: idOf(customer.id),
    email: textOf(customer.email) ?? textOf(billing.email),
    phone: textOf(billing.phone),
    firstName: textOf(customer.first_name) ?? textOf(billing.first_name),
    lastName: textOf(customer.last_name) ?? textOf(billing.last_name),
  });
}

/**
 * customer.created → `customer.created`, once per customer. customer.updated →
 * `customer.updated` keyed by `date_modified_gmt` too, so every real change is its own fact while
 * a resend of the same change keeps its id.
 */
export function customerEvent(customer: JsonObject, kind: 'created' | 'updated'): PlatformTrigger {
  const stamp = kind === 'created' ? 'date_created_gmt' : 'date_modified_gmt';
  const { id, occurredAt } = requireFields<{ id: string; occurredAt: number }>(`customer.${kind} payload`, {
    id: [idOf(customer.id), '/id', 'the customer id is required'],
    occurredAt: [gmtEpochMsOf(customer[stamp]) ?? gmtEpochMsOf(customer.date_created_gmt), `/${stamp}`, 'a GMT date is required'],
  });
  return {
    type: kind === 'created' ? 'customer.created' : 'customer.updated',
    id: kind === 'created' ? `woocommerce:customer:${id}:created` : `woocommerce:customer:${id}:updated:${occurredAt}`,
    source: 'woocommerce',
    occurredAt,
    customer: customerFacts(customer),
  };
}
