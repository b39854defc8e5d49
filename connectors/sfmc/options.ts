import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: sfmc, … }` action may give (docs/mappings.md, "sfmc"). String
 * options are Liquid templates, rendered before the adapter sees them. Unknown keys are refused so
 * a typo fails `mappings check`.
 */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_ -]{0,127}$/;

export const sfmcOptions = z
  .strictObject({
    eventDefinitionKey: z
      .string()
      .trim()
      .min(1, 'name the entry event: its Event Definition Key (Journey Builder → Entry Sources → API Event)')
      .regex(/^[^.]*$/, 'an Event Definition Key contains no period')
      .describe(
        'The Event Definition Key of the journey\'s API Event entry source (e.g. "APIEvent-3f2c…"), shown in Journey Builder on the entry event. ' +
          'Every journey started by that event receives the contact.',
      ),
    contactKey: z
      .string()
      .optional()
      .describe(
        'The Marketing Cloud contact key to enter, e.g. "{{ member.email }}" or "{{ member.id }}". ' +
          'Leave it out to use the contact the member came from (their sfmc:<contact key> alias, from the Journey Builder activity); a member without one is skipped.',
      ),
    data: z
      .record(z.string().regex(FIELD_NAME, 'a data extension field name: letters, digits, _, - and spaces'), z.string())
      .refine((d) => !Object.keys(d).some((k) => k.toLowerCase() === 'eventinstanceid'), 'eventInstanceId is reserved by Marketing Cloud')
      .default({})
      .describe(
        'The entry event\'s fields, sent as Data: each key a field of the event\'s data extension, each value a template, e.g. ' +
          'points: "{{ points }}", tier: "{{ tier.name }}". Marketing Cloud refuses a field its data extension does not have.',
      ),
    deliveryIdField: z
      .string()
      .regex(FIELD_NAME, 'a data extension field name: letters, digits, _, - and spaces')
      .optional()
      .describe(
        'A data extension field to receive the hub\'s delivery id (stable across retries), e.g. "LoyaltyDeliveryId": lets the journey, or the field as primary key, recognise an event sent twice. ' +
          'Entry events take no idempotency key (docs/connectors/sfmc.md, "Sent twice?").',
      ),
    requireEmailConsent: z
      .boolean()
      .default(true)
      .describe(
        'Enter only members who accept marketing e-mail (member.consentEmail). Default true, because journeys usually send e-mail; ' +
          'set false for a journey that sends none (Marketing Cloud still applies its own subscription status to its sends).',
      ),
  })
  .describe("Enter a contact into Journey Builder journeys by firing an API entry event (POST /interaction/v1/events) with the loyalty event's fields.");

export type SfmcOptions = z.output<typeof sfmcOptions>;
