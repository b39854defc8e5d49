/**
 * Members and their platform aliases. Every member has a balance row from the moment it is
 * enrolled (created in the same transaction), so the ledger never has to create one lazily.
 * Erasure (GDPR) lives in ./erase.ts.
 */
import type { MemberHistoryKind, Writer } from '../commit/writer.js';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { newId } from '../ids.js';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Row } from '../storage/rows.js';
import type { Db } from '../storage/store.js';
import { emailAlias, normalizeAlias, normalizeEmail } from './aliases.js';
import { MemberError } from './errors.js';

type MemberRow = Row<'members'>;

export interface MemberProfile {
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  birthDate?: string | null;
  locale?: string | null;
  consentEmail?: boolean;
  consentSms?: boolean;
  attributes?: Record<string, unknown>;
}

export interface Member {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  locale: string | null;
  consentEmail: boolean;
  consentSms: boolean;
  /** The tier set by hand (`manual_tier`), a floor; null when none is. */
  tier: string | null;
  /** The tier the member's points earned (`member_standing.tier`); null before the first review. */
  earnedTier: string | null;
  attributes: Record<string, unknown>;
  aliases: string[];
  /** `suspended`: earns pending only, cannot redeem (./member-status.ts). */
  status: 'active' | 'suspended' | 'erased';
  createdAt: number;
  updatedAt: number;
}

