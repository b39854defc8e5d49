/**
 * Salesforce Outbound Messages (a Flow's or workflow rule's "Outbound Message" action): a SOAP 1.1
 * `notifications` request carrying the org's `OrganizationId` and 1 to 100 `Notification`s, each
 * with its own `Id` and the record (`sObject`, `xsi:type="sf:Contact"`) with the fields the
 * merchant selected. Salesforce resends a message until it is answered with the `Ack` envelope,
 * for up to 24 hours, re-using each notification's `Id` (and may regroup queued notifications
 * differently on a retry).
 *
 * Parsed with fast-xml-parser: namespace prefixes removed (`soapenv:`, `sf:`), every value kept
 * as text (ids such as `012345678901234` must not become numbers), `Notification` always a list
 * (one notification is one element, not a list, in XML). A DOCTYPE is refused: Salesforce never
 * sends one, and entity declarations are how XML bombs work.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InboundPayloadError } from '../../core/connectors/definition.js';

export interface Notification {
  /** Position in the message (0-based), for error pointers. */
  index: number;
  /** `Notification/Id`: the same on every resend of this notification. */
  id: string;
  /** From `xsi:type="sf:Contact"`: `Contact`, `Lead`, … */
  objectType: string | undefined;
  /** The record's fields as sent; an empty or `xsi:nil` field is absent. */
  fields: Record<string, string>;
}

export interface OutboundMessage {
  organizationId: string | undefined;
  actionId: string | undefined;
  notifications: Notification[];
}

const NOTIFICATION_PATH = 'Envelope.Body.notifications.Notification';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (_name, jpath) => jpath === NOTIFICATION_PATH,
});

type XmlNode = Record<string, unknown>;

const isNode = (v: unknown): v is XmlNode => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An element's text: a string, or `{ '#text': … }` when it has attributes; nil and empty → undefined. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (isNode(value)) {
    if (value['@_nil'] === 'true') return undefined;
    const text = value['#text'];
    return typeof text === 'string' ? text.trim() || undefined : undefined;
  }
  return undefined;
}

/** Whether the body looks like XML at all (Outbound Messages are `text/xml`). */
export function looksLikeXml(contentType: string | null, body: string): boolean {
  return /\bxml\b/i.test(contentType ?? '') || body.trimStart().startsWith('<');
}

/** Parses an Outbound Message; throws InboundPayloadError naming what is wrong. */
export function parseOutboundMessage(xml: string): OutboundMessage {
  const body = xml.replace(/^\uFEFF/, '');
  if (/<!DOCTYPE/i.test(body)) throw new InboundPayloadError('the XML has a DOCTYPE, which Outbound Messages never have', [{ pointer: '', detail: 'DOCTYPE not allowed' }]);
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    throw new InboundPayloadError('the body is not well-formed XML', [{ pointer: '', detail: `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})` }]);
  }
  const doc = parser.parse(body) as XmlNode;
  const envelope = doc.Envelope;
  const soapBody = isNode(envelope) ? envelope.Body : undefined;
  const notifications = isNode(soapBody) ? soapBody.notifications : undefined;
  if (!isNode(notifications)) {
    throw new InboundPayloadError('the body is not a Salesforce Outbound Message', [
      { pointer: '/Envelope/Body/notifications', detail: 'expected a SOAP envelope whose body is <notifications xmlns="http://soap.sforce.com/2005/09/outbound">' },
    ]);
  }
  const list = Array.isArray(notifications.Notification) ? (notifications.Notification as unknown[]) : [];
  return {
    organizationId: textOf(notifications.OrganizationId),
    actionId: textOf(notifications.ActionId),
    notifications: list.map((n, index) => readNotification(n, index)),
  };
}

function readNotification(node: unknown, index: number): Notification {
  const at = `/notifications/Notification/${index}`;
  const n = isNode(node) ? node : {};
  const id = textOf(n.Id);
  if (!id) throw new InboundPayloadError(`notification ${index + 1} has no Id`, [{ pointer: `${at}/Id`, detail: 'the notification id is required' }]);
  const sObject = isNode(n.sObject) ? n.sObject : undefined;
  if (!sObject) throw new InboundPayloadError(`notification ${id} has no sObject`, [{ pointer: `${at}/sObject`, detail: 'the record is required' }]);
  const type = typeof sObject['@_type'] === 'string' ? sObject['@_type'] : undefined;
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(sObject)) {
    if (name.startsWith('@_')) continue;
    const text = textOf(value);
    if (text !== undefined) fields[name] = text;
  }
  return { index, id, objectType: type?.replace(/^.*:/, ''), fields };
}

/**
 * The answer Salesforce waits for: `<Ack>true</Ack>`, byte for byte the envelope of Salesforce's
 * documentation (tests/fixtures/platform-samples/salesforce/outbound_message_ack_response.xml).
 */
export const ACK_ENVELOPE = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
   <Ack>true</Ack>
  </notificationsResponse>
 </soapenv:Body>
</soapenv:Envelope>
`;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A SOAP 1.1 fault (HTTP 500, as SOAP 1.1 requires): anything but the Ack makes Salesforce queue
 * the message and send it again later. `Client`: the message itself could not be used;
 * `Server`: the hub could not process it now.
 */
export function soapFault(code: 'Client' | 'Server', message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Body>
  <soapenv:Fault>
   <faultcode>soapenv:${code}</faultcode>
   <faultstring>${escapeXml(message)}</faultstring>
  </soapenv:Fault>
 </soapenv:Body>
</soapenv:Envelope>
`;
}
