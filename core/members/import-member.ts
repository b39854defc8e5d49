/**
 * Opening a member moved from another program (docs/operating.md, "Moving members in"): the
 * member — found by the source's alias `<source>:<id>`, else by e-mail, else enrolled — and their
 * opening points, written once. Every line's idempotency key is derived from the source and the
 * member's id there, so a second run of the same import finds every line posted and changes
 * nothing, and an import interrupted anywhere is finished by running it again. A member whose
 * figures changed at the source since the first run is refused (the ledger's key conflict),
 * never posted twice: later changes come through the source's webhooks.
 *
 * An import announces nothing (`w.quiet()`): ten thousand members moving are not ten thousand
 * "you earned" e-mails and welcome messages.
 */
import { eq } from 'drizzle-orm';
import type { Writer } from '../commit/writer.js';
import { earn, LedgerError, spend, type Posted } from '../ledger/index.js';
import { tablesOf } from '../storage/prepared.js';
import { normalizeAlias } from './aliases.js';
import { MemberError } from './errors.js';
import { resolveMember } from './members.js';

export interface ImportedMember {
  /** The member's id at the source; `<source>:<sourceId>` becomes an alias of the member. */
  sourceId: string;
  /**
   * False when `sourceId` is not an id at the source but the member's e-mail (a CSV row without
   * an external id): it still keys the opening lines, but makes no alias.
   */
  sourceAlias?: boolean;
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  /** `YYYY-MM-DD`. */
  birthDate?: string | null;
  consentEmail?: boolean;
  consentSms?: boolean;
  /** Further aliases (`shopify:207119551`), so the member's store orders find them. */
  aliases?: string[];
  /** Opening points, whole numbers of points. */
  points?: OpeningPoints;
  /** A tier id of the program (checked by the reader), set as the member's manual tier. */
  tier?: string | null;
}

export interface OpeningPoints {
  /** Spendable now. */
  available?: number;
  /** When the available points expire (epoch ms), or null / absent for never. */
  availableExpiresAt?: number | null;
  /** Held points and when each batch becomes spendable (epoch ms; a time already past: spendable at once). */
  pending?: { points: number; activatesAt: number }[];
  /** Points already spent at the source: recorded as earned and spent, so lifetime figures match. */
  spent?: number;
}

export class ImportRowError extends Error {
  constructor(
    /** The field at fault, as the source names it where it can (`points.available`). */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportRowError';
  }
}

export interface ImportedOutcome {
  memberId: string;
  enrolled: boolean;
  /** Ledger lines written by this run (0 when every line was already posted). */
  posted: number;
}

const MAX_POINTS = 1_000_000_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function wholePoints(value: number | undefined, field: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_POINTS) throw new ImportRowError(field, `${field} must be a whole number of points from 0 to ${MAX_POINTS}, not ${String(value)}`);
  return value;
}

/** Checks a record before anything is written: the first fault, with its field. */
export function checkImportedMember(record: ImportedMember): void {
  if (typeof record.sourceId !== 'string' || !record.sourceId.trim()) throw new ImportRowError('id', 'the member has no id at the source');
  if (!record.email && !record.aliases?.length) {
    // The source alias alone would make a member nobody can find again by e-mail or store.
    throw new ImportRowError('email', 'the member has no e-mail and no alias');
  }
  if (record.birthDate && !DATE.test(record.birthDate)) throw new ImportRowError('birthDate', `birth date must be YYYY-MM-DD, not ${record.birthDate}`);
  const p = record.points ?? {};
  wholePoints(p.available, 'points.available');
  wholePoints(p.spent, 'points.spent');
  if (p.availableExpiresAt !== undefined && p.availableExpiresAt !== null && !Number.isSafeInteger(p.availableExpiresAt)) {
    throw new ImportRowError('points.availableExpiresAt', 'the expiry of the available points is not a time');
  }
  for (const [i, batch] of (p.pending ?? []).entries()) {
    wholePoints(batch.points, `points.pending[${i}].points`);
    // A time already past makes them spendable at once — and keeps a re-run after that time a no-op.
    if (!Number.isSafeInteger(batch.activatesAt) || batch.activatesAt <= 0) {
      throw new ImportRowError(`points.pending[${i}].activatesAt`, 'pending points need the time they become spendable');
    }
  }
}

