import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { epochMsOf, idOf, isObject, requireFields, textOf, withoutUndefined, type JsonObject } from './fields.js';

/**
 * Consent from Shopify's consent objects (`email_marketing_consent.state`, values `subscribed`,
 * `not_subscribed`, `pending`, `unsubscribed`, `redacted`, `invalid`): only `subscribed` is
 * consent — a pending double opt-in is not yet. Older API versions send `accepts_marketing`.
 */
function consentOf(consent: unknown, legacyFlag: unknown): boolean | undefined {
  if (isObject(consent) && typeof consent.state === 'string') return consent.state === 'subscribed';
  return typeof legacyFlag === 'boolean' ? legacyFlag : undefined;
}

/** The facts of a Shopify customer resource (customers/* payloads and `order.customer`). */
export function customerFacts(customer: JsonObject): TriggerCustomer {
  return withoutUndefined({
    platformId: idOf(customer.id),
    email: textOf(customer.email),
    phone: textOf(customer.phone),
    firstName: textOf(customer.first_name),
    lastName: textOf(customer.last_name),
    consentEmail: consentOf(customer.email_marketing_consent, customer.accepts_marketing),
    consentSms: consentOf(customer.sms_marketing_consent, undefined),
  });
}

/**
 * The buyer of an order. A guest checkout has `customer: null`: no platform id, but the order's
 * e-mail (or contact e-mail) and phone still identify a member by alias. Nothing at all → guest
 * without a customer (undefined).
 */
export function orderCustomer(order: JsonObject): TriggerCustomer | undefined {
  const customer = isObject(order.customer) ? customerFacts(order.customer) : {};
  const facts = withoutUndefined({
    ...customer,
    email: customer.email ?? textOf(order.email) ?? textOf(order.contact_email),
    phone: customer.phone ?? textOf(order.phone),
  });
  return Object.keys(facts).length > 0 ? facts : undefined;
}

/**
 * customers/create → `customer.created`, one per customer. customers/update → `customer.updated`
 * keyed by `updated_at` as well: each real change is its own fact (a profile or consent change
 * must not be swallowed as a duplicate of an earlier update), while a redelivery of the same
 * update keeps its id.
 */
export function customerEvent(customer: JsonObject, kind: 'created' | 'updated'): PlatformTrigger {
  const stamp = kind === 'created' ? 'created_at' : 'updated_at';
  const { id, occurredAt } = requireFields<{ id: string; occurredAt: number }>(`customers/${kind === 'created' ? 'create' : 'update'} payload`, {
    id: [idOf(customer.id), '/id', 'the customer id is required'],
    occurredAt: [epochMsOf(customer[stamp]), `/${stamp}`, 'an ISO 8601 timestamp is required'],
  });
  return {
    type: kind === 'created' ? 'customer.created' : 'customer.updated',
    id: kind === 'created' ? `shopify:customer:${id}:created` : `shopify:customer:${id}:updated:${occurredAt}`,
    source: 'shopify',
    occurredAt,
    customer: customerFacts(customer),
  };
}
