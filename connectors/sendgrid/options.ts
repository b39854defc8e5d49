import { z } from 'zod';

/**
 * The options of a `send: { adapter: sendgrid, … }` mapping action. String values are Liquid
 * templates, rendered before the adapter sees them, so addresses are checked at send time, not
 * here (at load time `to` is still `{{ member.email }}`).
 */
export const sendgridOptions = z
  .strictObject({
    to: z
      .string()
      .optional()
      .describe(
        "Recipient e-mail address. Leave it out to write to the member (only if they agreed to receive e-mail). " +
          "Give an address of your own (e.g. a team inbox) to notify your staff; consent does not apply to it.",
      ),
    templateId: z
      .string()
      .regex(/^d-/, 'a SendGrid dynamic template id starts with "d-"')
      .optional()
      .describe('SendGrid dynamic template id ("d-…"). Use it, or subject + html, not both.'),
    dynamicTemplateData: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Values for the dynamic template, e.g. { points: "{{ points }}", tier: "{{ tier.name }}" }. Only with templateId.'),
    subject: z.string().min(1).optional().describe('E-mail subject line (with html, when no templateId is given).'),
    html: z.string().min(1).optional().describe('E-mail body as HTML (with subject, when no templateId is given).'),
    text: z.string().min(1).optional().describe('Plain-text version of the body, for mail clients without HTML. Optional, with subject + html.'),
    categories: z
      .array(z.string().min(1).max(255))
      .max(10)
      .optional()
      .describe('Up to 10 SendGrid categories, for grouping the message in SendGrid statistics, e.g. [loyalty, tier-upgrade].'),
  })
  .superRefine((o, ctx) => {
    const content = ['subject', 'html', 'text'].filter((k) => o[k as 'subject' | 'html' | 'text'] !== undefined);
    if (o.templateId !== undefined) {
      if (content.length > 0) {
        ctx.addIssue({ code: 'custom', path: [content[0]!], message: 'give either templateId (with dynamicTemplateData) or subject + html, not both' });
      }
      return;
    }
    if (o.dynamicTemplateData !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['templateId'], message: 'dynamicTemplateData needs a templateId' });
    }
    if (o.subject === undefined && o.html === undefined) {
      ctx.addIssue({ code: 'custom', path: ['templateId'], message: 'give either templateId (with dynamicTemplateData) or subject + html' });
      return;
    }
    if (o.subject === undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'subject is required with html' });
    if (o.html === undefined) ctx.addIssue({ code: 'custom', path: ['html'], message: 'html is required with subject' });
  });

export type SendgridOptions = z.infer<typeof sendgridOptions>;
