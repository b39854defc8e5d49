/**
 * A Dataverse execution context → trigger events (core/triggers/trigger-event.ts).
 *
 * - contact **Create** → `customer.created`, keyed by the record (`dynamics:contact:<id>:created`),
 *   so a second step or a resend of the same creation is the same fact;
 * - contact **Update** → `customer.updated`, keyed by the record and the update's `modifiedon`
 *   (each save of a contact is one fact, however many steps or attempts announce it);
 * - **Create** of a row of the loyalty activity table (`new_loyaltyactivity` unless
 *   `DYNAMICS_ACTIVITY_TABLE` says otherwise) → `activity` named by the row's primary name column
 *   (`new_name`, e.g. `review.posted`) for the contact its lookup column names, keyed by the row
 *   (`dynamics:new_loyaltyactivity:<id>`).
 *
 * Contacts are aliased `dynamics:<contact id>` (lower-case GUID).
 */
import { InboundPayloadError } from '../../core/connectors/definition.js';
import { parseWithSchema, withoutUndefined } from '../../core/connectors/payload.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { entityReferenceSchema, entitySchema, type RemoteExecutionContext } from './schemas.js';

export const DEFAULT_ACTIVITY_TABLE = 'new_loyaltyactivity';

/** Activity names as the program and `POST /v1/events` spell them. */
const ACTIVITY_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/** A WCF JSON date, `/Date(1506384247000)/` or `/Date(1506409448000-0700)/`: the number is UTC epoch ms. */
export function wcfDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value.trim());
  if (match) return Number(match[1]);
  const iso = Date.parse(value);
  return Number.isNaN(iso) ? undefined : iso;
}

export interface Attributes {
  values: Map<string, unknown>;
  /** Where each attribute was read, as a JSON pointer, for 400s. */
  pointers: Map<string, string>;
}

/** The attributes of the post-image (if any), overlaid by the Target's: what the record now holds. */
export function recordAttributes(context: RemoteExecutionContext): { attributes: Attributes; hasTarget: boolean } {
  const attributes: Attributes = { values: new Map(), pointers: new Map() };
  const read = (value: unknown, pointer: string) => {
    const entity = parseWithSchema(entitySchema, value, pointer, 'Dataverse entity');
    entity.Attributes.forEach((a, i) => {
      attributes.values.set(a.key.toLowerCase(), a.value);
      attributes.pointers.set(a.key.toLowerCase(), `${pointer}/Attributes/${i}/value`);
    });
  };
  context.PostEntityImages.forEach((image, i) => read(image.value, `/PostEntityImages/${i}/value`));
  const targetAt = context.InputParameters.findIndex((p) => p.key === 'Target');
  if (targetAt >= 0) read(context.InputParameters[targetAt]!.value, `/InputParameters/${targetAt}/value`);
  return { attributes, hasTarget: targetAt >= 0 };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** The person, from a contact's columns (the context's, or the Web API's). */
export function customerOf(contactId: string, columns: (name: string) => unknown): TriggerCustomer {
  return withoutUndefined({
    platformId: contactId,
    email: text(columns('emailaddress1')),
    phone: text(columns('mobilephone')) ?? text(columns('telephone1')),
    firstName: text(columns('firstname')),
    lastName: text(columns('lastname')),
    // "Bulk Email: Do Not Allow" is a clear no; allowing it is not a yes.
    consentEmail: columns('donotbulkemail') === true ? false : undefined,
  });
}

export function contactEvent(context: RemoteExecutionContext, attributes: Attributes, customer: TriggerCustomer, now: number): PlatformTrigger {
  const id = context.PrimaryEntityId;
  const base = { source: 'dynamics', customer, attributes: { table: 'contact', message: context.MessageName } };
  const operationAt = wcfDate(context.OperationCreatedOn);
  if (context.MessageName === 'Create') {
    return { ...base, type: 'customer.created', id: `dynamics:contact:${id}:created`, occurredAt: wcfDate(attributes.values.get('createdon')) ?? operationAt ?? now };
  }
  const modifiedOn = wcfDate(attributes.values.get('modifiedon'));
  const fact = modifiedOn !== undefined ? `dynamics:contact:${id}:updated:${modifiedOn}` : context.OperationId ? `dynamics:operation:${context.OperationId.toLowerCase()}` : undefined;
  if (!fact) {
    throw new InboundPayloadError('the update cannot be told apart from another one', [
      { pointer: '/InputParameters', detail: 'the Target needs modifiedon, or the context an OperationId' },
    ]);
  }
  return { ...base, type: 'customer.updated', id: fact, occurredAt: modifiedOn ?? operationAt ?? now };
}

/** The activity row's name and contact, or a 400 naming what is missing. */
export function activityFacts(table: string, attributes: Attributes): { name: string; contactId: string } {
  const nameColumn = primaryNameColumn(table);
  const raw = text(attributes.values.get(nameColumn));
  const errors: { pointer: string; detail: string }[] = [];
  let name: string | undefined;
  if (!raw) errors.push({ pointer: attributes.pointers.get(nameColumn) ?? '/InputParameters', detail: `the ${table} row needs its ${nameColumn} (the activity name, e.g. review.posted)` });
  else if (!ACTIVITY_NAME.test(raw.toLowerCase())) {
    errors.push({
      pointer: attributes.pointers.get(nameColumn)!,
      detail: 'an activity name is lower-case letters, digits, ".", "_" or "-", starting with a letter (e.g. review.posted), at most 64 characters',
    });
  } else name = raw.toLowerCase();
  let contactId: string | undefined;
  for (const value of attributes.values.values()) {
    const ref = entityReferenceSchema.safeParse(value);
    if (ref.success && ref.data.LogicalName === 'contact') {
      contactId = ref.data.Id;
      break;
    }
  }
  if (!contactId) errors.push({ pointer: '/InputParameters', detail: `the ${table} row needs a lookup to a contact (e.g. ${prefixOf(table)}_contact)` });
  if (errors.length || !name || !contactId) throw new InboundPayloadError(`the ${table} row cannot be awarded`, errors);
  return { name, contactId };
}

export function activityEvent(context: RemoteExecutionContext, table: string, attributes: Attributes, name: string, customer: TriggerCustomer, now: number): PlatformTrigger {
  return {
    type: 'activity',
    id: `dynamics:${table}:${context.PrimaryEntityId}`,
    source: 'dynamics',
    name,
    customer,
    occurredAt: wcfDate(attributes.values.get('createdon')) ?? wcfDate(context.OperationCreatedOn) ?? now,
    attributes: { table, rowId: context.PrimaryEntityId },
  };
}

/** A custom table's publisher prefix: `new` of `new_loyaltyactivity`. */
function prefixOf(table: string): string {
  return table.includes('_') ? table.slice(0, table.indexOf('_')) : 'new';
}

/** Every custom table gets a primary name column `<prefix>_name` (the "Name" shown in forms and views). */
export function primaryNameColumn(table: string): string {
  return `${prefixOf(table)}_name`;
}
