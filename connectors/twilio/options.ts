import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time as HH:MM, e.g. 21:00');

/**
 * The options of a `send: { adapter: twilio, … }` mapping action. String values are Liquid
 * templates, rendered before the adapter sees them, so phone numbers are checked at send time.
 */
export const twilioOptions = z.strictObject({
  to: z
    .string()
    .optional()
    .describe(
      'Recipient phone number in international E.164 form, e.g. +14155550100. Leave it out to text the member ' +
        '(only if they agreed to receive SMS). Give a number of your own (e.g. a store manager) to notify staff; consent does not apply to it.',
    ),
  body: z.string().min(1).describe('The text message. Keep it under 160 characters to send it as a single SMS.'),
  quietHours: z
    .strictObject({
      start: hhmm.describe('When quiet hours begin, local time in the program time zone (HH:MM).'),
      end: hhmm.describe('When quiet hours end and held messages go out (HH:MM).'),
    })
    .optional()
    .describe(
      'No texts between these local times (program time zone); a message due then waits until the end. ' +
        'Default 21:00 to 08:00. Equal start and end turn quiet hours off.',
    ),
});

export type TwilioOptions = z.infer<typeof twilioOptions>;
