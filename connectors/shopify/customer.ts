import { parseWithSchema, requireFields, withoutUndefined } from '../../core/connectors/payload.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { customerSchema, type ShopifyBuyer, type ShopifyCustomer } from './schemas.js';

/**
 * Consent from Shopify's consent objects (`email_marketing_consent.state`, values `subscribed`,
 * `not_subscribed`, `pending`, `unsubscribed`, `redacted`, `invalid`): only `subscribed` is
 * consent — a pending double opt-in is not yet. Older API versions send `accepts_marketing`.
 */
function consentOf(consent: { state?: string | null } | null | undefined, legacyFlag: boolean | null | undefined): boolean | undefined {
  if (typeof consent?.state === 'string') return consent.state === 'subscribed';
  return legacyFlag ?? undefined;
}

/** The facts of a Shopify customer resource (customers/* payloads and `order.customer`). */
export function customerFacts(customer: ShopifyCustomer): TriggerCustomer {
  return withoutUndefined({
    platformId: customer.id,
    email: customer.email,
    phone: customer.phone,
    firstName: customer.first_name,
    lastName: customer.last_name,
    consentEmail: consentOf(customer.email_marketing_consent, customer.accepts_marketing),
    consentSms: consentOf(customer.sms_marketing_consent, undefined),
  });
}

/**
 * The buyer of an order. A guest checkout has `customer: null`: no platform id, but the order's
 * e-mail (or contact e-mail) and phone still identify a member by alias. Nothing at all → guest
 * without a customer (undefined).
 */
export function orderCustomer(order: ShopifyBuyer): TriggerCustomer | undefined {
  const customer = order.customer ? customerFacts(order.customer) : {};
  const facts = withoutUndefined({
    ...customer,
    email: customer.email ?? order.email ?? order.contact_email,
    phone: customer.phone ?? order.phone,
  });
  return Object.keys(facts).length > 0 ? facts : undefined;
}

/**
 * customers/create → `customer.created`, one per customer. customers/update → `customer.updated`
 * keyed by `updated_at` as well: each real change is its own fact (a profile or consent change
 * must not be swallowed as a duplicate of an earlier update), while a redelivery of the same
 * update keeps its id.
 */
export function customerEvent(payload: unknown, kind: 'created' | 'updated'): PlatformTrigger {
  const topic = `customers/${kind === 'created' ? 'create' : 'update'}`;
  const customer = parseWithSchema(customerSchema, payload, '', `Shopify ${topic} payload`);
  const stamp = kind === 'created' ? 'created_at' : 'updated_at';
  const { id, occurredAt } = requireFields<{ id: string; occurredAt: number }>(`${topic} payload`, {
    id: [customer.id, '/id', 'the customer id is required'],
    occurredAt: [customer[stamp], `/${stamp}`, 'an ISO 8601 timestamp is required'],
  });
  return {
    type: kind === 'created' ? 'customer.created' : 'customer.updated',
    id: kind === 'created' ? `shopify:customer:${id}:created` : `shopify:customer:${id}:updated:${occurredAt}`,
    source: 'shopify',
    occurredAt,
    customer: customerFacts(customer),
  };
}
