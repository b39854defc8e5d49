/**
 * Klaviyo's reason for a refusal, from its JSON:API error document:
 * `{ errors: [{ id, status, code, title, detail, source: { pointer | parameter } }] }`.
 * It becomes the delivery's error (docs/mappings.md, "Retries and failed messages"), so it is
 * kept short and an e-mail address Klaviyo quotes back is masked (docs/security.md, "Logs").
 */
import { maskText } from '../../core/observability/redact.js';

interface KlaviyoError {
  code?: unknown;
  title?: unknown;
  detail?: unknown;
  source?: { pointer?: unknown; parameter?: unknown } | null;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** `invalid: Invalid email address (/data/attributes/email)`, or undefined for a body that is not one. */
export function klaviyoReason(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const parts = (errors as KlaviyoError[]).slice(0, 3).map((e) => {
    const where = text(e.source?.pointer) ?? text(e.source?.parameter);
    const what = text(e.detail) ?? text(e.title) ?? 'no detail';
    return `${text(e.code) ? `${text(e.code)}: ` : ''}${what}${where ? ` (${where})` : ''}`;
  });
  const more = errors.length > 3 ? ` (+${errors.length - 3} more)` : '';
  const joined = maskText(parts.join('; ') + more);
  return joined.length > 300 ? `${joined.slice(0, 300)}…` : joined;
}

/** What to fix, for the refusals whose cause is the hub's setting rather than the member's data. */
export function refusalHint(status: number, body: unknown): string {
  if (status === 401) return ' (Klaviyo refused KLAVIYO_API_KEY: use a private API key, pk_…)';
  if (status === 403) return ' (the private API key lacks a scope: events:write for events, profiles:write for profiles)';
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (status === 409 && Array.isArray(errors) && errors.some((e) => (e as KlaviyoError | null)?.code === 'duplicate_profile')) {
    // The hub sends only the e-mail and the external id: they name two different profiles.
    return ' (the e-mail and the external_id belong to different Klaviyo profiles: see externalId in docs/connectors/klaviyo.md)';
  }
  return '';
}
