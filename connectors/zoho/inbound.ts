/**
 * `POST /webhooks/zoho`: two callers, told apart by ./signature.ts and both verified before
 * anything is read.
 *
 * - The Deluge function of docs/connectors/zoho.md, run by a workflow rule at each qualifying
 *   action: one action `{ action_id, activity, email?, contact_id?, … }` → one `activity` trigger,
 *   id `zoho:action:<action_id>`, for the Contact (alias `zoho:<contact id>` and/or e-mail). The
 *   function builds `action_id` from the action itself (`deal.won:<deal id>`), so running it twice
 *   for one action earns once.
 * - Zoho's notification channel (subscribed by ./channel.ts): `{ module, ids, operation, … }`,
 *   thin. The records of a module/operation that `ZOHO_ACTIVITY_EVENTS` names are read through the
 *   API (./records.ts) and those that satisfy a rule become its activity, id
 *   `zoho:<Module>:<record id>:<activity>`; a look-up that fails answers 503 and the same
 *   notification earns once when it comes again.
 *
 * Neither carries a delivery id: a Deluge call is identified by its action id, a notification by
 * a hash of what it says (channel, time, module, operation, ids).
 */
import { createHash } from 'node:crypto';
import { bodyOf, parsedBody } from '../../core/connectors/body.js';
import { InboundPayloadError, type InboundHandler, type InboundRequest, type NormalizeResult } from '../../core/connectors/definition.js';
import { parseWithSchema } from '../../core/connectors/payload.js';
import type { Logger } from '../../core/observability/logger.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import { conditionHolds, rulesFor, type ActivityRule } from './activity-rules.js';
import type { ZohoApi } from './api.js';
import { customerOfRecord, readRecord } from './records.js';
import { delugeActionSchema, notificationSchema } from './schemas.js';
import { requestKind, verifyZohoRequest } from './signature.js';

export interface ZohoInboundOptions {
  /** `ZOHO_WEBHOOK_TOKEN`. */
  webhookToken: string;
  /** `ZOHO_ACTIVITY_EVENTS`, parsed. */
  rules: readonly ActivityRule[];
  api: ZohoApi;
  logger: Logger;
  clock?: () => number;
}

function peek(request: InboundRequest): Record<string, unknown> | undefined {
  const entry = parsedBody(request);
  return 'value' in entry && entry.value && typeof entry.value === 'object' && !Array.isArray(entry.value) ? (entry.value as Record<string, unknown>) : undefined;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() || undefined : undefined);

/** A notification's identity: what it says, whatever the order of its ids. */
export function notificationDeliveryId(payload: Record<string, unknown>): string | undefined {
  const ids = Array.isArray(payload.ids) ? payload.ids.map(String).sort() : undefined;
  if (!ids?.length) return undefined;
  const said = [payload.channel_id, payload.server_time, payload.module, payload.operation].map(String).join(':');
  return `notification:${createHash('sha256').update(`${said}:${ids.join(',')}`).digest('hex')}`;
}

export function createZohoInbound(options: ZohoInboundOptions): InboundHandler {
  const clock = options.clock ?? Date.now;

  function normalizeDeluge(payload: unknown): NormalizeResult {
    const action = parseWithSchema(delugeActionSchema, payload, '', 'Zoho Deluge action');
    if (!action.email && !action.contact_id) {
      throw new InboundPayloadError('the action names no Contact', [{ pointer: '/email', detail: 'give email or contact_id' }]);
    }
    let occurredAt = clock();
    if (action.occurred_at) {
      occurredAt = Date.parse(action.occurred_at);
      if (Number.isNaN(occurredAt)) throw new InboundPayloadError('Zoho Deluge action cannot be read', [{ pointer: '/occurred_at', detail: 'an ISO 8601 time with its offset' }]);
    }
    const customer: TriggerCustomer = {
      ...(action.contact_id ? { platformId: action.contact_id } : {}),
      ...(action.email ? { email: action.email } : {}),
      ...(action.first_name ? { firstName: action.first_name } : {}),
      ...(action.last_name ? { lastName: action.last_name } : {}),
    };
    return {
      status: 'events',
      events: [{ type: 'activity', name: action.activity, id: `zoho:action:${action.action_id}`, source: 'zoho', occurredAt, customer, attributes: { actionId: action.action_id } }],
    };
  }

  async function normalizeNotification(payload: unknown): Promise<NormalizeResult> {
    const note = parseWithSchema(notificationSchema, payload, '', 'Zoho notification');
    const rules = rulesFor(options.rules, note.module, note.operation);
    if (rules.length === 0) return { status: 'ignored', reason: `${note.module}.${note.operation} is not a qualifying action in ZOHO_ACTIVITY_EVENTS` };
    const now = clock();
    const events: PlatformTrigger[] = [];
    const skipped: string[] = [];
    for (const id of [...new Set(note.ids)]) {
      const record = await readRecord(options.api, note.module, id, now);
      if (!record) {
        skipped.push(`${id}: no longer in Zoho`);
        continue;
      }
      const earned = rules.filter((r) => conditionHolds(r, record));
      if (earned.length === 0) continue;
      const customer = await customerOfRecord(options.api, note.module, record, now);
      if (!customer) {
        skipped.push(`${id}: names no Contact`);
        continue;
      }
      for (const rule of earned) {
        events.push({
          type: 'activity',
          name: rule.activity,
          id: `zoho:${note.module}:${id}:${rule.activity}`,
          source: 'zoho',
          occurredAt: note.server_time,
          customer,
          attributes: { module: note.module, recordId: id, operation: note.operation },
        });
      }
    }
    if (skipped.length) options.logger.info('zoho notification records skipped', { module: note.module, skipped });
    if (events.length === 0) return { status: 'ignored', reason: `no ${note.module} record of this ${note.operation} satisfies ZOHO_ACTIVITY_EVENTS${skipped.length ? ` (${skipped.join('; ')})` : ''}` };
    return { status: 'events', events };
  }

  return {
    verify: (request) => verifyZohoRequest(request, options.webhookToken),
    deliveryId(request) {
      const payload = peek(request);
      if (!payload) return undefined;
      if (requestKind(request) === 'deluge') {
        const actionId = text(payload.action_id);
        return actionId ? `action:${actionId}` : undefined;
      }
      return notificationDeliveryId(payload);
    },
    topic(request) {
      const payload = peek(request);
      if (requestKind(request) === 'deluge') return `deluge.${text(payload?.activity) ?? 'action'}`;
      const module = text(payload?.module);
      const operation = text(payload?.operation);
      return module && operation ? `${module}.${operation}` : undefined;
    },
    async normalize(request) {
      const payload = bodyOf(request);
      return requestKind(request) === 'deluge' ? normalizeDeluge(payload) : normalizeNotification(payload);
    },
  };
}
