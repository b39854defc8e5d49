/**
 * What `loyalty-hub export` writes (docs/operating.md, "Moving members out"), read a page at a
 * time with a cursor (members by id, ledger lines by seq) from the read connection, so a
 * program of any size is exported in the memory of one page. An erased member is exported
 * without personal data: id, status, balances and tier only (SPEC §7).
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { effectiveTier } from '../program/member-standing.js';
import type { Program } from '../program/compiled-program.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';

export const EXPORT_PAGE_SIZE = 1000;

/** Columns of the members export; the profile ones are also what `loyalty-hub import` reads back. */
export const MEMBER_COLUMNS = [
  'external_id',
  'email',
  'phone',
  'first_name',
  'last_name',
  'birth_date',
  'aliases',
  'consent_email',
  'consent_sms',
  'status',
  'tier',
  'available',
  'pending',
  'locked',
  'spent',
  'expired',
  'lifetime_earned',
  'enrolled_at',
] as const;

export type MemberExportRow = Record<(typeof MEMBER_COLUMNS)[number], string | number | boolean | null>;

export const LEDGER_COLUMNS = [
  'seq',
  'id',
  'time',
  'kind',
  'amount',
  'member_id',
  'debit_account',
  'credit_account',
  'source',
  'rule_id',
  'event_id',
  'redemption_id',
  'reverses_id',
  'actor',
  'reason',
] as const;

export type LedgerExportRow = Record<(typeof LEDGER_COLUMNS)[number], string | number | null>;

const iso = (ms: number) => new Date(ms).toISOString();

export async function* memberPages(db: Db, program: Program, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<MemberExportRow[]> {
  const { members: m, balances: b, memberStanding: s, memberAliases: a } = tablesOf(db);
  let after = '';
  for (;;) {
    const rows = await db
      .select({ member: m, balance: b, standingTier: s.tier })
      .from(m)
      .innerJoin(b, eq(b.memberId, m.id))
      .leftJoin(s, eq(s.memberId, m.id))
      .where(gt(m.id, after))
      .orderBy(asc(m.id))
      .limit(pageSize);
    if (!rows.length) return;
    const aliases = new Map<string, string[]>();
    for (const r of await db.select({ alias: a.alias, memberId: a.memberId }).from(a).where(inArray(a.memberId, rows.map((r) => r.member.id)))) {
      aliases.set(r.memberId, [...(aliases.get(r.memberId) ?? []), r.alias]);
    }
    yield rows.map(({ member, balance, standingTier }) => {
      const erased = member.status === 'erased';
      return {
        external_id: member.id,
        email: erased ? null : member.email,
        phone: erased ? null : member.phone,
        first_name: erased ? null : member.firstName,
        last_name: erased ? null : member.lastName,
        birth_date: erased ? null : member.birthDate,
        aliases: erased ? null : (aliases.get(member.id) ?? []).sort().join(';'),
        consent_email: erased ? null : member.consentEmail,
        consent_sms: erased ? null : member.consentSms,
        status: member.status,
        tier: effectiveTier(program, standingTier ?? null, member.manualTier)?.id ?? null,
        available: Number(balance.available),
        pending: Number(balance.pending),
        locked: Number(balance.locked),
        spent: Number(balance.spent),
        expired: Number(balance.expired),
        lifetime_earned: Number(balance.lifetimeEarned),
        enrolled_at: iso(member.createdAt),
      };
    });
    after = rows[rows.length - 1]!.member.id;
    if (rows.length < pageSize) return;
  }
}

export async function* ledgerPages(db: Db, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<LedgerExportRow[]> {
  const { transfers: t } = tablesOf(db);
  let after = 0;
  for (;;) {
    const rows = await db.select().from(t).where(and(gt(t.seq, after))).orderBy(asc(t.seq)).limit(pageSize);
    if (!rows.length) return;
    yield rows.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      time: iso(r.createdAt),
      kind: r.kind,
      amount: Number(r.amount),
      member_id: r.memberId,
      debit_account: r.debitAccount,
      credit_account: r.creditAccount,
      source: r.source,
      rule_id: r.ruleId,
      event_id: r.eventId,
      redemption_id: r.redemptionId,
      reverses_id: r.reversesId,
      actor: r.actor,
      reason: r.reason,
    }));
    after = Number(rows[rows.length - 1]!.seq);
    if (rows.length < pageSize) return;
  }
}
