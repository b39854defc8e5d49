/**
 * The API look-ups that complete a thin notification: Zoho's channel names records by id only, so
 * each is read (`GET /crm/v8/{module}/{id}`) for the fields a rule tests and for its Contact — the
 * record itself in Contacts, else its `Contact_Name` lookup (Deals, Quotes, Sales Orders,
 * Invoices, Cases) or `Who_Id` (Calls, Tasks, Meetings), whose e-mail is read from Contacts so the
 * member joins the same person's member from other platforms.
 *
 * A record Zoho no longer has (deleted since) is `undefined`; any other failure throws a plain
 * Error, which the core answers 503 so the delivery is processed again
 * (docs/adding-a-connector.md, "Inbound: webhooks").
 */
import { parseWithSchema } from '../../core/connectors/payload.js';
import type { TriggerCustomer } from '../../core/triggers/trigger-event.js';
import { ZohoApiError, type ZohoApi } from './api.js';
import { recordSchema } from './schemas.js';

/** How long one look-up may take. */
const LOOKUP_TIMEOUT_MS = 10_000;

/** Zoho's ways of saying "no such record": 204 No Content, 404, or 400 INVALID_DATA on the id. */
function isGone(error: unknown): boolean {
  return error instanceof ZohoApiError && (error.status === 404 || (error.status === 400 && (error.code === 'INVALID_DATA' || error.code === 'INVALID_URL_PATTERN')));
}

export async function readRecord(api: ZohoApi, module: string, id: string, now: number): Promise<Record<string, unknown> | undefined> {
  let answer;
  try {
    answer = await api.call('GET', `/${encodeURIComponent(module)}/${encodeURIComponent(id)}`, undefined, now, AbortSignal.timeout(LOOKUP_TIMEOUT_MS));
  } catch (error) {
    if (isGone(error)) return undefined;
    throw new Error(`Zoho ${module} ${id} could not be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const data = (answer.body as { data?: unknown } | undefined)?.data;
  const record = Array.isArray(data) ? data[0] : undefined;
  return record && typeof record === 'object' ? (record as Record<string, unknown>) : undefined;
}

/** A lookup field's record id (`{ name, id }`), if it is one. */
function lookupId(value: unknown): string | undefined {
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' && /^\d+$/.test(id) ? id : undefined;
}

function contactOf(record: Record<string, unknown>, pointer: string): TriggerCustomer {
  const contact = parseWithSchema(recordSchema, record, pointer, 'Zoho Contact');
  return {
    platformId: contact.id,
    ...(contact.Email ? { email: contact.Email } : {}),
    ...(contact.First_Name ? { firstName: contact.First_Name } : {}),
    ...(contact.Last_Name ? { lastName: contact.Last_Name } : {}),
  };
}

/** The Contact a record is about, read from Contacts; undefined when the record names none. */
export async function customerOfRecord(api: ZohoApi, module: string, record: Record<string, unknown>, now: number): Promise<TriggerCustomer | undefined> {
  if (module === 'Contacts') return contactOf(record, '');
  const contactId = lookupId(record.Contact_Name) ?? lookupId(record.Who_Id);
  if (!contactId) return undefined;
  return customerById(api, contactId, now);
}

/** The Contact with this id; one Zoho no longer has is known by its id alone. */
export async function customerById(api: ZohoApi, contactId: string, now: number): Promise<TriggerCustomer> {
  const contact = await readRecord(api, 'Contacts', contactId, now);
  return contact ? contactOf(contact, '') : { platformId: contactId };
}
