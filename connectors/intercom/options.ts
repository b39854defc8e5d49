import { z } from 'zod';

/**
 * What a mapping's `send: { adapter: intercom, … }` action may give. String options are Liquid
 * templates, rendered before the adapter sees them, and checked again after rendering with a
 * sample event (docs/mappings.md, "Adapters"), so a refusal below is reported by `mappings check`
 * with the file and line. Unknown keys are refused so that a typo fails there too.
 *
 * The rules are Intercom's own for data events (docs/connectors/intercom.md, "What Intercom
 * accepts"): event names are case-insensitive and have `.` and `$` replaced by hyphens, so such
 * names are refused rather than silently renamed; at most 10 metadata keys are tracked (the
 * rest are dropped without an error); metadata must be flat (nested values are not usable in
 * messages); a string value is at most 255 characters.
 */

/** Lower-case letters, digits, `-`, `_` and spaces; no `.` or `$` (Intercom turns them into hyphens). */
const EVENT_NAME = /^[a-z0-9][a-z0-9 _-]*$/;
/** Characters Intercom refuses in a metadata key (NUL is refused too: see `validKey`). */
const FORBIDDEN_KEY_CHARACTERS = /[.$~`!@#%^&*'{}|\\"]/;
const validKey = (key: string) => !FORBIDDEN_KEY_CHARACTERS.test(key) && !key.includes(String.fromCharCode(0));
/** Intercom tracks the first 10 metadata keys of an event and ignores the rest. */
export const MAX_METADATA_KEYS = 10;
export const MAX_METADATA_STRING = 255;

const NUMBER_OR_EMPTY = /^\s*(-?\d+)?\s*$/;

const integerAttribute = (what: string) =>
  z
    .string()
    .regex(NUMBER_OR_EMPTY, 'must render as a whole number (e.g. "{{ balance.available }}"), or empty to leave the attribute as it is')
    .describe(what);

const metadataValue = z.union([z.string().max(MAX_METADATA_STRING, `a metadata text is at most ${MAX_METADATA_STRING} characters in Intercom`), z.number()], {
  error: 'metadata must be flat: each value a text or a number (Intercom cannot use nested metadata in messages)',
});

export const intercomOptions = z
  .strictObject({
    event: z
      .strictObject({
        name: z
          .string()
          .trim()
          .min(1)
          .max(255)
          .regex(
            EVENT_NAME,
            'an Intercom event name is lower case (Intercom ignores case) without "." or "$" (Intercom replaces them with hyphens), e.g. "earned-points"',
          )
          .describe(
            'The event name as your team sees it in Intercom (filters, series and outbound message triggers), a past-tense verb-noun such as "earned-points" or "upgraded-tier". ' +
              'Intercom keeps up to 120 active event names per workspace.',
          ),
        occurredAt: z
          .string()
          .refine((v) => !Number.isNaN(Date.parse(v.trim())), 'must render as a time, e.g. "{{ event.occurredAt }}"')
          .describe(
            'When the loyalty event happened: keep "{{ event.occurredAt }}". Intercom treats two events with the same name, user and second as one, ' +
              'so a retried send of the same loyalty event is recorded once.',
          ),
        metadata: z
          .record(
            z
              .string()
              .min(1)
              .refine(validKey, 'a metadata key may not contain . $ ~ ` ! @ # % ^ & * \' { } | \\ or "'),
            metadataValue,
          )
          .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `at most ${MAX_METADATA_KEYS} metadata keys (Intercom ignores the ones after the 10th)`)
          .optional()
          .describe(
            'Up to 10 flat key: value pairs shown with the event and usable in the message it triggers, e.g. { points: "{{ points }}", balance: "{{ balance.available }}" }. ' +
              'A value that renders as a plain number (no leading zero) is sent as a number; a key ending in _date with a time (e.g. expires_date: "{{ expiresAt }}") is sent as an Intercom date. ' +
              'An empty value is left out.',
          ),
      })
      .optional()
      .describe('Submit a data event to the user, for Intercom outbound messages (in-app, e-mail, push) that trigger on it.'),
    attributes: z
      .strictObject({
        loyalty_points: integerAttribute('The user\'s spendable points, e.g. "{{ balance.available }}". Number attribute "loyalty_points".').optional(),
        loyalty_tier: z.string().max(255).describe('The user\'s tier name, e.g. "{{ tier.name }}" (on tier.upgraded / tier.downgraded). Text attribute "loyalty_tier".').optional(),
        loyalty_points_expiring: integerAttribute('Points about to expire, e.g. "{{ points }}" on points.expiring. Number attribute "loyalty_points_expiring".').optional(),
      })
      .refine((a) => Object.keys(a).length > 0, 'give at least one of loyalty_points, loyalty_tier, loyalty_points_expiring')
      .optional()
      .describe(
        'Custom attributes to write on the Intercom user (the hub creates the three attributes in Intercom if they are missing). A value that renders empty is not written. ' +
          'With event, they are written first, so the message the event triggers shows the new values.',
      ),
    userId: z
      .string()
      .optional()
      .describe(
        'Find the Intercom user by your user ID (Intercom\'s external_id / user_id), e.g. "{{ member.id }}" if your app identifies users to Intercom by their loyalty member id. ' +
          'Leave it out to find the user by e-mail.',
      ),
    email: z
      .string()
      .optional()
      .describe('Find the Intercom user by this e-mail address instead of the member\'s own, e.g. "{{ member.email }}". Leave userId and email out to use the member\'s e-mail.'),
  })
  .refine((o) => o.event !== undefined || o.attributes !== undefined, 'give event, attributes, or both')
  .describe(
    'Submit a data event to an Intercom user and/or write loyalty custom attributes on them. The user must already exist in Intercom (users, not leads): ' +
      'one who does not is skipped, never created.',
  );

export type IntercomOptions = z.infer<typeof intercomOptions>;

/** The three custom attributes the adapter may write, in the order Intercom lists them. */
export const LOYALTY_ATTRIBUTES = ['loyalty_points', 'loyalty_tier', 'loyalty_points_expiring'] as const;
