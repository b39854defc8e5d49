import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: zoho, … }` action may give. String options are Liquid
 * templates, rendered before the adapter sees them. Unknown keys are refused so that a typo fails
 * `mappings check`. A value that renders empty is left out (the Contact keeps what it had), so one
 * action shape serves points events (no tier) and tier events (no balance).
 */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** Field API name → value; a key that cannot be a Zoho API name is refused, naming it. */
function fieldValues<V extends z.ZodType<string>>(value: V) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const name of Object.keys(record)) {
      if (!FIELD_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a Zoho field API name such as Loyalty_Points (letters, digits and underscores; Setup → Developer Hub → APIs)` });
      }
    }
  });
}

const INTEGER_OR_EMPTY = /^\s*(-?\d+)?\s*$/;

export const zohoOptions = z
  .strictObject({
    numberFields: fieldValues(z.string().regex(INTEGER_OR_EMPTY, 'must render as a whole number (e.g. "{{ balance.available }}"), or empty to leave the field as it is'))
      .optional()
      .describe(
        'Number fields of the Contact, API name → value, sent to Zoho as numbers, e.g. { Loyalty_Points: "{{ balance.available }}" } (a Number field). ' +
          'A value that renders empty is left out.',
      ),
    fields: fieldValues(z.string())
      .optional()
      .describe(
        'Text, pick list or date fields of the Contact, API name → value, sent as text, e.g. { Loyalty_Tier: "{{ tier.name }}" }. ' +
          'A value that renders empty is left out. Add Last_Name: "{{ member.lastName | default: member.email }}" to create the Contacts that are missing (Zoho requires Last_Name).',
      ),
    email: z
      .string()
      .optional()
      .describe(
        'The e-mail of the Contact to write (Zoho finds it by Email; none: a Contact is created). Default: the member\'s e-mail. ' +
          'If it renders empty, or the member has none, nothing is sent (skipped).',
      ),
  })
  .refine(
    (o) => Object.keys(o.numberFields ?? {}).length + Object.keys(o.fields ?? {}).length > 0,
    'give numberFields or fields: there is nothing to write',
  )
  .describe(
    "Write loyalty fields on the member's Zoho CRM Contact: one upsert by e-mail (Contacts upsert with duplicate_check_fields Email), so a retry writes the same values again.",
  );

export type ZohoOptions = z.infer<typeof zohoOptions>;
