/**
 * From a mapping action's rendered `event` option to the body of Intercom's `POST /events`.
 *
 * `created_at` is the loyalty event's own time in whole seconds, never the time of the send:
 * Intercom identifies an event by workspace, user, name and `created_at`, and ignores a second
 * copy (answering 202 all the same), so every attempt of one delivery is the same event there
 * (docs/connectors/intercom.md, "Retries and duplicates").
 */
import type { DataEvent } from './api.js';
import type { IntercomOptions } from './options.js';

/** A plain number as people write it: no leading zero (an order number "00123" stays text). */
const PLAIN_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export type Who = { userId: string } | { email: string };

export function dataEvent(event: NonNullable<IntercomOptions['event']>, who: Who): DataEvent {
  const metadata = metadataOf(event.metadata);
  return {
    event_name: event.name.trim(),
    created_at: Math.floor(Date.parse(event.occurredAt.trim()) / 1000),
    ...('userId' in who ? { user_id: who.userId } : { email: who.email }),
    ...(metadata ? { metadata } : {}),
  };
}

/**
 * Metadata as Intercom types it: a rendered number becomes a JSON number (Intercom's Number type,
 * comparable in filters), a `_date` key holding a time becomes Unix seconds (its Date type), an
 * empty value is left out.
 */
export function metadataOf(metadata: Record<string, string | number> | undefined): Record<string, string | number> | undefined {
  if (!metadata) return undefined;
  const out: Record<string, string | number> = {};
  for (const [key, raw] of Object.entries(metadata)) {
    if (typeof raw === 'number') {
      out[key] = raw;
      continue;
    }
    const value = raw.trim();
    if (!value) continue;
    if (PLAIN_NUMBER.test(value)) out[key] = Number(value);
    else if (key.endsWith('_date') && !Number.isNaN(Date.parse(value))) out[key] = Math.floor(Date.parse(value) / 1000);
    else out[key] = value;
  }
  return Object.keys(out).length ? out : undefined;
}
