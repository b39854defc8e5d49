import { z } from 'zod';
import type { InboundRequest } from '../../core/connectors/definition.js';
import { bodyOf, parsedBody } from '../../core/connectors/body.js';
import { parseWithSchema } from '../../core/connectors/payload.js';

/**
 * A QuickBooks notification says only *that* entities changed, per company (realm), in one of
 * two envelopes Intuit sends (docs/connectors/quickbooks.md, section 3):
 *
 * - legacy: `{ eventNotifications: [{ realmId, dataChangeEvent: { entities: [{ name, id,
 *   operation, lastUpdated }] } }] }`;
 * - CloudEvents 1.0, which Intuit is moving every app to: a JSON array of `{ specversion: "1.0",
 *   id, type: "qbo.<entity>.<created|updated|deleted|merged|voided|emailed>.v1", time,
 *   intuitentityid, intuitaccountid }` (the account id is the realm).
 *
 * Both become the same list of changes; one delivery may carry several, of several realms.
 */
export interface EntityChange {
  realmId: string;
  /** Intuit's entity name as the API spells it (`Invoice`, `SalesReceipt`), for known ones. */
  entity: string;
  entityId: string;
  /** `Create`, `Update`, `Delete`, `Merge`, `Void` or `Emailed`. */
  operation: string;
  /** Epoch milliseconds. */
  occurredAt: number;
}

const qboId = z.string().trim().min(1).max(64);
/** Intuit sends one on every change; a notification without one is dated when it arrived. */
const timestamp = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'expected a date and time')
  .nullish()
  .transform((v) => (v ? Date.parse(v) : Date.now()));

const legacySchema = z.object({
  eventNotifications: z
    .array(
      z.object({
        realmId: qboId,
        dataChangeEvent: z.object({
          entities: z.array(z.object({ name: z.string().min(1), id: qboId, operation: z.string().min(1), lastUpdated: timestamp })),
        }),
      }),
    )
    .min(1),
});

const CLOUD_EVENT_TYPE = /^qbo\.([a-z]+)\.([a-z]+)\.v\d+$/;

const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(255),
  type: z.string().regex(CLOUD_EVENT_TYPE, 'expected qbo.<entity>.<operation>.v<n>'),
  time: timestamp,
  intuitentityid: qboId,
  intuitaccountid: qboId,
});

const cloudEventsSchema = z.array(cloudEventSchema).min(1);

/** The API's spelling of the entities the connector reads, by CloudEvents' lower-case name. */
const ENTITY_NAMES: Record<string, string> = {
  invoice: 'Invoice',
  payment: 'Payment',
  salesreceipt: 'SalesReceipt',
  refundreceipt: 'RefundReceipt',
  creditmemo: 'CreditMemo',
  customer: 'Customer',
};

const OPERATIONS: Record<string, string> = {
  created: 'Create',
  updated: 'Update',
  deleted: 'Delete',
  merged: 'Merge',
  voided: 'Void',
  emailed: 'Emailed',
};

/** Every change a verified notification announces, or InboundPayloadError (400) naming the fields it cannot read. */
export function readNotification(request: InboundRequest): EntityChange[] {
  const body = bodyOf(request);
  if (Array.isArray(body)) {
    return parseWithSchema(cloudEventsSchema, body, '', 'QuickBooks CloudEvents notification').map((event) => {
      const [, entity, operation] = CLOUD_EVENT_TYPE.exec(event.type)!;
      return {
        realmId: event.intuitaccountid,
        entity: ENTITY_NAMES[entity!] ?? entity!,
        entityId: event.intuitentityid,
        operation: OPERATIONS[operation!] ?? operation!,
        occurredAt: event.time,
      };
    });
  }
  const legacy = parseWithSchema(legacySchema, body, '', 'QuickBooks notification');
  return legacy.eventNotifications.flatMap((n) =>
    n.dataChangeEvent.entities.map((e) => ({
      realmId: n.realmId,
      entity: ENTITY_NAMES[e.name.toLowerCase()] ?? e.name,
      entityId: e.id,
      operation: e.operation,
      occurredAt: e.lastUpdated,
    })),
  );
}

/**
 * For the inbox, before anything is validated (must not throw): a CloudEvents delivery of one
 * event by its id; anything else by the body's hash (the core's default), which is what Intuit
 * resends on a retry.
 */
export function notificationDeliveryId(request: InboundRequest): string | undefined {
  const entry = parsedBody(request);
  if ('error' in entry || !Array.isArray(entry.value) || entry.value.length !== 1) return undefined;
  const [event] = entry.value as unknown[];
  const id = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).id : undefined;
  return typeof id === 'string' && id.trim() !== '' && id.length <= 255 ? `cloudevent:${id.trim()}` : undefined;
}

/** For the inbox: `Invoice.Update`, or every distinct `Entity.Operation` of the delivery (must not throw). */
export function notificationTopic(request: InboundRequest): string | undefined {
  try {
    const topics = [...new Set(readNotification(request).map((c) => `${c.entity}.${c.operation}`))];
    return topics.length ? topics.slice(0, 5).join(' ') + (topics.length > 5 ? ' …' : '') : undefined;
  } catch {
    return undefined;
  }
}
