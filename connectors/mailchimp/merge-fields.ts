/**
 * The audience fields the hub writes, created in the audience once per process before the first
 * write that uses them — as the HubSpot adapter does with its contact properties
 * (connectors/hubspot/adapter.ts). Mailchimp refuses a member write naming a merge tag the
 * audience does not have, so creating them spares the merchant a step.
 *
 * A 400 is taken as done: it is what Mailchimp answers when the tag is already in the audience
 * (created by an earlier process, or by hand). A refusal of the key (401/403) is remembered too
 * and the write goes ahead — the fields may exist already — and if the write then fails, its error
 * says why. Only "not now" (429, 5xx, no answer) leaves the field to be created on a later send.
 */
import { classifyHttp } from '../../core/outbound/adapter.js';
import { mailchimpReason, type MailchimpApi, type MergeFieldDefinition } from './api.js';

export const LOYALTY_MERGE_FIELDS: readonly MergeFieldDefinition[] = [
  { tag: 'POINTS', name: 'Loyalty points', type: 'number', public: false, required: false },
  { tag: 'TIER', name: 'Loyalty tier', type: 'text', public: false, required: false },
];

export type EnsureOutcome = { ok: true; note?: string } | { ok: false; answer: { status: number; headers: Headers; body: unknown } };

export interface MergeFieldCreator {
  /** Creates the loyalty fields among `tags` not yet created by this process. */
  ensure(tags: readonly string[], signal: AbortSignal, now: number): Promise<EnsureOutcome>;
}

export function mergeFieldCreator(api: MailchimpApi): MergeFieldCreator {
  const done = new Set<string>();
  const notes = new Map<string, string>();
  return {
    async ensure(tags, signal, now) {
      for (const field of LOYALTY_MERGE_FIELDS) {
        if (!tags.includes(field.tag) || done.has(field.tag)) continue;
        const answer = await api.addMergeField(field, signal);
        const outcome = classifyHttp(answer.status, answer.headers, now);
        if (outcome.status === 'retry') return { ok: false, answer };
        done.add(field.tag);
        if (answer.status === 401 || answer.status === 403) {
          notes.set(field.tag, `Mailchimp refused to create the merge field ${field.tag} (HTTP ${answer.status}${reasonOf(answer.body)})`);
        }
      }
      const note = tags.map((t) => notes.get(t)).filter(Boolean).join('; ');
      return note ? { ok: true, note } : { ok: true };
    },
  };
}

function reasonOf(body: unknown): string {
  const reason = mailchimpReason(body);
  return reason ? `: ${reason}` : '';
}
