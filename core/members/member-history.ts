/**
 * A member's account history (docs/api.md, "Account history"): what changed about the account
 * rather than its points — enrolled, imported, profile updated, tier changed, status changed,
 * points held for review and the review's outcome, erasure requested. Written by `w.note()` in
 * the write that made the change (core/commit/writer.ts); read newest first, paged by `seq`.
 *
 * Entries name what changed, never a person's data: a profile change lists the fields, not their
 * values (consent, a yes or no, is the exception: "when did she opt out?" is a support question).
 */
import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import type { Writer } from '../commit/writer.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import type { Member } from './members.js';

const PROFILE_FIELDS = ['email', 'phone', 'firstName', 'lastName', 'birthDate', 'locale'] as const;

/** What a profile update changed, by field name; undefined when it changed nothing. */
export function profileChange(before: Member, after: Member): Record<string, unknown> | undefined {
  const fields: string[] = PROFILE_FIELDS.filter((f) => before[f] !== after[f]);
  const consent: Record<string, boolean> = {};
  if (before.consentEmail !== after.consentEmail) consent.email = after.consentEmail;
  if (before.consentSms !== after.consentSms) consent.sms = after.consentSms;
  fields.push(...Object.keys(consent).map((k) => `consent.${k}`));
  const keys = new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)]);
  for (const k of [...keys].sort()) if (JSON.stringify(before.attributes[k]) !== JSON.stringify(after.attributes[k])) fields.push(`attributes.${k}`);
  // A changed e-mail moves its `email:` alias too; that is the e-mail change, not an alias added.
  const isEmailAlias = (a: string) => a.startsWith('email:');
  const added = after.aliases.filter((a) => !isEmailAlias(a) && !before.aliases.includes(a)).length;
  if (added) fields.push('aliases');
  if (!fields.length) return undefined;
  return { fields, ...(Object.keys(consent).length ? { consent } : {}), ...(added ? { aliasesAdded: added } : {}) };
}

/** Records a profile update in the account history, when it changed anything. */
export async function noteProfileChange(w: Writer, before: Member, after: Member): Promise<void> {
  const change = profileChange(before, after);
  if (change) await w.note(after.id, 'profile.updated', change);
}

export interface HistoryEntry {
  seq: number;
  at: number;
  kind: string;
  actor: string;
  detail: Record<string, unknown>;
}

/**
 * One page of a member's account history, newest first; `before` is the `seq` to continue below;
 * `kinds` keeps only those (`tier.changed` alone is the member's tier history).
 */
export async function listMemberHistory(db: Db, memberId: string, page: { before?: number; limit: number; kinds?: readonly string[] }): Promise<HistoryEntry[]> {
  const { memberHistory: h } = tablesOf(db);
  const rows = await db
    .select()
    .from(h)
    .where(and(eq(h.memberId, memberId), page.before !== undefined ? lt(h.seq, page.before) : undefined, page.kinds?.length ? inArray(h.kind, [...page.kinds]) : undefined))
    .orderBy(desc(h.seq))
    .limit(page.limit);
  return rows.map((r) => ({ seq: r.seq, at: r.at, kind: r.kind, actor: r.actor, detail: JSON.parse(r.detail) as Record<string, unknown> }));
}
