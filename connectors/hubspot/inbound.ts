/**
 * `POST /webhooks/hubspot`: HubSpot's webhook batches and its custom workflow action requests
 * arrive on the same route.
 *
 * - A webhook batch (a JSON array, signed v3): `contact.creation` → `customer.created`;
 *   `contact.propertyChange` of a watched property (`HUBSPOT_ACTIVITY_PROPERTIES`) set to a true
 *   value → the configured activity; everything else is ignored. The whole batch is one delivery
 *   and one transaction; each event is its own trigger, applied once.
 * - A workflow action (a JSON object `{callbackId, object, inputFields}`, signed v2 and told so by
 *   `X-HubSpot-Signature-Version: v2`) → the activity named by its `activity` input, answered
 *   with the `outputFields` HubSpot's workflow reads.
 *
 * The signature scheme is chosen by the headers (`verify`); which of the two a request is, by
 * its body's shape (an array or an object) — so a v2 signature, which has no timestamp, is never
 * accepted on a webhook batch.
 *
 * HubSpot's events name the contact by id only. With `HUBSPOT_ACCESS_TOKEN` set, the contacts'
 * e-mail and names are read (one batch read per delivery), so a HubSpot contact joins the member
 * who has the same e-mail on another platform; without it the member is known by the alias
 * `hubspot:<contact id>` alone.
 */
import { bodyOf, parsedBody } from '../../core/connectors/body.js';
import { createHash } from 'node:crypto';
import type { InboundHandler, InboundRequest, NormalizeResult } from '../../core/connectors/definition.js';
import type { Logger } from '../../core/observability/logger.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import { createHubSpotApi, HubSpotApiError, type HubSpotApi } from './api.js';
import {
  actionTrigger,
  batchTopic,
  ignoredReason,
  isActivityChange,
  isContactCreation,
  readWebhookEvents,
  readWorkflowAction,
  webhookTriggers,
  type ActivityProperties,
} from './events.js';
import { TIMESTAMP_HEADER, verifyHubSpotSignature } from './signature.js';

export interface HubSpotInboundOptions {
  /** `HUBSPOT_CLIENT_SECRET`: the app client secret(s) HubSpot signs with. */
  secrets: string[];
  /** `HUBSPOT_ACTIVITY_PROPERTIES`, parsed. */
  activityProperties: ActivityProperties;
  /** `HUBSPOT_ACTION_ACTIVITY`: the activity of a workflow action without an `activity` input. */
  defaultActivity?: string;
  /** `HUBSPOT_ACCESS_TOKEN`: enables the contact look-up (e-mail, names). */
  accessToken?: string;
  apiUrl?: string;
  logger: Logger;
  /** The time signatures are checked at (tests). */
  clock?: () => number;
  /** How long the contact look-up may take: HubSpot wants an answer within 5 seconds. */
  lookupTimeoutMs?: number;
}

type Kind = 'webhook' | 'action';

/** An array is a webhook batch, an object a workflow action request. */
export function requestKind(request: InboundRequest): Kind {
  return request.body.trimStart().startsWith('{') ? 'action' : 'webhook';
}

/** The body as JSON for the inbox's delivery id and topic, which must not throw; parsed once per request. */
function peek(request: InboundRequest): unknown {
  const entry = parsedBody(request);
  return 'error' in entry ? undefined : entry.value;
}

/**
 * A webhook batch's identity: the set of its events, whatever their order or `attemptNumber`,
 * so that HubSpot's retry of a batch is answered as the duplicate it is.
 */
export function batchDeliveryId(payload: unknown): string | undefined {
  if (!Array.isArray(payload) || payload.length === 0) return undefined;
  const keys = payload.map((e) => {
    const o = (e ?? {}) as Record<string, unknown>;
    return [o.portalId, o.subscriptionId, o.eventId, o.objectId].map(String).join(':');
  });
  return `events:${createHash('sha256').update([...keys].sort().join('\n')).digest('hex')}`;
}