/** Opens one member (inside the caller's write). Throws ImportRowError for what the row got wrong. */
export async function importMember(w: Writer, source: string, record: ImportedMember): Promise<ImportedOutcome> {
  checkImportedMember(record);
  w.quiet();
  const key = (line: string) => `import:${source}:${record.sourceId.trim()}:${line}`;
  let resolved;
  try {
    resolved = await resolveMember(
      w,
      {
        aliases: [...(record.sourceAlias === false ? [] : [normalizeAlias(`${source}:${record.sourceId.trim()}`)]), ...(record.aliases ?? []).map(normalizeAlias)],
        email: record.email || null,
        profile: {
          phone: record.phone ?? null,
          firstName: record.firstName ?? null,
          lastName: record.lastName ?? null,
          birthDate: record.birthDate ?? null,
          consentEmail: record.consentEmail,
          consentSms: record.consentSms,
        },
      },
      // The import writes its own `imported` entry below (with the source id), once per change.
      { enroll: true, enrolment: null },
    );
  } catch (error) {
    if (error instanceof MemberError) throw new ImportRowError(error.code === 'invalid_alias' ? 'aliases' : 'email', error.message);
    throw error;
  }
  const memberId = resolved!.memberId;
  const why = { source: 'system' as const, actor: w.actor, reason: `opening balance imported from ${source}` };
  const p = record.points ?? {};
  const lines: Posted[] = [];
  try {
    const spent = p.spent ?? 0;
    if (spent > 0) {
      // Earned then spent at once, so `spent` and `lifetimeEarned` read as they did at the source.
      lines.push(await w.post(earn, { memberId, points: spent, idempotencyKey: key('spent-earned'), why }));
      lines.push(await w.post(spend, { memberId, points: spent, idempotencyKey: key('spent'), why }));
    }
    if (p.available) lines.push(await w.post(earn, { memberId, points: p.available, idempotencyKey: key('available'), expiresAt: p.availableExpiresAt ?? null, why }));
    for (const [i, batch] of (p.pending ?? []).entries()) {
      if (batch.points > 0) lines.push(await w.post(earn, { memberId, points: batch.points, idempotencyKey: key(`pending:${i}`), activatesAt: batch.activatesAt, why }));
    }
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'idempotency_conflict') {
      throw new ImportRowError('points', `the member's points at ${source} differ from those imported before; changes since the first import come through ${source}'s webhooks`);
    }
    throw error;
  }
  // The file's tier becomes the member's manual tier (checked against the program by the reader:
  // core/members/csv-columns.ts); unchanged, it writes nothing, so a re-run stays a no-op.
  let tierSet = false;
  if (record.tier) {
    const { members } = tablesOf(w.tx);
    const [row] = await w.tx.select({ manualTier: members.manualTier }).from(members).where(eq(members.id, memberId));
    if (row?.manualTier !== record.tier) {
      await w.tx.update(members).set({ manualTier: record.tier, updatedAt: w.now }).where(eq(members.id, memberId));
      tierSet = true;
    }
  }
  const posted = lines.filter((l) => !l.duplicate).length;
  // The account history says where the member came from; a re-run that changed nothing adds nothing.
  if (resolved!.enrolled || posted > 0 || tierSet) await w.note(memberId, 'imported', importNote(source, record, resolved!.enrolled));
  return { memberId, enrolled: resolved!.enrolled, posted };
}

/** What the account history keeps of an import (no PII: the source and its id, the tier). */
export function importNote(source: string, record: ImportedMember, enrolled: boolean): Record<string, unknown> {
  return { source, ...(record.sourceAlias === false ? {} : { sourceId: record.sourceId.trim() }), enrolled, ...(record.tier ? { tier: record.tier } : {}) };
}
