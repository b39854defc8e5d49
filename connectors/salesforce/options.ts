import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: salesforce, … }` action may give. String options are Liquid
 * templates, rendered before the adapter sees them (a field value `"{{ points }}"` arrives as
 * `"250"`; Salesforce reads a numeric text into a Number field). Unknown keys are refused so that
 * a typo fails `mappings check`.
 */
const ApiName = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'a Salesforce API name such as Loyalty_Points__c (letters, digits and underscores)');

const FieldValues = z.record(ApiName, z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const salesforceOptions = z
  .strictObject({
    object: ApiName.optional().describe(
      'The object of the record to update: Contact or Lead (any object API name works). Leave it out to tell by the record id: 003… is a Contact, 00Q… a Lead, 001… an Account.',
    ),
    recordId: z
      .string()
      .trim()
      .optional()
      .describe(
        "The record to update, 15 or 18 characters. Leave it out to update every Salesforce record the member is known by (the member's salesforce:<id> aliases, " +
          'which members enrolled from Salesforce have); members without one are skipped. If it renders empty, nothing is sent (skipped).',
      ),
    pointsField: ApiName.optional().describe(
      "Field that receives the member's available points as they are when the update is sent — always the latest balance, even for a retry hours later or " +
        'two updates sent out of order. E.g. Loyalty_Points__c (a Number field).',
    ),
    fields: FieldValues.optional().describe(
      'Further fields to set, API name → value, e.g. { Loyalty_Tier__c: "{{ tier.name }}" }. A value that renders empty is left out (the field keeps ' +
        'its value); write null to clear a field.',
    ),
    transaction: z
      .strictObject({
        object: ApiName.optional().describe('The custom object to write one record per ledger change into. Default Loyalty_Transaction__c.'),
        externalIdField: ApiName.optional().describe(
          'Its External ID (unique) text field holding the hub\'s delivery key, so a retry updates the record it created instead of adding a second. Default Loyalty_Hub_Id__c.',
        ),
        parentField: ApiName.optional().describe(
          'Its lookup field to the Contact or Lead. Default Contact__c for a Contact, Lead__c for a Lead, Account__c for an Account.',
        ),
        fields: FieldValues.describe('Its fields, API name → value, e.g. { Points__c: "{{ points }}", Kind__c: "{{ kind }}", Reason__c: "{{ reason }}" }.'),
      })
      .optional()
      .describe('Also record the change itself in Salesforce: one record of a custom object (Loyalty_Transaction__c) per delivery and Contact or Lead, created once.'),
  })
  .refine((o) => o.pointsField || (o.fields && Object.keys(o.fields).length > 0) || o.transaction, 'give pointsField, fields or transaction: there is nothing to write')
  .describe("Update a member's Contact or Lead in Salesforce (loyalty points, tier, any field), optionally recording each change as a Loyalty_Transaction__c.");

export type SalesforceOptions = z.infer<typeof salesforceOptions>;
