import type { NormalizeResult } from '../../core/connectors/definition.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { occurredAt, type SquareEvent } from './event.js';
import { parseSquareObject } from './payload.js';
import { customerSchema } from './schemas.js';

/**
 * `customer.created` → `customer.created` keyed by the customer (created once);
 * `customer.updated` → `customer.updated`, one per notification. Square's profile maps onto the
 * hub's directly; `preferences.email_unsubscribed` is the only consent it states.
 */
export function customerChanged(event: SquareEvent, type: 'customer.created' | 'customer.updated'): NormalizeResult {
  const found = parseSquareObject(customerSchema, event.data.object?.customer, '/data/object/customer', 'customer');
  const customer: TriggerCustomer = { platformId: found.id };
  if (found.email_address) customer.email = found.email_address;
  if (found.phone_number) customer.phone = found.phone_number;
  if (found.given_name) customer.firstName = found.given_name;
  if (found.family_name) customer.lastName = found.family_name;
  const unsubscribed = found.preferences?.email_unsubscribed;
  if (unsubscribed !== undefined && unsubscribed !== null) customer.consentEmail = !unsubscribed;
  const trigger: PlatformTrigger = {
    type,
    id: type === 'customer.created' ? `square:customer:${found.id}` : `square:customer.updated:${event.event_id}`,
    source: 'square',
    occurredAt: occurredAt(event),
    customer,
  };
  return { status: 'events', events: [trigger] };
}
