/**
 * What Salesforce tells the hub, as trigger events (core/triggers/trigger-event.ts).
 *
 * Ids are business facts:
 * - a record's creation is one fact whichever way it is announced — an Outbound Message or a
 *   callout, once or again from a Flow that also fires on edits: `salesforce:customer:<record id>:created`;
 * - an activity or an update is the notification (or callout) that announced it:
 *   `salesforce:notification:<Notification Id>` (the same on every resend of the notification,
 *   however Salesforce groups notifications into messages), `salesforce:callout:<id>`.
 *
 * Record ids are kept in their 18-character form (ids.ts), so the member alias is
 * `salesforce:0031I0000081tbPQAQ` whether a Flow sent 15 or 18 characters.
 */
import { parsedBody } from '../../core/connectors/body.js';
import { z } from 'zod';
import { InboundPayloadError, type InboundRequest } from '../../core/connectors/definition.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { toId18 } from './ids.js';
import type { Notification } from './outbound-message.js';

/** The record field naming an activity, unless `SALESFORCE_ACTIVITY_FIELD` says otherwise. */
export const DEFAULT_ACTIVITY_FIELD = 'Loyalty_Activity__c';

/** The objects whose records are people. Notifications about other objects are ignored. */
export const PERSON_OBJECTS: readonly string[] = ['Contact', 'Lead'];

/** Activity names as the program and `POST /v1/events` spell them. */
const ACTIVITY_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

function activityName(raw: string, pointer: string): string {
  const name = raw.trim().toLowerCase();
  if (!ACTIVITY_NAME.test(name)) {
    throw new InboundPayloadError(`"${raw}" is not an activity name`, [
      { pointer, detail: 'an activity name is lower-case letters, digits, ".", "_" or "-", starting with a letter (e.g. review.posted), at most 64 characters' },
    ]);
  }
  return name;
}

function recordId(raw: string | undefined, pointer: string): string {
  const id = raw ? toId18(raw) : undefined;
  if (!id) throw new InboundPayloadError(raw ? `"${raw}" is not a Salesforce record id` : 'the record id is missing', [{ pointer, detail: 'a 15- or 18-character Salesforce id is required' }]);
  return id;
}

function instant(raw: string | undefined, pointer: string): number | undefined {
  if (raw === undefined) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) throw new InboundPayloadError(`"${raw}" is not a date and time`, [{ pointer, detail: 'an ISO 8601 date and time is required' }]);
  return at;
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * One Notification → one trigger, or the reason it is not about loyalty:
 * - a Contact or Lead whose activity field (`Loyalty_Activity__c`) is filled → `activity` of that name;
 * - otherwise → `customer.created` when the record is new (no `LastModifiedDate`, or the same
 *   instant as `CreatedDate`), else `customer.updated` (only `LastModifiedDate` sent counts as an
 *   update too);
 * - any other object → skipped.
 */
export function notificationEvent(n: Notification, activityField: string, now: number): PlatformTrigger | { skip: string } {
  const at = `/notifications/Notification/${n.index}/sObject`;
  if (!n.objectType || !PERSON_OBJECTS.includes(n.objectType)) {
    return { skip: `notification ${n.id} is about a ${n.objectType ?? 'record of no type'}, not a Contact or Lead` };
  }
  const f = n.fields;
  const id = recordId(f.Id, `${at}/Id`);
  const created = instant(f.CreatedDate, `${at}/CreatedDate`);
  const modified = instant(f.LastModifiedDate, `${at}/LastModifiedDate`);
  const customer: TriggerCustomer = withoutUndefined({
    platformId: id,
    email: f.Email,
    phone: f.Phone ?? f.MobilePhone,
    firstName: f.FirstName,
    lastName: f.LastName,
    // Opting out is a clear no; not having opted out is not a yes.
    consentEmail: f.HasOptedOutOfEmail === 'true' ? false : undefined,
  });
  const base = { source: 'salesforce', occurredAt: modified ?? created ?? now, customer, attributes: { sobjectType: n.objectType } };
  const activity = f[activityField];
  if (activity !== undefined) {
    return { ...base, type: 'activity', id: `salesforce:notification:${n.id}`, name: activityName(activity, `${at}/${activityField}`) };
  }
  const isNew = modified === undefined ? true : created !== undefined && created === modified;
  return isNew
    ? { ...base, type: 'customer.created', id: `salesforce:customer:${id}:created` }
    : { ...base, type: 'customer.updated', id: `salesforce:notification:${n.id}` };
}

const text = z
  .string()
  .trim()
  .max(254)
  .nullish()
  .transform((v) => v || undefined);

/**
 * The JSON a Flow "HTTP Callout" action or Apex posts. Unknown keys are ignored (a Flow may send
 * more of the record); `null`s (empty Flow variables) count as absent.
 */
export const calloutSchema = z
  .object({
    id: z.string().trim().min(1).max(200),
    type: z.enum(['activity', 'customer.created', 'customer.updated']),
    name: text,
    occurredAt: text,
    contact: z.object({ id: text, email: text, firstName: text, lastName: text, phone: text }),
  })
  .superRefine((body, ctx) => {
    if (body.type === 'activity' && !body.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'an activity needs its name (e.g. review.posted)' });
    if (body.type !== 'activity' && !body.contact.id) ctx.addIssue({ code: 'custom', path: ['contact', 'id'], message: 'the Contact or Lead id is required' });
    if (!body.contact.id && !body.contact.email) ctx.addIssue({ code: 'custom', path: ['contact'], message: 'name the person: id or email' });
  });

export type Callout = z.infer<typeof calloutSchema>;

/** Parses and validates a callout body; throws InboundPayloadError with a pointer per problem. */
export function parseCallout(request: InboundRequest): Callout {
  const entry = parsedBody(request);
  if ('error' in entry) throw new InboundPayloadError('the body is neither an Outbound Message nor JSON', [{ pointer: '', detail: entry.error }]);
  const parsed = calloutSchema.safeParse(entry.value);
  if (!parsed.success) {
    throw new InboundPayloadError(
      'the callout body is incomplete',
      parsed.error.issues.map((i) => ({ pointer: `/${i.path.map(String).join('/')}`, detail: i.message })),
    );
  }
  return parsed.data;
}

/**
 * A callout → its trigger: `activity` and `customer.updated` keyed `salesforce:callout:<id>`,
 * `customer.created` keyed by the record (the same fact as an Outbound Message about it).
 */
export function calloutEvent(c: Callout, now: number): PlatformTrigger {
  const id = c.contact.id ? recordId(c.contact.id, '/contact/id') : undefined;
  const customer: TriggerCustomer = withoutUndefined({
    platformId: id,
    email: c.contact.email,
    phone: c.contact.phone,
    firstName: c.contact.firstName,
    lastName: c.contact.lastName,
  });
  const base = { source: 'salesforce', occurredAt: instant(c.occurredAt, '/occurredAt') ?? now, customer };
  switch (c.type) {
    case 'activity':
      return { ...base, type: 'activity', id: `salesforce:callout:${c.id}`, name: activityName(c.name ?? '', '/name') };
    case 'customer.created':
      return { ...base, type: 'customer.created', id: `salesforce:customer:${id}:created` };
    case 'customer.updated':
      return { ...base, type: 'customer.updated', id: `salesforce:callout:${c.id}` };
  }
}
