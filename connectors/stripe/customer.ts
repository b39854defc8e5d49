import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { StripeEvent } from './event.js';
import { customerSchema } from './schemas.js';
import { parseStripeObject } from './payload.js';

/**
 * A Stripe customer as the hub knows people: `cus_…` becomes the member alias `stripe:cus_…`.
 * Stripe keeps one `name`; it is split at the first space (given name first), which is right for
 * most names and harmless for the rest (the whole name survives across the two fields).
 */
export function customerFacts(found: { id?: string; email?: string; name?: string; phone?: string }): TriggerCustomer | undefined {
  const customer: TriggerCustomer = {};
  if (found.id) customer.platformId = found.id;
  if (found.email) customer.email = found.email;
  if (found.phone) customer.phone = found.phone;
  const name = found.name?.trim();
  if (name) {
    const space = name.indexOf(' ');
    customer.firstName = space < 0 ? name : name.slice(0, space);
    if (space >= 0) customer.lastName = name.slice(space + 1).trim();
  }
  return Object.keys(customer).length > 0 ? customer : undefined;
}

/** What the event says first, what the API said second. */
export function mergeCustomer(fromEvent: TriggerCustomer | undefined, fromApi: TriggerCustomer | undefined): TriggerCustomer | undefined {
  if (!fromApi) return fromEvent;
  return { ...fromApi, ...definedOnly(fromEvent ?? {}) };
}

function definedOnly(customer: TriggerCustomer): TriggerCustomer {
  return Object.fromEntries(Object.entries(customer).filter(([, v]) => v !== undefined)) as TriggerCustomer;
}

/**
 * `customer.created` → a `customer.created` trigger keyed by the customer (it is created once);
 * `customer.updated` → one trigger per update, keyed by the event.
 */
export function customerTrigger(event: StripeEvent, type: 'customer.created' | 'customer.updated'): PlatformTrigger {
  const object = parseStripeObject(customerSchema, event.data.object, '/data/object', 'customer');
  return {
    type,
    id: type === 'customer.created' ? `stripe:customer:${object.id}` : `stripe:customer.updated:${event.id}`,
    source: 'stripe',
    occurredAt: event.created * 1000,
    customer: customerFacts(object) ?? { platformId: object.id },
  };
}
