/**
 * The contact behind a thin notification: an Update step sends only the columns that changed, and a
 * loyalty activity names its contact by a lookup, so the person's e-mail address is read from the
 * Web API — `GET /contacts(<id>)?$select=…` — unless the step's post-image carries it
 * (docs/connectors/dynamics.md, "Register the steps"). A look-up that fails throws a plain Error:
 * the core answers 503 and Dataverse's retry, or `loyalty-hub replay`, processes it again.
 */
import { jsonObjectAnswer } from '../../core/outbound/provider-answer.js';
import type { DataverseApi } from './api.js';

export const CONTACT_COLUMNS = ['emailaddress1', 'firstname', 'lastname', 'mobilephone', 'telephone1', 'donotbulkemail'] as const;

/** The contact's columns as the Web API returns them, or undefined when it no longer exists. */
export async function lookUpContact(api: DataverseApi, contactId: string, now: number): Promise<Record<string, unknown> | undefined> {
  let res: Response;
  try {
    res = await api.request('GET', `/contacts(${contactId})?$select=${CONTACT_COLUMNS.join(',')}`, { now, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`dynamics: could not read contact ${contactId}: ${why}`, { cause: error });
  }
  if (res.status === 404) {
    await res.text().catch(() => undefined);
    return undefined;
  }
  if (!res.ok) {
    await res.text().catch(() => undefined);
    throw new Error(`dynamics: could not read contact ${contactId}: the Web API answered HTTP ${res.status}`);
  }
  const body = await jsonObjectAnswer(res);
  if (!body) throw new Error(`dynamics: could not read contact ${contactId}: the Web API answered without a JSON object`);
  return body;
}
