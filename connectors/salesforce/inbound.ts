/**
 * `POST /webhooks/salesforce`: two kinds of request, told apart by their body.
 *
 * - **Outbound Messages** (SOAP XML, from a Flow's or workflow rule's Outbound Message action).
 *   Salesforce cannot sign them nor add a header, so they are authenticated by a shared secret in
 *   the endpoint URL (`?secret=`, compared in constant time with `SALESFORCE_INBOUND_SECRET`) and
 *   by the org they come from (`OrganizationId` must be `SALESFORCE_ORGANIZATION_ID`). The answer
 *   is the SOAP `Ack` envelope whenever the hub has the message (applied, already applied, or not
 *   about loyalty); a SOAP fault otherwise, so that Salesforce sends it again.
 * - **Callouts** (JSON, from a Flow's HTTP Callout action or Apex) carry the secret as
 *   `Authorization: Bearer <SALESFORCE_INBOUND_SECRET>` and are answered with the hub's JSON.
 */
import { createHash } from 'node:crypto';
import { topLevelText } from '../../core/connectors/body.js';
import { InboundPayloadError, type InboundHandler, type InboundRequest, type NormalizeResult } from '../../core/connectors/definition.js';
import type { PlatformTrigger } from '../../core/triggers/order-identity.js';
import { toId18 } from './ids.js';
import { ACK_ENVELOPE, looksLikeXml, parseOutboundMessage, soapFault, type OutboundMessage } from './outbound-message.js';
import { secretMatches } from '../../core/connectors/shared-secret.js';
import { calloutEvent, DEFAULT_ACTIVITY_FIELD, notificationEvent, parseCallout } from './triggers.js';

export interface SalesforceInboundConfig {
  /** `SALESFORCE_INBOUND_SECRET`. */
  secret: string;
  /** `SALESFORCE_ORGANIZATION_ID`, 15 or 18 characters. */
  organizationId: string;
  /** `SALESFORCE_ACTIVITY_FIELD`: the record field naming an activity. */
  activityField?: string;
  /** For record timestamps a notification lacks. */
  clock?: () => number;
}

const XML_HEADERS = { 'content-type': 'text/xml; charset=utf-8' };

