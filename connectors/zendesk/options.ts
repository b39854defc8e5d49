import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: zendesk, … }` action may give. String options are Liquid
 * templates, rendered before the adapter sees them, so formats (an e-mail address) are checked
 * when sending, not here. Unknown keys are refused so that a typo fails `mappings check`.
 */
export const zendeskOptions = z
  .strictObject({
    subject: z.string().trim().min(1).describe('The ticket subject, as agents see it in their views, e.g. "Delivery failed for {{ member.email }}".'),
    comment: z
      .string()
      .min(1)
      .describe(
        'The first comment of the ticket (its description), in plain text. Public unless `public: false`: ' +
          'if your Zendesk notifies requesters of new tickets, the requester receives a public one.',
      ),
    public: z
      .boolean()
      .optional()
      .describe('false makes the first comment an internal note only agents see: for alerts about a member (fraud, failed messages) that must not reach them. Default true.'),
    requester: z
      .strictObject({
        name: z.string().trim().min(1).optional().describe('The requester\'s name; defaults to the member\'s first and last name.'),
        email: z.string().trim().min(1).optional().describe('The requester\'s e-mail address; defaults to the member\'s.'),
      })
      .optional()
      .describe(
        'Who the ticket is from. Leave it out to use the member the event is about. Zendesk creates the user if the address is new. ' +
          'With no address at all (an event without a member, and none given here) the ticket is created with the Zendesk API user as requester.',
      ),
    tags: z
      .array(z.string().trim().min(1))
      .optional()
      .describe('Tags for Zendesk views, triggers and reports, e.g. [loyalty, vip]. Zendesk splits a tag at spaces, so use underscores: "tier_gold".'),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional().describe('Ticket priority: low, normal, high or urgent. Leave it out for your Zendesk\'s default.'),
  })
  .describe('Create a ticket in Zendesk Support.');

export type ZendeskOptions = z.infer<typeof zendeskOptions>;
