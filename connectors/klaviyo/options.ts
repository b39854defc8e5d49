import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: klaviyo, … }` action may give: `action: event` records a
 * Klaviyo metric event (what flows trigger on), `action: profile` writes custom properties on the
 * member's Klaviyo profile. One action is one request, so each is its own delivery with its own
 * retries (docs/mappings.md, "Retries and failed messages").
 *
 * String options are Liquid templates, rendered before the adapter sees them. A property value
 * that renders empty is left out (the profile keeps what it had); one that renders as a plain
 * number is sent as a number, so Klaviyo segments can compare it ("greater than 1000"). Unknown
 * keys are refused so that a typo fails `mappings check`.
 */

/** A plain decimal number: `250`, `-40`, `12.5`. Not `007` (kept as text: a code, a ZIP). */
export const PLAIN_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const NUMBER_OR_EMPTY = /^\s*(-?(0|[1-9]\d*)(\.\d+)?)?\s*$/;
/** ISO 8601 with a time and an offset, as `event.occurredAt` and `expiresAt` render; or empty. */
const ISO_TIME_OR_EMPTY = /^\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?\s*$/;

const propertyName = z
  .string()
  .regex(/^[^\s$][^\n]{0,99}$/, 'a property name is 1 to 100 characters, not starting with a space or "$" (Klaviyo reserves $ names)');

const propertyValue = z.union([z.string(), z.number(), z.boolean()]);

const identity = {
  email: z
    .string()
    .optional()
    .describe(
      'The Klaviyo profile to use, by e-mail address. Leave it out for the member\'s own address; a member without one is skipped. ' +
        'If it renders empty, nothing is sent (recorded as skipped).',
    ),
  externalId: z
    .string()
    .optional()
    .describe(
      'Sent as the profile\'s external_id. Leave it out for the member\'s Loyalty Hub id (mem_…), so Klaviyo keeps one profile per member; ' +
        'set it to "" to send none, if your Klaviyo profiles already carry another system\'s external_id.',
    ),
  requireEmailConsent: z
    .boolean()
    .optional()
    .describe(
      'true: only for members who agreed to receive e-mail in Loyalty Hub (member.consentEmail); the others are skipped. ' +
        'Default false: Klaviyo applies its own subscription status to what its flows send.',
    ),
};

export const klaviyoEventOptions = z
  .strictObject({
    action: z.literal('event').describe('event: record a Klaviyo metric event for the member, which Klaviyo flows can trigger on.'),
    metric: z
      .string()
      .trim()
      .min(1, 'give the metric (event) name, e.g. "Loyalty points earned"')
      .max(127, 'Klaviyo metric names are less than 128 characters')
      .describe(
        'The metric name, as flows and reports show it, e.g. "Loyalty points earned". Klaviyo creates the metric on its first event; ' +
          'keep the name stable, since a flow triggers on the name.',
      ),
    properties: z
      .record(propertyName, propertyValue)
      .refine((p) => Object.keys(p).length <= 400, 'Klaviyo takes at most 400 event properties')
      .optional()
      .describe(
        'The event\'s properties, for flow filters and e-mail templates ({{ event.points }} in Klaviyo), e.g. ' +
          '{ points: "{{ points }}", balance: "{{ balance.available }}", reason: "{{ reason }}" }. Empty values are left out; plain numbers are sent as numbers.',
      ),
    time: z
      .string()
      .regex(ISO_TIME_OR_EMPTY, 'must render as an ISO 8601 time with a zone, e.g. "{{ event.occurredAt }}"')
      .optional()
      .describe('When it happened: "{{ event.occurredAt }}". Leave it out, or empty, for the time Klaviyo receives it (later, after a retry).'),
    value: z
      .union([z.number(), z.string().regex(NUMBER_OR_EMPTY, 'must render as a number, or empty')])
      .optional()
      .describe('A money amount Klaviyo adds up as revenue for this event (its "value"). Points are not money: leave it out unless the event is worth an amount.'),
    valueCurrency: z
      .string()
      .regex(/^\s*([A-Za-z]{3})?\s*$/, 'an ISO 4217 code such as USD')
      .optional()
      .describe('The ISO 4217 currency of value, e.g. "USD".'),
    ...identity,
  })
  .describe('Record a metric event on the member\'s Klaviyo profile (POST /api/events).');

export const klaviyoProfileOptions = z
  .strictObject({
    action: z.literal('profile').describe('profile: write custom properties on the member\'s Klaviyo profile (created if Klaviyo has none).'),
    properties: z
      .record(propertyName, propertyValue)
      .refine((p) => Object.keys(p).length > 0, 'give at least one property, e.g. loyalty_points: "{{ balance.available }}"')
      .describe(
        'The profile properties to write, e.g. loyalty_points: "{{ balance.available }}", loyalty_tier: "{{ tier.name }}", ' +
          'loyalty_points_expiring: "{{ points }}", loyalty_next_expiry: "{{ expiresAt }}" (on points.expiring). ' +
          'A value that renders empty is not written, so the profile keeps what it had; plain numbers are written as numbers.',
      ),
    ...identity,
  })
  .describe('Write loyalty properties on the member\'s Klaviyo profile (POST /api/profile-import). Never subscribes anyone to marketing.');

export const klaviyoOptions = z
  .discriminatedUnion('action', [klaviyoEventOptions, klaviyoProfileOptions], {
    error: 'action must be "event" (a Klaviyo metric event) or "profile" (profile properties)',
  })
  .describe(
    'Klaviyo: action event records a metric event flows can trigger on; action profile keeps the member\'s loyalty properties current. ' +
      'The profile is found by e-mail, with the member\'s id as external_id.',
  );

export type KlaviyoEventOptions = z.infer<typeof klaviyoEventOptions>;
export type KlaviyoProfileOptions = z.infer<typeof klaviyoProfileOptions>;
export type KlaviyoOptions = z.infer<typeof klaviyoOptions>;