export function createSalesforceInbound(config: SalesforceInboundConfig): InboundHandler {
  const expectedOrg = toId18(config.organizationId);
  const activityField = config.activityField?.trim() || DEFAULT_ACTIVITY_FIELD;
  const clock = config.clock ?? Date.now;
  // verify, deliveryId, topic, normalize and acknowledge all see the same request object: parse once.
  const messages = new WeakMap<InboundRequest, OutboundMessage | InboundPayloadError>();
  const isOutboundMessage = (request: InboundRequest) => looksLikeXml(request.headers.get('content-type'), request.body);

  function message(request: InboundRequest): OutboundMessage | InboundPayloadError {
    let parsed = messages.get(request);
    if (!parsed) {
      try {
        parsed = parseOutboundMessage(request.body);
      } catch (error) {
        if (!(error instanceof InboundPayloadError)) throw error;
        parsed = error;
      }
      messages.set(request, parsed);
    }
    return parsed;
  }

  function verifyOutboundMessage(request: InboundRequest): { ok: true } | { ok: false; reason: string } {
    const given = new URL(request.url, 'http://hub.invalid').searchParams.get('secret');
    if (!given) return { ok: false, reason: 'missing ?secret= in the endpoint URL of the Outbound Message' };
    if (!secretMatches(given, config.secret)) return { ok: false, reason: 'the ?secret= of the endpoint URL does not match SALESFORCE_INBOUND_SECRET' };
    const parsed = message(request);
    if (parsed instanceof InboundPayloadError) return { ok: false, reason: `not a Salesforce Outbound Message: ${parsed.errors[0]?.detail ?? parsed.message}` };
    if (!parsed.organizationId) return { ok: false, reason: 'the Outbound Message has no OrganizationId' };
    if (!expectedOrg) return { ok: false, reason: 'SALESFORCE_ORGANIZATION_ID is not a Salesforce organization id (15 or 18 letters and digits)' };
    if (toId18(parsed.organizationId) !== expectedOrg) {
      return { ok: false, reason: `the Outbound Message comes from organization ${parsed.organizationId}, not SALESFORCE_ORGANIZATION_ID` };
    }
    return { ok: true };
  }

  function verifyCallout(request: InboundRequest): { ok: true } | { ok: false; reason: string } {
    const authorization = request.headers.get('authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!bearer) return { ok: false, reason: 'missing Authorization: Bearer <SALESFORCE_INBOUND_SECRET>' };
    if (!secretMatches(bearer, config.secret)) return { ok: false, reason: 'the Authorization bearer does not match SALESFORCE_INBOUND_SECRET' };
    return { ok: true };
  }

  function calloutField(request: InboundRequest, field: 'id' | 'type'): string | undefined {
    return topLevelText(request, field);
  }

  return {
    verify: (request) => (isOutboundMessage(request) ? verifyOutboundMessage(request) : verifyCallout(request)),

    /**
     * An Outbound Message is known by its notifications' ids (a resend carries the same ones);
     * Salesforce may regroup queued notifications on a resend, which then counts as a new
     * delivery whose notifications are each answered as duplicates of the facts already applied.
     */
    deliveryId: (request) => {
      if (!isOutboundMessage(request)) {
        const id = calloutField(request, 'id');
        return id ? `callout:${id}` : undefined;
      }
      const parsed = message(request);
      if (parsed instanceof InboundPayloadError || parsed.notifications.length === 0) return undefined;
      const ids = parsed.notifications.map((n) => n.id).sort();
      return ids.length === 1 ? `notification:${ids[0]}` : `notifications:${createHash('sha256').update(ids.join(',')).digest('hex')}`;
    },

    topic: (request) => {
      if (!isOutboundMessage(request)) {
        const type = calloutField(request, 'type');
        return type ? `callout:${type}` : 'callout';
      }
      const parsed = message(request);
      if (parsed instanceof InboundPayloadError) return 'outbound-message';
      const types = [...new Set(parsed.notifications.map((n) => n.objectType ?? 'unknown'))].sort();
      return types.length ? `outbound-message:${types.join(',')}` : 'outbound-message';
    },

    normalize: async (request): Promise<NormalizeResult> => {
      const now = clock();
      if (!isOutboundMessage(request)) return { status: 'events', events: [calloutEvent(parseCallout(request), now)] };
      const parsed = message(request);
      if (parsed instanceof InboundPayloadError) throw parsed;
      const events: PlatformTrigger[] = [];
      const skipped: string[] = [];
      for (const n of parsed.notifications) {
        const result = notificationEvent(n, activityField, now);
        if ('skip' in result) skipped.push(result.skip);
        else events.push(result);
      }
      if (events.length) return { status: 'events', events };
      return { status: 'ignored', reason: skipped.length ? skipped.join('; ') : 'the Outbound Message has no notifications' };
    },

    /**
     * Outbound Messages only (callouts get the hub's JSON). Salesforce sends a message again until
     * it reads `<Ack>true</Ack>`: it gets it for every outcome that leaves the hub holding the
     * message — accepted, duplicate (a resend of what was applied) and ignored (nothing to do).
     * A rejected or failed delivery gets a SOAP fault, whose text the Salesforce admin reads in
     * Setup → Outbound Messages; Salesforce resends it for up to 24 hours. A failed one is then
     * processed again; a rejected one stays one `rejected` inbox row (one `webhook.rejected`)
     * however often it comes — once the cause is fixed, `loyalty-hub replay` applies it from
     * the inbox (the body alone tells an Outbound Message, so a replay reads it the same way).
     */
    acknowledge: (request, outcome) => {
      if (!isOutboundMessage(request)) return undefined;
      const detail = (outcome as { detail?: unknown }).detail;
      switch (outcome.status) {
        case 'accepted':
        case 'duplicate':
        case 'ignored':
          return new Response(ACK_ENVELOPE, { status: 200, headers: XML_HEADERS });
        case 'rejected':
          return new Response(soapFault('Client', `loyalty hub: unusable Outbound Message: ${typeof detail === 'string' ? detail : 'see the hub inbox'}`), { status: 500, headers: XML_HEADERS });
        default:
          return new Response(soapFault('Server', 'loyalty hub: could not process the Outbound Message now; send it again'), {
            status: 500,
            headers: { ...XML_HEADERS, 'retry-after': '30' },
          });
      }
    },
  };
}
