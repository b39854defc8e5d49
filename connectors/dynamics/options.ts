import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: dynamics, … }` action may give (docs/mappings.md, "dynamics —
 * contact loyalty columns"). String options are Liquid templates, rendered before the adapter sees
 * them. A column value that renders empty is not written (the contact keeps what it had), so one
 * action shape serves events that know the balance and events that know the tier. Unknown keys are
 * refused so that a typo fails `mappings check`.
 */

/** A Dataverse column's logical name: lower case, as Power Apps shows it under "Logical name". */
const LOGICAL_NAME = /^[a-z][a-z0-9_]{0,99}$/;
const WHOLE_NUMBER_OR_EMPTY = /^\s*(-?\d{1,10})?\s*$/;

const logicalName = z.string().regex(LOGICAL_NAME, 'a column logical name is lower-case letters, digits and "_" (e.g. new_loyaltypoints), as shown under Logical name');

export const dynamicsOptions = z
  .strictObject({
    key: z
      .record(logicalName, z.string())
      .refine((k) => Object.keys(k).length > 0, 'name at least one column of the alternate key')
      .optional()
      .describe(
        'Which contact: the columns of an alternate key defined on the Contact table and their values, e.g. ' +
          'emailaddress1: "{{ member.email }}" (the key must exist in Dataverse: Tables → Contact → Keys). ' +
          'Leave it out to update the contact the member came from (their dynamics:<contact id>); members without one are skipped. A value that renders empty skips the send.',
      ),
    columns: z
      .record(logicalName, z.string())
      .optional()
      .describe('Text columns to write, by logical name, e.g. new_loyaltytier: "{{ tier.name }}". A value that renders empty is not written.'),
    numbers: z
      .record(logicalName, z.string().regex(WHOLE_NUMBER_OR_EMPTY, 'must render as a whole number (e.g. "{{ balance.available }}"), or empty to leave the column as it is'))
      .optional()
      .describe('Whole number columns to write, by logical name, e.g. new_loyaltypoints: "{{ balance.available }}". Sent as JSON numbers; a value that renders empty is not written.'),
    create: z
      .boolean()
      .default(false)
      .describe(
        'false (the default): only update a contact that exists (If-Match: *); no such contact is a failure naming the key. ' +
          'true: create the contact with the key\'s values when there is none (an upsert; needs key).',
      ),
  })
  .refine((o) => Object.keys(o.columns ?? {}).length + Object.keys(o.numbers ?? {}).length > 0, { message: 'give at least one column to write (columns or numbers)', path: ['columns'] })
  .refine((o) => !o.create || o.key !== undefined, { message: 'create: true needs key (the alternate key a new contact is created with)', path: ['create'] })
  .describe(
    'Write loyalty columns on a Dynamics 365 / Dataverse contact (Web API PATCH of contacts, addressed by an alternate key or the contact id), ' +
      'e.g. the custom columns new_loyaltypoints and new_loyaltytier.',
  );

export type DynamicsOptions = z.infer<typeof dynamicsOptions>;
