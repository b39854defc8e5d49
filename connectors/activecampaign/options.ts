import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: activecampaign, … }` action may give. String options are
 * Liquid templates, rendered before the adapter sees them. A field value or a tag that renders
 * empty is left out, so one action shape serves events that lack a value (`tier` on a points
 * event). Unknown keys are refused so that a typo fails `mappings check`; a number field must
 * render as a number, so `"{{ balance.available }} points"` fails there instead of at
 * ActiveCampaign.
 */
const NUMBER_OR_EMPTY = /^\s*(-?\d+(\.\d+)?)?\s*$/;

const numberField = (what: string) =>
  z
    .string()
    .regex(NUMBER_OR_EMPTY, 'must render as a number (e.g. "{{ balance.available }}"), or empty to leave the field as it is')
    .describe(what);

/** ActiveCampaign refuses commas in tag names; its tags are case-insensitive. */
const tagName = z
  .string()
  .max(255, 'ActiveCampaign tag names are at most 255 characters')
  .refine((t) => !t.includes(','), 'ActiveCampaign tag names cannot contain a comma');

const tagList = (what: string) => z.array(tagName).max(20, 'at most 20 tags per action').describe(what);

export const activeCampaignOptions = z
  .strictObject({
    fields: z
      .strictObject({
        loyalty_points: numberField('The contact\'s spendable points, e.g. "{{ balance.available }}". Custom field "Loyalty points" (%LOYALTY_POINTS%).').optional(),
        loyalty_tier: z
          .string()
          .describe('The contact\'s tier name, e.g. "{{ tier.name }}" (on tier.upgraded / tier.downgraded). Custom field "Loyalty tier" (%LOYALTY_TIER%).')
          .optional(),
        loyalty_points_expiring: numberField(
          'Points about to expire, e.g. "{{ points }}" on points.expiring. Custom field "Loyalty points expiring" (%LOYALTY_POINTS_EXPIRING%).',
        ).optional(),
      })
      .optional()
      .describe(
        'Contact custom fields to write (the hub creates the three fields in ActiveCampaign, available on every list, if they are missing). ' +
          'A value that renders empty is not written: the contact keeps what it had.',
      ),
    addTags: tagList(
      'Tags to put on the contact, e.g. ["Loyalty tier: {{ tier.name }}"] on tier.upgraded or ["Loyalty {{ threshold }} points"] on points.threshold_reached. ' +
        'A tag the account does not have yet is created; a tag the contact has already is left as it is. Automations can start on "Tag is added".',
    ).optional(),
    removeTags: tagList(
      'Tags to take off the contact, e.g. ["Loyalty tier: {{ previousTier.name }}"] on tier.upgraded. A tag the contact does not have is nothing to do.',
    ).optional(),
    email: z
      .string()
      .optional()
      .describe(
        'The e-mail address of the contact to write, e.g. "{{ member.email }}" (the default). ActiveCampaign finds contacts by e-mail and creates one that does not exist yet; ' +
          'an address that renders empty sends nothing (recorded as skipped).',
      ),
    requireEmailConsent: z
      .boolean()
      .optional()
      .describe(
        'true (the default): a member who has not consented to e-mail marketing is skipped when the contact is their own address, so the hub never creates or tags their contact ' +
          '(a tag can start an automation that e-mails them). false: write them too — only if your ActiveCampaign automations never e-mail on these fields and tags.',
      ),
  })
  .refine((o) => Object.keys(o.fields ?? {}).length > 0 || (o.addTags?.length ?? 0) > 0 || (o.removeTags?.length ?? 0) > 0, {
    message: 'give at least one of fields, addTags, removeTags',
  })
  .describe(
    'Sync a contact in ActiveCampaign (upsert by e-mail) with loyalty custom field values, and add or remove tags, e.g. when a member crosses a points threshold or changes tier.',
  );

export type ActiveCampaignOptions = z.infer<typeof activeCampaignOptions>;

/** The three contact custom fields the adapter may write, with what it creates them as. */
export const LOYALTY_FIELDS = {
  loyalty_points: { perstag: 'LOYALTY_POINTS', title: 'Loyalty points', type: 'number', descript: 'Spendable loyalty points (Loyalty Hub).' },
  loyalty_tier: { perstag: 'LOYALTY_TIER', title: 'Loyalty tier', type: 'text', descript: 'Current loyalty tier (Loyalty Hub).' },
  loyalty_points_expiring: {
    perstag: 'LOYALTY_POINTS_EXPIRING',
    title: 'Loyalty points expiring',
    type: 'number',
    descript: 'Loyalty points about to expire, as of the last expiry reminder (Loyalty Hub).',
  },
} as const;

export type LoyaltyFieldName = keyof typeof LOYALTY_FIELDS;
export type LoyaltyFieldDefinition = (typeof LOYALTY_FIELDS)[LoyaltyFieldName];
