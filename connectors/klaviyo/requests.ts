/**
 * The two request bodies the adapter sends, as Klaviyo's API documents them for the revision
 * pinned below (JSON:API documents; shapes vendored in tests/fixtures/platform-samples/klaviyo/).
 * Pure functions: what goes over the wire is decided here and asserted field by field in the tests.
 */
import { PLAIN_NUMBER, type KlaviyoEventOptions } from './options.js';

/**
 * Klaviyo versions its API by a `revision` header. Pinned, not "latest": the bodies below are the
 * ones this revision's OpenAPI document describes (vendored with the fixtures), and a revision
 * stays stable for a year and supported for two (docs/connectors/klaviyo.md, "API revision").
 */
export const KLAVIYO_REVISION = '2026-07-15';

export interface ProfileIdentity {
  email: string;
  /** The member's id unless the mapping said otherwise; absent when it said "". */
  externalId?: string;
}

type PropertyValue = string | number | boolean;

/**
 * The properties to send: trimmed text, empty ones left out (a profile keeps what it had), plain
 * numbers as numbers so that Klaviyo segments and flow filters can compare them.
 */
export function propertiesToSend(properties: Record<string, PropertyValue> | undefined): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  for (const [name, raw] of Object.entries(properties ?? {})) {
    if (typeof raw !== 'string') {
      out[name] = raw;
      continue;
    }
    const value = raw.trim();
    if (!value) continue;
    out[name] = PLAIN_NUMBER.test(value) ? Number(value) : value;
  }
  return out;
}

function profileAttributes(who: ProfileIdentity): Record<string, string> {
  return { email: who.email, ...(who.externalId ? { external_id: who.externalId } : {}) };
}

/**
 * `POST /api/events`. `unique_id` is the delivery's idempotency key: Klaviyo records only the
 * first event with a given unique_id for the same profile and metric, so a retry after a lost
 * answer does not trigger a flow twice.
 */
export function eventRequestBody(options: KlaviyoEventOptions, who: ProfileIdentity, uniqueId: string): unknown {
  const time = options.time?.trim();
  const value = typeof options.value === 'number' ? options.value : options.value?.trim() ? Number(options.value) : undefined;
  const currency = options.valueCurrency?.trim().toUpperCase();
  return {
    data: {
      type: 'event',
      attributes: {
        properties: propertiesToSend(options.properties),
        ...(time ? { time } : {}),
        ...(value !== undefined ? { value } : {}),
        ...(value !== undefined && currency ? { value_currency: currency } : {}),
        unique_id: uniqueId,
        metric: { data: { type: 'metric', attributes: { name: options.metric.trim() } } },
        profile: { data: { type: 'profile', attributes: profileAttributes(who) } },
      },
    },
  };
}

/**
 * `POST /api/profile-import`: an upsert by e-mail / external_id, so sending it again writes the
 * same values (naturally idempotent). No `subscriptions`: consent stays the merchant's, in Klaviyo.
 */
export function profileRequestBody(properties: Record<string, PropertyValue>, who: ProfileIdentity): unknown {
  return { data: { type: 'profile', attributes: { ...profileAttributes(who), properties } } };
}
