/**
 * The two payloads `POST /webhooks/zoho` reads, as zod schemas of exactly the fields used
 * (docs/adding-a-connector.md, "The files of an inbound connector"): a field of the wrong type is
 * a 400 naming it by its JSON pointer.
 */
import { z } from 'zod';
import { optionalText } from '../../core/connectors/payload-fields.js';

/** Same rule as `POST /v1/events`: a lower-case activity name like `deal.won`. */
export const ACTIVITY_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/** A Zoho record id: digits (19 of them today), always a string in Zoho's JSON. */
const recordId = z.string().trim().regex(/^\d{1,30}$/, 'a Zoho record id is digits');

/**
 * What the Deluge function of docs/connectors/zoho.md posts: one qualifying action. `action_id`
 * names the action itself (e.g. `deal.won:<deal id>`), so the same action earns once however
 * often the function runs for it.
 */
export const delugeActionSchema = z.looseObject({
  action_id: z.string().trim().min(1, 'the action id is empty').max(200, 'at most 200 characters'),
  activity: z.string().trim().regex(ACTIVITY_NAME, 'a lower-case activity name like deal.won'),
  contact_id: recordId.nullish(),
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  occurred_at: optionalText,
});

export type DelugeAction = z.infer<typeof delugeActionSchema>;

/**
 * What Zoho's notification channel posts (Enable Notifications, "Sample response received at the
 * notification URL"): which records of which module an operation touched — no field values.
 */
export const notificationSchema = z.looseObject({
  server_time: z.number().int().positive(),
  module: z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a module API name'),
  ids: z.array(recordId).min(1, 'no record ids'),
  operation: z.string().trim().min(1),
  channel_id: z.union([z.string(), z.number()]).transform(String),
  token: z.string(),
});

export type Notification = z.infer<typeof notificationSchema>;

/** The parts of a record read for its Contact (a Contact itself; a Deal's or Call's lookup is read by ./records.ts). */
export const recordSchema = z.looseObject({
  id: recordId,
  Email: optionalText,
  First_Name: optionalText,
  Last_Name: optionalText,
});

export type ZohoRecord = z.infer<typeof recordSchema>;
