import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: mailchimp, … }` action may give (docs/mappings.md,
 * "mailchimp"). String values are Liquid templates, rendered before the adapter sees them and
 * validated again after rendering, so a broken event name or merge tag fails `mappings check`
 * with its file and line instead of failing at Mailchimp.
 */

/** Mailchimp's merge tags: upper-case letters, digits and `_`, at most 10 characters. */
export const MERGE_TAG = /^[A-Z][A-Z0-9_]{0,9}$/;
/** Mailchimp's event names: 2 to 30 letters, digits, `_` or `-`. */
export const EVENT_NAME = /^[A-Za-z0-9_-]{2,30}$/;
/** The event property the hub sets itself, to recognise an event it already recorded. */
export const DELIVERY_ID_PROPERTY = 'delivery_id';

const NUMBER_OR_EMPTY = /^\s*(-?\d+(\.\d+)?)?\s*$/;

const mergeFields = z
  .record(z.string(), z.string())
  .superRefine((fields, ctx) => {
    if (Object.keys(fields).length === 0) ctx.addIssue({ code: 'custom', message: 'give at least one merge field, e.g. POINTS: "{{ balance.available }}"' });
    for (const tag of Object.keys(fields)) {
      if (!MERGE_TAG.test(tag)) {
        ctx.addIssue({ code: 'custom', path: [tag], message: `"${tag}" is not a Mailchimp merge tag: 1 to 10 upper-case letters, digits or _, starting with a letter (e.g. POINTS)` });
      }
    }
    if (fields.POINTS !== undefined && !NUMBER_OR_EMPTY.test(fields.POINTS)) {
      ctx.addIssue({ code: 'custom', path: ['POINTS'], message: 'POINTS is a number field: it must render as a number (e.g. "{{ balance.available }}"), or empty' });
    }
  })
  .describe(
    'Audience fields to write on the member\'s Mailchimp contact, by merge tag: POINTS (a number, e.g. "{{ balance.available }}") and TIER (text, e.g. ' +
      '"{{ tier.name }}") are created in the audience by the hub; any other tag must already exist in the audience. A value that renders empty is not written.',
  );

const event = z
  .strictObject({
    name: z
      .string()
      .regex(EVENT_NAME, 'a Mailchimp event name is 2 to 30 letters, digits, _ or - (no spaces, no dots), e.g. points_threshold_1000')
      .describe('The event name a Mailchimp Customer Journey starts on ("Contact activity → Event"), e.g. tier_upgraded. 2–30 letters, digits, _ or -.'),
    properties: z
      .record(z.string().min(1), z.string())
      .refine((p) => !(DELIVERY_ID_PROPERTY in p), `${DELIVERY_ID_PROPERTY} is set by the hub (the delivery id); choose another name`)
      .optional()
      .describe('Text values recorded with the event, usable in the journey\'s e-mail, e.g. { tier: "{{ tier.name }}", points: "{{ balance.available }}" }.'),
  })
  .describe(
    'A member event (Mailchimp\'s "Add event") recorded on the contact, so that a Customer Journey in Mailchimp sends the e-mail. ' +
      'Sent only for members who agreed to receive e-mail.',
  );

export const mailchimpOptions = z
  .strictObject({
    mergeFields: mergeFields.optional(),
    event: event.optional(),
  })
  .refine((o) => o.mergeFields !== undefined || o.event !== undefined, { message: 'give mergeFields, event, or both' })
  .describe(
    'Write the member\'s loyalty fields on their contact in the Mailchimp audience (MAILCHIMP_LIST_ID), found by their e-mail address, and/or record an event ' +
      'that starts a Mailchimp Customer Journey. A member who agreed to e-mail is added to the audience as subscribed if new; one who did not is never added.',
  );

export type MailchimpOptions = z.infer<typeof mailchimpOptions>;
