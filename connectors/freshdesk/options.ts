import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: freshdesk, … }` action may give (docs/mappings.md,
 * "freshdesk"). String options are Liquid templates, rendered before the adapter sees them, so
 * formats (an e-mail address) are checked when sending, not here. Unknown keys are refused so
 * that a typo fails `mappings check`.
 */

/** Freshdesk's codes (docs/connectors/freshdesk.md, "What the hub sends"). */
export const FRESHDESK_PRIORITY = { low: 1, medium: 2, high: 3, urgent: 4 } as const;
export const FRESHDESK_STATUS = { open: 2, pending: 3, resolved: 4, closed: 5 } as const;
export const FRESHDESK_SOURCE = { email: 1, portal: 2, phone: 3, chat: 7, feedback_widget: 9, outbound_email: 10 } as const;

const keysOf = <T extends Record<string, number>>(codes: T) => Object.keys(codes) as [keyof T & string, ...(keyof T & string)[]];

export const freshdeskOptions = z
  .strictObject({
    subject: z.string().trim().min(1).describe('The ticket subject, as agents see it in their views, e.g. "Points taken back for {{ member.email }}".'),
    description: z
      .string()
      .min(1)
      .describe(
        'The ticket description, in plain text: the hub escapes it and keeps its line breaks, so nothing in the data can turn into HTML. ' +
          'Freshdesk shows it as the requester\'s first message and may e-mail it to the requester: for alerts about a member, make your team the requester.',
      ),
    requester: z
      .strictObject({
        email: z.string().trim().min(1).optional().describe('The requester\'s e-mail address; defaults to the member\'s. Freshdesk adds a contact for an address it does not know.'),
        name: z.string().trim().min(1).optional().describe('The requester\'s name, for a contact Freshdesk creates; defaults to the member\'s first and last name when the address is the member\'s.'),
        id: z
          .union([z.number().int().positive(), z.string().trim().regex(/^\d+$/, 'a Freshdesk contact id is a whole number')])
          .optional()
          .describe('The ID of an existing Freshdesk contact (requester_id), instead of an address.'),
      })
      .optional()
      .describe(
        'Who the ticket is from. Leave it out to use the member the event is about (their e-mail address). For internal alerts (fraud, failed messages) give your team\'s address, ' +
          'so the member never receives them. Freshdesk needs a requester: with none at all the delivery fails with that reason.',
      ),
    priority: z.enum(keysOf(FRESHDESK_PRIORITY)).optional().describe('Ticket priority: low, medium, high or urgent. Default low.'),
    status: z.enum(keysOf(FRESHDESK_STATUS)).optional().describe('Ticket status: open, pending, resolved or closed. Default open.'),
    source: z
      .enum(keysOf(FRESHDESK_SOURCE))
      .optional()
      .describe('The channel the ticket is recorded as coming from: email, portal, phone, chat, feedback_widget or outbound_email. Leave it out for Freshdesk\'s default (portal).'),
    type: z.string().trim().min(1).optional().describe('The ticket type, exactly as it is named in your Freshdesk (Admin → Ticket Fields → Type), e.g. "Question" or "Incident".'),
    tags: z
      .array(z.string().trim().min(1))
      .optional()
      .describe('Tags for Freshdesk views, automations and reports, e.g. [loyalty, points_reversed]; keep them short, with underscores rather than spaces. The hub adds one tag of its own: the delivery id.'),
    groupId: z
      .union([z.number().int().positive(), z.string().trim().regex(/^\d+$/, 'a Freshdesk group id is a whole number')])
      .optional()
      .describe('The ID of the Freshdesk group (team) to assign the ticket to, e.g. your loyalty or billing group.'),
    customFields: z
      .record(
        z.string().regex(/^cf_[a-z0-9_]+$/i, 'a Freshdesk custom field is named cf_…, e.g. cf_loyalty_member_id'),
        z.union([z.string(), z.number(), z.boolean()]),
      )
      .optional()
      .describe(
        'Values for your ticket custom fields, by their API name (cf_…), e.g. { cf_loyalty_member_id: "{{ member.id }}" }. ' +
          'A template renders text: for a number or checkbox field write the value without quotes and without a template (cf_escalation_level: 2).',
      ),
    loyaltyContext: z
      .boolean()
      .optional()
      .describe(
        'Add the member\'s loyalty context under the description: member id, balance, tier and the last few points movements, read from the hub when the ticket is sent. Default true; false leaves it out.',
      ),
  })
  .describe('Create a ticket in Freshdesk.');

export type FreshdeskOptions = z.infer<typeof freshdeskOptions>;
