/**
 * Opening a page of members in set-based statements (docs/operating.md, "Moving members in";
 * docs/architecture.md, "Batched writes"): what `importMember` (./import-member.ts) writes for
 * each row — the same members, aliases, opening lines under the same keys, the same history —
 * in a handful of multi-row statements for the page instead of some fifteen per member, so a
 * million-row file goes in within a minute (docs/BENCHMARKS.md (k)).
 *
 * - Members nobody in the hub holds yet (none of their aliases, not their e-mail) are inserted
 *   together with their aliases, empty balances and an `imported` history line.
 * - Members whose every alias the hub already gives to one active member (a second run of the
 *   same file) only have their opening lines replayed, which writes nothing.
 * - Anything else — matched by e-mail to a member enrolled otherwise, a new alias to link, an
 *   erased member — goes through `importMember` in the same write, as the per-row path would.
 * Opening lines go through `w.postMany(earnMany, …)` (core/ledger/earn-batch.ts); points spent
 * at the source through `w.post(spend, …)` per member that has any, right after their earn.
 *
 * Two rows of one page naming the same member, or a row the ledger refuses, make the page fall
 * back to row by row (`PageNeedsRows`), where the refused row is named.
 *
 * `assumeNew` (the run's previous page was all new members: ./import-run.ts) skips the look-ups:
 * every member is taken as new and the inserts themselves check it — members `on conflict (email)
 * do nothing`, aliases `on conflict (alias) do nothing`, counted. Those two unique keys are
 * exactly what the look-ups read, so a page that inserts every row is a page the look-ups would
 * have found all new; one that does not throws `PageNotNew`, its write rolls back, and it is
 * written again with the look-ups. A first run of a big file saves three index probes per row;
 * a second run or a resumed one is looked up as before (docs/BENCHMARKS.md (k)).
 */
import type { Writer } from '../commit/writer.js';
import { newIds } from '../ids.js';
import { earnMany, LedgerError, spend, type EarnInput, type Posted } from '../ledger/index.js';
import { anyOf } from '../storage/dialect.js';
import { insertRows, insertRowsCounted } from '../storage/insert-rows.js';
import { tablesOf } from '../storage/prepared.js';
import { emailAlias, normalizeAlias, normalizeEmail } from './aliases.js';
import { MemberError } from './errors.js';
import { checkImportedMember, ImportRowError, importMember, importNote, type ImportedMember, type ImportedOutcome } from './import-member.js';

/** Written with `assumeNew`, the page named a member the hub already holds: write it again, looked up. */
export class PageNotNew extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PageNotNew';
  }
}

/** The page cannot be written in one go; write it row by row. */
export class PageNeedsRows extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PageNeedsRows';
  }
}

const CHUNK = 5000;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

interface Plan {
  record: ImportedMember;
  aliases: string[];
  email: string | null;
  /** Aliases and the e-mail alias: every name the member is found by. */
  names: string[];
  memberId?: string;
  way?: 'fresh' | 'settled' | 'row';
}

