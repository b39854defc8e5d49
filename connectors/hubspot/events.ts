/**
 * What HubSpot posts to `/webhooks/hubspot`, read into trigger events.
 *
 * Webhooks: a JSON array of up to 100 events, each
 * `{ eventId, subscriptionId, portalId, appId, occurredAt, subscriptionType, attemptNumber,
 * objectId, propertyName?, propertyValue?, changeSource? }`. `eventId` alone is not unique — the
 * same change is one event per subscription, and ids repeat across portals — so a trigger is
 * keyed `hubspot:<portalId>:<subscriptionId>:<eventId>:<objectId>`. A retried batch carries the
 * same events (with a higher `attemptNumber`), possibly grouped differently: each is applied once.
 *
 * Custom workflow actions: one object `{ callbackId, origin: { portalId, … }, context: {
 * workflowId, … }, object: { objectId, objectType }, inputFields: { … } }`, keyed by its
 * `callbackId` (`hubspot:action:<callbackId>`), which HubSpot keeps across its retries.
 */
import { InboundPayloadError } from '../../core/connectors/definition.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';

/** HubSpot's object type id for contacts, in the generic `object.*` subscription types. */
const CONTACT_OBJECT_TYPE = '0-1';

/** Same rule as `POST /v1/events`: a lower-case activity name like `review.posted`. */
export const ACTIVITY_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/** Property values that mean "no" for a configured property change. */
const FALSY = new Set(['', 'false', '0', 'no', 'off', 'null']);

export interface WebhookEvent {
  index: number;
  /** What the hub makes of it: a new customer, or a watched property set (an activity). */
  kind: 'created' | 'activity';
  subscriptionType: string;
  portalId: string;
  subscriptionId: string;
  eventId: string;
  objectId: string;
  objectTypeId?: string;
  occurredAt: number;
  propertyName?: string;
  propertyValue?: string;
  changeSource?: string;
}

export interface WorkflowAction {
  callbackId: string;
  portalId?: string;
  workflowId?: string;
  objectId: string;
  objectType: string;
  inputFields: Record<string, unknown>;
}

/** What a configured contact property change means: `newsletter_opt_in` → `newsletter.subscribed`. */
export type ActivityProperties = ReadonlyMap<string, string>;

/**
 * `HUBSPOT_ACTIVITY_PROPERTIES`: `property=activity` pairs separated by commas, e.g.
 * `newsletter_opt_in=newsletter.subscribed,review_left=review.posted`. A mistake is a start-up
 * error naming the pair.
 */
export function parseActivityProperties(value: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of (value ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [property, activity, ...rest] = pair.split('=').map((s) => s.trim());
    if (!property || !activity || rest.length) {
      throw new Error(`hubspot: HUBSPOT_ACTIVITY_PROPERTIES: "${pair}" is not property=activity (e.g. newsletter_opt_in=newsletter.subscribed)`);
    }
    if (!ACTIVITY_NAME.test(activity)) throw new Error(`hubspot: HUBSPOT_ACTIVITY_PROPERTIES: "${activity}" is not a lower-case activity name like newsletter.subscribed`);
    map.set(property, activity);
  }
  return map;
}

/** Whether a property change counts: set to a value that is not empty and not a "no". */
export function isTruthyValue(value: string | undefined): boolean {
  return value !== undefined && !FALSY.has(value.trim().toLowerCase());
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}


/** A HubSpot id (a number, or digits as text) as a string; a number past 2^53 is refused, not rounded. */
function id(value: unknown, pointer: string, errors: { pointer: string; detail: string }[]): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  errors.push({ pointer, detail: typeof value === 'number' ? 'not an exact whole number' : value === undefined ? 'required' : 'expected a numeric id' });
  return '';
}