export function createHubSpotInbound(options: HubSpotInboundOptions): InboundHandler {
  const clock = options.clock ?? Date.now;
  const api: HubSpotApi | undefined = options.accessToken ? createHubSpotApi({ accessToken: options.accessToken, apiUrl: options.apiUrl }) : undefined;
  const lookupTimeoutMs = options.lookupTimeoutMs ?? 3000;

  /** E-mail and names of the contacts, when a token is set; a refused look-up is logged and skipped. */
  async function customers(objectIds: string[]): Promise<Map<string, TriggerCustomer>> {
    const out = new Map<string, TriggerCustomer>();
    if (!api || objectIds.length === 0) return out;
    let found;
    try {
      found = await api.readContacts(objectIds, ['email', 'firstname', 'lastname'], AbortSignal.timeout(lookupTimeoutMs));
    } catch (error) {
      if (error instanceof HubSpotApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) {
        options.logger.warn('hubspot contact look-up refused; members are known by their HubSpot contact id only', { status: error.status, error: error.message });
        return out;
      }
      // Not reachable now: answered 503, so HubSpot delivers the batch again later.
      throw new Error(`HubSpot contact look-up failed: ${(error as Error).message}`, { cause: error });
    }
    for (const id of objectIds) {
      const p = found.get(id);
      out.set(id, {
        platformId: id,
        ...(p?.email ? { email: p.email } : {}),
        ...(p?.firstname ? { firstName: p.firstname } : {}),
        ...(p?.lastname ? { lastName: p.lastname } : {}),
      });
    }
    return out;
  }

  async function normalizeWebhook(payload: unknown): Promise<NormalizeResult> {
    const batch = readWebhookEvents(payload);
    const events = batch.read((e) => (isContactCreation(e) ? 'created' : isActivityChange(e, options.activityProperties) ? 'activity' : undefined));
    if (events.length === 0) return { status: 'ignored', reason: ignoredReason(batch.all, options.activityProperties) };
    const people = await customers([...new Set(events.map((e) => e.objectId))]);
    return { status: 'events', events: webhookTriggers(events, options.activityProperties, people) };
  }

  async function normalizeAction(request: InboundRequest, payload: unknown): Promise<NormalizeResult> {
    const action = readWorkflowAction(payload);
    const stamped = Number(request.headers.get(TIMESTAMP_HEADER));
    const occurredAt = Number.isSafeInteger(stamped) && stamped > 0 ? stamped : clock();
    // The activity is checked before the look-up: a misconfigured action costs no API call.
    const trigger = actionTrigger(action, options.defaultActivity, occurredAt, { platformId: action.objectId });
    const people = await customers([action.objectId]);
    return { status: 'events', events: [{ ...trigger, customer: people.get(action.objectId) ?? { platformId: action.objectId } }] };
  }

  return {
    verify: (request) => verifyHubSpotSignature(request, { secrets: options.secrets, now: clock(), allowV2: requestKind(request) === 'action' }),
    deliveryId(request) {
      const payload = peek(request);
      if (requestKind(request) === 'action') {
        const callbackId = (payload as { callbackId?: unknown } | undefined)?.callbackId;
        return typeof callbackId === 'string' && callbackId ? `action:${callbackId}` : undefined;
      }
      // Undefined (the body's hash) for what is not a batch of events.
      return batchDeliveryId(payload);
    },
    topic(request) {
      if (requestKind(request) === 'action') return 'workflow.action';
      const payload = peek(request);
      return Array.isArray(payload) ? batchTopic(payload.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)) : undefined;
    },
    async normalize(request) {
      const payload = bodyOf(request);
      return requestKind(request) === 'action' ? normalizeAction(request, payload) : normalizeWebhook(payload);
    },
    /**
     * A workflow action is answered with what HubSpot's workflow reads: `outputFields`, whose
     * `hs_execution_state: SUCCESS` lets the workflow go on (and the points awarded can feed a
     * later step). A webhook batch gets the core's JSON answer; a refusal (400) or a failure to
     * process now (503, which HubSpot retries) keeps the core's problem document.
     */
    acknowledge(request, outcome) {
      if (requestKind(request) !== 'action' || (outcome.status !== 'accepted' && outcome.status !== 'duplicate')) return undefined;
      const first = (outcome as { outcomes?: { points?: number; memberId?: string | null }[] }).outcomes?.[0];
      const outputFields = {
        hs_execution_state: 'SUCCESS',
        loyalty_status: outcome.status,
        ...(first && typeof first.points === 'number' ? { loyalty_points_awarded: first.points } : {}),
        ...(first?.memberId ? { loyalty_member_id: first.memberId } : {}),
      };
      return new Response(JSON.stringify({ outputFields }), { status: 200, headers: { 'content-type': 'application/json' } });
    },
  };
}