export async function importMembers(w: Writer, source: string, records: ImportedMember[], options: { assumeNew?: boolean } = {}): Promise<ImportedOutcome[]> {
  for (const record of records) checkImportedMember(record);
  w.quiet();
  const { tx, now } = w;

  // Plain loops, not spreads of sets and filters: a few arrays per row instead of a dozen (a
  // million-row file's garbage, docs/BENCHMARKS.md (k)).
  const plans: Plan[] = records.map((record) => {
    const aliases: string[] = [];
    try {
      if (record.sourceAlias !== false) aliases.push(normalizeAlias(`${source}:${record.sourceId.trim()}`));
      for (const a of record.aliases ?? []) {
        const alias = normalizeAlias(a);
        if (!aliases.includes(alias)) aliases.push(alias);
      }
    } catch (error) {
      if (error instanceof MemberError) throw new ImportRowError('aliases', error.message);
      throw error;
    }
    const email = record.email ? normalizeEmail(record.email) : null;
    if (!email) return { record, aliases, email, names: aliases };
    const byEmail = emailAlias(email);
    const names = aliases.includes(byEmail) ? aliases.filter((a) => a !== byEmail) : aliases.slice();
    names.push(byEmail);
    return { record, aliases, email, names };
  });
  const named = new Set<string>();
  for (const p of plans) {
    for (const n of p.names) {
      if (named.has(n)) throw new PageNeedsRows(`two rows name ${n}`);
      named.add(n);
    }
  }

  if (options.assumeNew) {
    const ids = newIds('mem', now, plans.length);
    for (const [i, p] of plans.entries()) {
      p.way = 'fresh';
      p.memberId = ids[i];
    }
  } else await lookUp(tx, plans, named, now);

  const fresh = plans.filter((p) => p.way === 'fresh');
  if (fresh.length) {
    const members = fresh.map(({ memberId, email, record: r }) => ({
      id: memberId!,
      email,
      phone: r.phone ?? null,
      firstName: r.firstName ?? null,
      lastName: r.lastName ?? null,
      birthDate: r.birthDate ?? null,
      locale: null,
      consentEmail: r.consentEmail ?? false,
      consentSms: r.consentSms ?? false,
      manualTier: r.tier ?? null,
      attributes: '{}',
      status: 'active',
      createdAt: now,
      updatedAt: now,
      erasedAt: null,
    }));
    const aliases = fresh.flatMap((p) => p.names.map((alias) => ({ alias, memberId: p.memberId!, createdAt: now })));
    if (options.assumeNew) {
      if ((await insertRowsCounted(tx, 'members', members, { onConflictDoNothing: 'email' })) < members.length) throw new PageNotNew('an e-mail of the page is taken');
      if ((await insertRowsCounted(tx, 'memberAliases', aliases, { onConflictDoNothing: 'alias' })) < aliases.length) throw new PageNotNew('an alias of the page is taken');
    } else {
      await insertRows(tx, 'members', members);
      await insertRows(tx, 'memberAliases', aliases);
    }
    await insertRows(tx, 'balances', fresh.map((p) => ({ memberId: p.memberId!, updatedAt: now })));
    // New members per day in the analytics, as `enrollMember` counts them (core/analytics/tally.ts).
    for (const p of fresh) w.tally.enrolled(p.memberId!, w.origin);
  }

  // The opening lines, under importMember's keys: points spent at the source first (earned,
  // then spent), then what is available and pending.
  const lined = plans.filter((p) => p.way !== 'row');
  const posted = new Map<Plan, number>();
  const count = (plan: Plan, line: Posted) => {
    if (!line.duplicate) posted.set(plan, (posted.get(plan) ?? 0) + 1);
  };
  const why = { source: 'system' as const, actor: w.actor, reason: `opening balance imported from ${source}` };
  const key = (p: Plan, line: string) => `import:${source}:${p.record.sourceId.trim()}:${line}`;
  try {
    const spenders = lined.filter((p) => (p.record.points?.spent ?? 0) > 0);
    await earnAll(
      w,
      spenders.map((p) => [p, { memberId: p.memberId!, points: p.record.points!.spent!, idempotencyKey: key(p, 'spent-earned'), why }]),
      count,
    );
    for (const p of spenders) count(p, await w.post(spend, { memberId: p.memberId!, points: p.record.points!.spent!, idempotencyKey: key(p, 'spent'), why }));
    const inputs: [Plan, EarnInput][] = [];
    for (const p of lined) {
      const points = p.record.points ?? {};
      if (points.available) inputs.push([p, { memberId: p.memberId!, points: points.available, idempotencyKey: key(p, 'available'), expiresAt: points.availableExpiresAt ?? null, why }]);
      for (const [i, batch] of (points.pending ?? []).entries()) {
        if (batch.points > 0) inputs.push([p, { memberId: p.memberId!, points: batch.points, idempotencyKey: key(p, `pending:${i}`), activatesAt: batch.activatesAt, why }]);
      }
    }
    await earnAll(w, inputs, count);
  } catch (error) {
    // Which row's figures changed since the first run is for the row-by-row path to say.
    if (error instanceof LedgerError && error.code === 'idempotency_conflict') throw new PageNeedsRows(error.message);
    throw error;
  }

  const notes = lined.filter((p) => p.way === 'fresh' || (posted.get(p) ?? 0) > 0);
  await insertRows(
    tx,
    'memberHistory',
    notes.map((p) => ({ memberId: p.memberId!, kind: 'imported', detail: JSON.stringify(importNote(source, p.record, p.way === 'fresh')), actor: w.actor, at: now })),
  );

  const outcomes: ImportedOutcome[] = [];
  for (const p of plans) {
    if (p.way === 'row') outcomes.push(await importMember(w, source, p.record));
    else outcomes.push({ memberId: p.memberId!, enrolled: p.way === 'fresh', posted: posted.get(p) ?? 0 });
  }
  return outcomes;
}

/** Who the hub already holds, by alias and by e-mail: each plan's way, and its member if known. */
async function lookUp(tx: Writer['tx'], plans: Plan[], named: Set<string>, now: number): Promise<void> {
  const t = tablesOf(tx);
  const holder = new Map<string, string>();
  for (const part of chunks([...named])) {
    for (const row of await tx.select({ alias: t.memberAliases.alias, memberId: t.memberAliases.memberId }).from(t.memberAliases).where(anyOf(tx, t.memberAliases.alias, part))) {
      holder.set(row.alias, row.memberId);
    }
  }
  const byEmail = new Map<string, string>();
  for (const part of chunks(plans.flatMap((p) => (p.email ? [p.email] : [])))) {
    for (const row of await tx.select({ id: t.members.id, email: t.members.email }).from(t.members).where(anyOf(tx, t.members.email, part))) byEmail.set(row.email!, row.id);
  }
  const found = new Map<string, { status: string; manualTier: string | null }>();
  for (const part of chunks([...new Set([...holder.values(), ...byEmail.values()])])) {
    for (const row of await tx.select({ id: t.members.id, status: t.members.status, manualTier: t.members.manualTier }).from(t.members).where(anyOf(tx, t.members.id, part))) {
      found.set(row.id, row);
    }
  }
  const fresh: Plan[] = [];
  for (const p of plans) {
    const ids = new Set([...p.names.flatMap((n) => (holder.has(n) ? [holder.get(n)!] : [])), ...(p.email && byEmail.has(p.email) ? [byEmail.get(p.email)!] : [])]);
    if (ids.size === 0) {
      p.way = 'fresh';
      fresh.push(p);
      continue;
    }
    const [id] = ids;
    const member = found.get(id!);
    const settled = ids.size === 1 && member?.status === 'active' && p.aliases.every((a) => holder.get(a) === id) && (!p.record.tier || member.manualTier === p.record.tier);
    p.way = settled ? 'settled' : 'row';
    if (settled) p.memberId = id;
  }
  const ids = newIds('mem', now, fresh.length);
  for (const [i, p] of fresh.entries()) p.memberId = ids[i];
}

async function earnAll(w: Writer, inputs: [Plan, EarnInput][], count: (plan: Plan, line: Posted) => void): Promise<void> {
  if (!inputs.length) return;
  const lines = await w.postMany(
    earnMany,
    inputs.map(([, input]) => input),
  );
  for (let i = 0; i < inputs.length; i++) count(inputs[i]![0], lines[i]!);
}
