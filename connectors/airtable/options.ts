import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: airtable, … }` action may give (docs/mappings.md,
 * "airtable — records"). String options are Liquid templates, rendered before the adapter sees
 * them. Unknown keys are refused so that a typo fails `mappings check`.
 */
const fieldName = z.string().trim().min(1, 'a field name or id is not empty');

export const airtableOptions = z
  .strictObject({
    table: z
      .string()
      .trim()
      .min(1)
      .describe('The table to write, by id ("tblXXXXXXXXXXXXXX", survives a rename) or by name ("Loyalty members"), in the base AIRTABLE_BASE_ID.'),
    mergeOn: z
      .array(fieldName)
      .min(1)
      .max(3)
      .describe(
        'One to three fields that identify the record, e.g. [Email]: a record whose values in them match is updated, else one is created (Airtable\'s upsert). ' +
          'Each must also be in `fields`. Two records matching makes Airtable refuse the write.',
      ),
    fields: z
      .record(fieldName, z.string())
      .refine((f) => Object.keys(f).length > 0, 'give at least one field')
      .describe(
        'The cells to write, field name (or id) → value, e.g. { Email: "{{ member.email }}", Points: "{{ balance.available }}" }. ' +
          'Values are text; a number, checkbox or select field needs `typecast: true` so Airtable converts them. Fields not named keep their values.',
      ),
    typecast: z
      .boolean()
      .optional()
      .describe('true lets Airtable convert the text values to the field\'s type ("250" into a number field, a new option into a select). Default false: a value of the wrong type is refused.'),
  })
  .refine((o) => o.mergeOn.every((f) => f in o.fields), { message: 'every mergeOn field must also be given in fields', path: ['mergeOn'] })
  .describe('Create or update one Airtable record (update multiple records with performUpsert).');

export type AirtableOptions = z.infer<typeof airtableOptions>;