function toMember(row: MemberRow, aliases: string[], earnedTier: string | null): Member {
  return {
    id: row.id,
    email: row.email,
    phone: row.phone,
    firstName: row.firstName,
    lastName: row.lastName,
    birthDate: row.birthDate,
    locale: row.locale,
    consentEmail: row.consentEmail,
    consentSms: row.consentSms,
    tier: row.manualTier,
    earnedTier,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    aliases: aliases.sort(),
    status: row.status as Member['status'],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function aliasesOf(db: Db, memberId: string): Promise<string[]> {
  const rows = await prepared(db, 'members_aliases_of', (d, { memberAliases }) =>
    d.select({ alias: memberAliases.alias }).from(memberAliases).where(eq(memberAliases.memberId, sql.placeholder('memberId'))),
  )({ memberId });
  return rows.map((r) => r.alias);
}

export async function getMember(db: Db, id: string): Promise<Member | undefined> {
  // With its earned tier in the same statement: GET /v1/members/{id} shows the tier held (docs/api.md, "Members").
  const [row] = await prepared(db, 'members_by_id', (d, { members, memberStanding }) =>
    d
      .select({ member: members, earnedTier: memberStanding.tier })
      .from(members)
      .leftJoin(memberStanding, eq(memberStanding.memberId, members.id))
      .where(eq(members.id, sql.placeholder('id'))),
  )({ id });
  return row ? toMember(row.member, await aliasesOf(db, id), row.earnedTier) : undefined;
}

export async function requireMember(db: Db, id: string): Promise<Member> {
  const member = await getMember(db, id);
  if (!member) throw new MemberError('member_not_found', `no member ${id}`, { memberId: id });
  return member;
}

export async function findMemberByAlias(db: Db, alias: string): Promise<Member | undefined> {
  const [row] = await prepared(db, 'members_by_alias', (d, { memberAliases }) =>
    d.select().from(memberAliases).where(eq(memberAliases.alias, sql.placeholder('alias'))),
  )({ alias: normalizeAlias(alias) });
  return row ? getMember(db, row.memberId) : undefined;
}

export async function findMemberByEmail(db: Db, email: string): Promise<Member | undefined> {
  const [row] = await prepared(db, 'members_by_email', (d, { members }) =>
    d.select({ id: members.id }).from(members).where(eq(members.email, sql.placeholder('email'))),
  )({ email: normalizeEmail(email) });
  return row ? getMember(db, row.id) : undefined;
}

async function claimAliases(tx: Db, now: number, memberId: string, aliases: string[]): Promise<void> {
  const { memberAliases } = tablesOf(tx);
  if (aliases.length === 0) return;
  const taken = await tx.select().from(memberAliases).where(inArray(memberAliases.alias, aliases));
  const other = taken.find((t) => t.memberId !== memberId);
  if (other) {
    throw new MemberError('alias_taken', `alias ${other.alias} already belongs to member ${other.memberId}`, {
      alias: other.alias,
      memberId: other.memberId,
    });
  }
  // No `on conflict do nothing`: an alias claimed by a concurrent transaction must fail this one
  // (the ledger's write retries it and then finds the member), not leave two members.
  const fresh = [...new Set(aliases)].filter((a) => !taken.some((t) => t.alias === a));
  if (fresh.length) await tx.insert(memberAliases).values(fresh.map((alias) => ({ alias, memberId, createdAt: now })));
}

/**
 * How a member came in, for its account history: `enrolled` (API or a platform's event) or
 * `imported` (moved from another program). The detail names the path, never the person.
 */
export interface Enrolment {
  kind: Extract<MemberHistoryKind, 'enrolled' | 'imported'>;
  detail: Record<string, unknown>;
}

export async function enrollMember(
  w: Writer,
  input: MemberProfile & { aliases?: string[]; id?: string },
  /** `null`: the caller writes its own entry (an import records its source and id: core/members/import-member.ts). */
  enrolment: Enrolment | null = { kind: 'enrolled', detail: { via: 'api' } },
): Promise<Member> {
  const { tx, now } = w;
  const { balances, members } = tablesOf(tx);
  const email = input.email ? normalizeEmail(input.email) : null;
  if (email) {
    const [existing] = await tx.select({ id: members.id }).from(members).where(eq(members.email, email));
    if (existing) throw new MemberError('member_exists', `a member with e-mail ${email} exists`, { memberId: existing.id });
  }
  const aliases = [...new Set([...(input.aliases ?? []).map(normalizeAlias), ...(email ? [emailAlias(email)] : [])])];
  const id = input.id ?? newId('mem', now);
  await tx.insert(members).values({
    id,
    email,
    phone: input.phone ?? null,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    birthDate: input.birthDate ?? null,
    locale: input.locale ?? null,
    consentEmail: input.consentEmail ?? false,
    consentSms: input.consentSms ?? false,
    attributes: JSON.stringify(input.attributes ?? {}),
    createdAt: now,
    updatedAt: now,
  });
  await claimAliases(tx, now, id, aliases);
  await tx.insert(balances).values({ memberId: id, updatedAt: now });
  w.tally.enrolled(id, w.origin); // new members per day (core/analytics/tally.ts)
  const member = (await getMember(tx, id))!;
  await w.emit({ type: 'member.enrolled', memberId: id, data: { aliases: member.aliases } });
  if (enrolment) await w.note(id, enrolment.kind, enrolment.detail);
  return member;
}

export async function updateMember(
  tx: Db,
  now: number,
  id: string,
  patch: MemberProfile & { addAliases?: string[] },
): Promise<Member> {
  const { memberAliases, members } = tablesOf(tx);
  const member = await requireMember(tx, id);
  if (member.status === 'erased') throw new MemberError('member_erased', `member ${id} was erased`, { memberId: id });
  const set: Partial<typeof members.$inferInsert> = { updatedAt: now };
  if (patch.email !== undefined) {
    const email = patch.email ? normalizeEmail(patch.email) : null;
    if (email && email !== member.email) {
      const [other] = await tx.select({ id: members.id }).from(members).where(eq(members.email, email));
      if (other) throw new MemberError('member_exists', `a member with e-mail ${email} exists`, { memberId: other.id });
    }
    if (member.email && member.email !== email) {
      await tx.delete(memberAliases).where(and(eq(memberAliases.alias, emailAlias(member.email)), eq(memberAliases.memberId, id)));
    }
    if (email) await claimAliases(tx, now, id, [emailAlias(email)]);
    set.email = email;
  }
  for (const key of ['phone', 'firstName', 'lastName', 'birthDate', 'locale'] as const) {
    if (patch[key] !== undefined) set[key] = patch[key];
  }
  if (patch.consentEmail !== undefined) set.consentEmail = patch.consentEmail;
  if (patch.consentSms !== undefined) set.consentSms = patch.consentSms;
  if (patch.attributes !== undefined) set.attributes = JSON.stringify({ ...member.attributes, ...patch.attributes });
  if (patch.addAliases?.length) await claimAliases(tx, now, id, patch.addAliases.map(normalizeAlias));
  await tx.update(members).set(set).where(eq(members.id, id));
  return (await getMember(tx, id))!;
}

/**
 * Identity resolution for incoming events: the member named by id, else by any of the aliases,
 * else by e-mail; if none matches and `enroll` is set, a new member carrying all of them.
 * Aliases not yet linked are attached to the member found, so the next event matches directly.
 */
export async function resolveMember(
  w: Writer,
  who: { memberId?: string; aliases?: string[]; email?: string | null; profile?: MemberProfile },
  options: { enroll: boolean; enrolment?: Enrolment | null },
): Promise<{ memberId: string; enrolled: boolean } | undefined> {
  const { tx, now } = w;
  if (who.memberId) {
    const [row] = await prepared(tx, 'members_status', (d, { members }) =>
      d.select({ status: members.status }).from(members).where(eq(members.id, sql.placeholder('id'))),
    )({ id: who.memberId });
    if (!row) throw new MemberError('member_not_found', `no member ${who.memberId}`, { memberId: who.memberId });
    if (row.status === 'erased') throw erased(who.memberId);
    return { memberId: who.memberId, enrolled: false };
  }
  const aliases = (who.aliases ?? []).map(normalizeAlias);
  // Every webhook delivery resolves its customer here, so the common case (the member already
  // holds the event's one alias) costs one statement: the member's id and status by alias.
  let found: { id: string; status: string; matchedAlias?: string } | undefined;
  for (const alias of aliases) {
    const [row] = await prepared(tx, 'members_status_by_alias', (d, { memberAliases, members }) =>
      d
        .select({ id: members.id, status: members.status })
        .from(memberAliases)
        .innerJoin(members, eq(members.id, memberAliases.memberId))
        .where(eq(memberAliases.alias, sql.placeholder('alias'))),
    )({ alias });
    if (row) {
      found = { ...row, matchedAlias: alias };
      break;
    }
  }
  if (!found && who.email) {
    const [row] = await prepared(tx, 'members_status_by_email', (d, { members }) =>
      d.select({ id: members.id, status: members.status }).from(members).where(eq(members.email, sql.placeholder('email'))),
    )({ email: normalizeEmail(who.email) });
    found = row;
  }
  if (found) {
    if (found.status === 'erased') throw erased(found.id);
    const unmatched = aliases.filter((a) => a !== found.matchedAlias);
    if (unmatched.length) {
      const held = await aliasesOf(tx, found.id);
      const missing = unmatched.filter((a) => !held.includes(a));
      if (missing.length) await claimAliases(tx, now, found.id, missing);
    }
    return { memberId: found.id, enrolled: false };
  }
  if (!options.enroll) return undefined;
  const member = await enrollMember(w, { ...who.profile, email: who.email ?? null, aliases }, options.enrolment === undefined ? { kind: 'enrolled', detail: {} } : options.enrolment);
  return { memberId: member.id, enrolled: true };
}

const erased = (memberId: string) => new MemberError('member_erased', `member ${memberId} was erased`, { memberId });
