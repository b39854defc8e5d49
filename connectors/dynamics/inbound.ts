/**
 * `POST /webhooks/dynamics`: a Dataverse webhook (a service endpoint registered with the Plug-in
 * Registration Tool, with steps on contact Create and Update and on Create of the loyalty activity
 * table) posts the step's `RemoteExecutionContext` as JSON. Authenticated by the
 * `X-Loyalty-Hub-Key` header (./signature.ts); turned into triggers by ./triggers.ts, with the
 * contact read from the Web API when the context does not carry its e-mail address
 * (./contact-lookup.ts).
 *
 * Delivery id: the step's operation (`OperationId`, the same on the webhook service's retry of one
 * event; `RequestId` when absent) with the message, table and record — not the HTTP attempt. The business facts are keyed by the record (./triggers.ts), so a second step or
 * a resend never earns twice.
 */
import { jsonObjectBody, topLevelText } from '../../core/connectors/body.js';
import type { InboundHandler, NormalizeResult } from '../../core/connectors/definition.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import type { DataverseApi } from './api.js';
import { lookUpContact } from './contact-lookup.js';
import { EMPTY_GUID, remoteExecutionContextSchema } from './schemas.js';
import { verifyWebhookKey } from './signature.js';
import { activityEvent, activityFacts, contactEvent, customerOf, DEFAULT_ACTIVITY_TABLE, recordAttributes } from './triggers.js';

export interface DynamicsInboundConfig {
  /** `DYNAMICS_WEBHOOK_KEY`. */
  webhookKey: string;
  /** `DYNAMICS_ACTIVITY_TABLE`: the logical name of the loyalty activity table. */
  activityTable?: string;
  /** The Web API, for the contact behind a thin notification. */
  api: DataverseApi;
  clock?: () => number;
}

export function createDynamicsInbound(config: DynamicsInboundConfig): InboundHandler {
  const activityTable = (config.activityTable?.trim() || DEFAULT_ACTIVITY_TABLE).toLowerCase();
  const clock = config.clock ?? Date.now;

  return {
    verify: (request) => verifyWebhookKey(request, config.webhookKey),

    deliveryId: (request) => {
      const id = (field: string) => {
        const value = topLevelText(request, field);
        return value === EMPTY_GUID ? undefined : value;
      };
      // Not CorrelationId: one chain (a save and the plug-in updates it sets off) shares it. Without
      // an id the core keys the delivery by the body's sha256 (each save's body differs: modifiedon).
      const operation = id('OperationId') ?? id('RequestId');
      const message = topLevelText(request, 'MessageName');
      const table = topLevelText(request, 'PrimaryEntityName');
      const record = topLevelText(request, 'PrimaryEntityId');
      if (!operation || !message || !table || !record) return undefined;
      return `${operation.toLowerCase()}:${message}:${table.toLowerCase()}:${record.toLowerCase()}`;
    },

    topic: (request) => {
      const table = topLevelText(request, 'PrimaryEntityName');
      const message = topLevelText(request, 'MessageName');
      return table && message ? `${table.toLowerCase()}.${message}` : undefined;
    },

    normalize: async (request): Promise<NormalizeResult> => {
      const now = clock();
      const context = parseWithSchema(remoteExecutionContextSchema, jsonObjectBody(request), '', 'Dataverse execution context');
      const table = context.PrimaryEntityName.toLowerCase();
      const message = context.MessageName;

      if (table === 'contact') {
        if (message !== 'Create' && message !== 'Update') return { status: 'ignored', reason: `a contact ${message} is not about loyalty (register the steps on Create and Update)` };
        const { attributes, hasTarget } = recordAttributes(context);
        let columns = (name: string) => attributes.values.get(name);
        // A Create's Target holds every column set; an Update's only those that changed.
        if (!hasTarget || (message === 'Update' && !attributes.values.has('emailaddress1'))) {
          const found = await lookUpContact(config.api, context.PrimaryEntityId, now);
          if (found) columns = (name) => (attributes.values.has(name) ? attributes.values.get(name) : found[name]);
          else if (message === 'Update') return { status: 'ignored', reason: `contact ${context.PrimaryEntityId} no longer exists in Dataverse` };
        }
        return { status: 'events', events: [contactEvent(context, attributes, customerOf(context.PrimaryEntityId, columns), now)] };
      }

      if (table === activityTable) {
        if (message !== 'Create') return { status: 'ignored', reason: `only the Create of a ${activityTable} row awards its activity, not ${message}` };
        const { attributes } = recordAttributes(context);
        const { name, contactId } = activityFacts(activityTable, attributes);
        const found = await lookUpContact(config.api, contactId, now);
        const customer = customerOf(contactId, (column) => found?.[column]);
        return { status: 'events', events: [activityEvent(context, activityTable, attributes, name, customer, now)] };
      }

      return { status: 'ignored', reason: `${table} ${message} is not about loyalty (contact, or ${activityTable})` };
    },
  };
}