/** The events of a webhook batch. Only those the hub acts on must be complete. */
export function readWebhookEvents(payload: unknown): { all: Json[]; read: (classify: (e: Json) => WebhookEvent['kind'] | undefined) => WebhookEvent[] } {
  if (!Array.isArray(payload)) throw new InboundPayloadError('a HubSpot webhook body is an array of events', [{ pointer: '', detail: 'expected an array' }]);
  const all = payload.filter(isObject);
  return {
    all,
    read(classify) {
      const errors: { pointer: string; detail: string }[] = [];
      const events: WebhookEvent[] = [];
      payload.forEach((raw, index) => {
        const kind = isObject(raw) ? classify(raw) : undefined;
        if (!isObject(raw) || !kind) return;
        const at = (field: string) => `/${index}/${field}`;
        const occurredAt = raw.occurredAt;
        if (typeof occurredAt !== 'number' || !Number.isFinite(occurredAt)) errors.push({ pointer: at('occurredAt'), detail: 'expected epoch milliseconds' });
        events.push({
          index,
          kind,
          subscriptionType: String(raw.subscriptionType),
          portalId: id(raw.portalId, at('portalId'), errors),
          subscriptionId: id(raw.subscriptionId, at('subscriptionId'), errors),
          eventId: id(raw.eventId, at('eventId'), errors),
          objectId: id(raw.objectId, at('objectId'), errors),
          ...(typeof raw.objectTypeId === 'string' ? { objectTypeId: raw.objectTypeId } : {}),
          occurredAt: typeof occurredAt === 'number' ? occurredAt : 0,
          ...(typeof raw.propertyName === 'string' ? { propertyName: raw.propertyName } : {}),
          ...(raw.propertyValue !== undefined && raw.propertyValue !== null ? { propertyValue: String(raw.propertyValue) } : {}),
          ...(typeof raw.changeSource === 'string' ? { changeSource: raw.changeSource } : {}),
        });
      });
      if (errors.length) throw new InboundPayloadError(`${errors.length} field(s) of the HubSpot events are missing or malformed`, errors);
      return events;
    },
  };
}

export function isContactCreation(e: Json): boolean {
  return e.subscriptionType === 'contact.creation' || (e.subscriptionType === 'object.creation' && e.objectTypeId === CONTACT_OBJECT_TYPE);
}

export function isContactPropertyChange(e: Json): boolean {
  return e.subscriptionType === 'contact.propertyChange' || (e.subscriptionType === 'object.propertyChange' && e.objectTypeId === CONTACT_OBJECT_TYPE);
}

/** A property change the hub acts on: a configured property, set to a "yes". */
export function isActivityChange(e: Json, properties: ActivityProperties): boolean {
  return (
    isContactPropertyChange(e) &&
    typeof e.propertyName === 'string' &&
    properties.has(e.propertyName) &&
    isTruthyValue(e.propertyValue === undefined || e.propertyValue === null ? undefined : String(e.propertyValue))
  );
}

export function webhookTriggerId(e: WebhookEvent): string {
  return `hubspot:${e.portalId}:${e.subscriptionId}:${e.eventId}:${e.objectId}`;
}

/** The trigger events of a batch, in the batch's order. */
export function webhookTriggers(events: WebhookEvent[], properties: ActivityProperties, customers: ReadonlyMap<string, TriggerCustomer>): PlatformTrigger[] {
  return events.map((e) => {
    const base = {
      id: webhookTriggerId(e),
      source: 'hubspot',
      occurredAt: e.occurredAt,
      customer: customers.get(e.objectId) ?? { platformId: e.objectId },
    };
    const attributes = { portalId: e.portalId, subscriptionType: e.subscriptionType, ...(e.changeSource ? { changeSource: e.changeSource } : {}) };
    const activity = e.kind === 'activity' && e.propertyName !== undefined ? properties.get(e.propertyName) : undefined;
    if (activity) {
      return {
        ...base,
        type: 'activity' as const,
        name: activity,
        attributes: { ...attributes, propertyName: e.propertyName, propertyValue: e.propertyValue },
      };
    }
    return { ...base, type: 'customer.created' as const, attributes };
  });
}

