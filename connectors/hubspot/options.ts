import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: hubspot, … }` action may give. String options are Liquid
 * templates, rendered before the adapter sees them. A property value that renders empty is not
 * written (the contact keeps what it had): `tier` is empty on a points event and `balance` on a
 * tier event, so one action shape serves both. Unknown keys are refused so that a typo fails
 * `mappings check`; number properties must render as a number, so `"{{ balance.available }}
 * points"` fails there too instead of at HubSpot.
 */
const NUMBER_OR_EMPTY = /^\s*(-?\d+(\.\d+)?)?\s*$/;

const numberProperty = (what: string) =>
  z
    .string()
    .regex(NUMBER_OR_EMPTY, 'must render as a number (e.g. "{{ balance.available }}"), or empty to leave the property as it is')
    .describe(what);

export const hubspotOptions = z
  .strictObject({
    properties: z
      .strictObject({
        loyalty_points: numberProperty('The contact\'s spendable points, e.g. "{{ balance.available }}". Number property "Loyalty points".').optional(),
        loyalty_tier: z.string().describe('The contact\'s tier name, e.g. "{{ tier.name }}" (on tier.upgraded / tier.downgraded). Text property "Loyalty tier".').optional(),
        loyalty_points_expiring: numberProperty(
          'Points about to expire, e.g. "{{ points }}" on points.expiring. Number property "Loyalty points expiring".',
        ).optional(),
      })
      .refine((p) => Object.keys(p).length > 0, 'give at least one of loyalty_points, loyalty_tier, loyalty_points_expiring')
      .describe(
        'The contact properties to write, in the "Loyalty" property group (the hub creates the group and the three properties in HubSpot if they are missing). ' +
          'A value that renders empty is not written.',
      ),
    email: z
      .string()
      .optional()
      .describe(
        'Update the HubSpot contact with this e-mail address instead of the member\'s own HubSpot contact, e.g. "{{ member.email }}". ' +
          'No contact with that address: nothing is written (recorded as skipped).',
      ),
    contactId: z
      .string()
      .regex(/^\s*(\d+)?\s*$/, 'a HubSpot contact record ID is a number')
      .optional()
      .describe('Update the HubSpot contact with this record ID. Leave both contactId and email out to update the member\'s own contact.'),
  })
  .describe(
    'Write loyalty properties on a HubSpot contact (CRM contacts batch update). By default the member\'s own contact: the one the member came from ' +
      '(their hubspot:<contact id> alias), else the contact with the member\'s e-mail address.',
  );

export type HubSpotOptions = z.infer<typeof hubspotOptions>;

/** The three contact properties the adapter may write, in the order HubSpot shows them. */
export const LOYALTY_PROPERTIES = ['loyalty_points', 'loyalty_tier', 'loyalty_points_expiring'] as const;