/** The distinct subscription types of a batch, for the inbox (`contact.creation,contact.propertyChange`). */
export function batchTopic(events: Json[]): string | undefined {
  const types = [...new Set(events.map((e) => e.subscriptionType).filter((t): t is string => typeof t === 'string'))];
  return types.length ? types.join(',') : undefined;
}

/** Why nothing in a batch is about loyalty, for the inbox: `3 events: contact.deletion ×2, …`. */
export function ignoredReason(events: Json[], properties: ActivityProperties): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    const label = isContactPropertyChange(e) ? `${String(e.subscriptionType)} of ${String(e.propertyName)}` : String(e.subscriptionType);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const seen = [...counts].map(([t, n]) => (n > 1 ? `${t} ×${n}` : t)).join(', ');
  const watched = properties.size ? [...properties.keys()].join(', ') : 'none configured';
  return `no contact creation and no watched property (${watched}) set to a true value among ${events.length} event(s): ${seen || 'none'}`;
}

export function readWorkflowAction(payload: unknown): WorkflowAction {
  if (!isObject(payload)) throw new InboundPayloadError('a workflow action request is a JSON object', [{ pointer: '', detail: 'expected an object' }]);
  const errors: { pointer: string; detail: string }[] = [];
  const callbackId = typeof payload.callbackId === 'string' && payload.callbackId.trim() ? payload.callbackId.trim() : '';
  if (!callbackId) errors.push({ pointer: '/callbackId', detail: 'required' });
  const object = isObject(payload.object) ? payload.object : {};
  const objectId = id(object.objectId, '/object/objectId', errors);
  const objectType = typeof object.objectType === 'string' ? object.objectType : '';
  if (!objectType) errors.push({ pointer: '/object/objectType', detail: 'required' });
  else if (objectType.toUpperCase() !== 'CONTACT') errors.push({ pointer: '/object/objectType', detail: `${objectType}: only contacts earn points; use the action in contact-based workflows` });
  const origin = isObject(payload.origin) ? payload.origin : {};
  const context = isObject(payload.context) ? payload.context : {};
  if (errors.length) throw new InboundPayloadError('the workflow action request is missing what it is about', errors);
  const optionalId = (value: unknown) => (typeof value === 'number' || (typeof value === 'string' && value) ? String(value) : undefined);
  return {
    callbackId,
    ...(optionalId(origin.portalId) ? { portalId: optionalId(origin.portalId) } : {}),
    ...(optionalId(context.workflowId) ? { workflowId: optionalId(context.workflowId) } : {}),
    objectId,
    objectType,
    inputFields: isObject(payload.inputFields) ? payload.inputFields : {},
  };
}

/**
 * The activity a workflow action awards: its `activity` input field, else the configured
 * default. Points come from the program's rules for that activity (a workflow cannot name an
 * amount), so an activity without a rule earns nothing.
 */
export function actionTrigger(action: WorkflowAction, defaultActivity: string | undefined, occurredAt: number, customer: TriggerCustomer): PlatformTrigger {
  const given = action.inputFields.activity;
  const name = (typeof given === 'string' && given.trim() ? given : (defaultActivity ?? '')).trim().toLowerCase();
  if (!name) {
    throw new InboundPayloadError('the workflow action names no activity', [
      { pointer: '/inputFields/activity', detail: 'required: give the action an "activity" input (e.g. review.posted), or set HUBSPOT_ACTION_ACTIVITY' },
    ]);
  }
  if (!ACTIVITY_NAME.test(name)) {
    throw new InboundPayloadError('the activity is not a valid name', [{ pointer: '/inputFields/activity', detail: `"${name}" is not a lower-case activity name like review.posted` }]);
  }
  const inputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(action.inputFields)) {
    if (key !== 'activity' && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) inputs[key] = String(value);
  }
  return {
    id: `hubspot:action:${action.callbackId}`,
    source: 'hubspot',
    type: 'activity',
    name,
    occurredAt,
    customer,
    attributes: { ...inputs, ...(action.portalId ? { portalId: action.portalId } : {}), ...(action.workflowId ? { workflowId: action.workflowId } : {}), callbackId: action.callbackId },
  };
}
