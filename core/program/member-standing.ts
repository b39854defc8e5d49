/**
 * A member's standing: the tier it holds and any refund debt. Tiers follow points *earned* in
 * the program's window (rolling N days, from the per-day counters, or lifetime), not the
 * balance — spending never costs a tier. An upgrade takes effect at once; a downgrade follows
 * `tiers.downgrade` (none, at the end of the period, or N days after the member fell below).
 * A tier set by hand (`members.manual_tier`) is a floor.
 */
import type { Writer } from '../commit/writer.js';
import { eq, sql } from 'drizzle-orm';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Row } from '../storage/rows.js';
import type { Db } from '../storage/store.js';
import { DAY_MS, dayKey, endOfPeriod, windowStartDay } from './calendar.js';
import type { CompiledTier, Program } from './compiled-program.js';
import { bumpCounter, counterKeys, counterReader } from './counters.js';
import type { MemberContext } from './match-conditions.js';

export interface Standing {
  /** Whether the member has a standing row yet. */
  exists: boolean;
  tier: string | null;
  tierSince: number | null;
  downgradeAt: number | null;
  reviewAt: number | null;
  debt: number;
}

export async function readStanding(db: Db, memberId: string): Promise<Standing> {
  const [row] = await prepared(db, 'standing_read', (d, { memberStanding: s }) => d.select().from(s).where(eq(s.memberId, sql.placeholder('memberId'))))({ memberId });
  return standingOf(row);
}

function standingOf(row: Row<'memberStanding'> | null | undefined): Standing {
  return row
    ? { exists: true, tier: row.tier, tierSince: row.tierSince, downgradeAt: row.downgradeAt, reviewAt: row.reviewAt, debt: Number(row.debt) }
    : { exists: false, tier: null, tierSince: null, downgradeAt: null, reviewAt: null, debt: 0 };
}

type StandingFields = { tier: string; tierSince: number; downgradeAt: number | null; reviewAt: number | null; debt: number };

/** Writes the standing `current` changed by `change`; nothing when nothing changes (the common case). */
async function writeStanding(tx: Db, memberId: string, now: number, current: Standing, change: Partial<StandingFields>, base: string): Promise<void> {
  const next: StandingFields = {
    tier: change.tier ?? current.tier ?? base,
    tierSince: change.tierSince ?? current.tierSince ?? now,
    downgradeAt: change.downgradeAt !== undefined ? change.downgradeAt : current.downgradeAt,
    reviewAt: change.reviewAt !== undefined ? change.reviewAt : current.reviewAt,
    debt: change.debt ?? current.debt,
  };
  if (current.exists && next.tier === current.tier && next.tierSince === current.tierSince && next.downgradeAt === current.downgradeAt && next.reviewAt === current.reviewAt && next.debt === current.debt) return;
  await prepared(tx, 'standing_upsert', (d, { memberStanding: s }) =>
    d
      .insert(s)
      .values({
        memberId: sql.placeholder('memberId'),
        tier: sql.placeholder('tier'),
        tierSince: sql.placeholder('tierSince'),
        downgradeAt: sql.placeholder('downgradeAt'),
        reviewAt: sql.placeholder('reviewAt'),
        debt: sql.placeholder('debt'),
        updatedAt: sql.placeholder('now'),
      })
      .onConflictDoUpdate({
        target: s.memberId,
        set: { tier: sql`excluded.tier`, tierSince: sql`excluded.tier_since`, downgradeAt: sql`excluded.downgrade_at`, reviewAt: sql`excluded.review_at`, debt: sql`excluded.debt`, updatedAt: sql`excluded.updated_at` },
      }),
  )({ memberId, now, ...next });
}

export async function setDebt(tx: Db, program: Program, memberId: string, now: number, debt: number): Promise<void> {
  await writeStanding(tx, memberId, now, await readStanding(tx, memberId), { debt }, program.tiers[0]?.id ?? 'none');
}

const rank = (program: Program, id: string | null | undefined) => program.tiers.findIndex((t) => t.id === id);

/** The tier the member holds now: its standing, raised to a manually set floor. */
export function effectiveTier(program: Program, standingTier: string | null, manualTier: string | null): CompiledTier | undefined {
  if (!program.tiers.length) return undefined;
  const held = Math.max(rank(program, standingTier), 0);
  const floor = rank(program, manualTier);
  return program.tiers[Math.max(held, floor)];
}

/** What rule conditions see of a member: tier, segments, attributes. */
export async function memberContext(db: Db, program: Program, memberId: string): Promise<MemberContext> {
  // One statement for the member and its standing: this runs on every trigger (docs/architecture.md, "Statements per write").
  const [member] = await prepared(db, 'program_member_context', (d, { members, memberStanding }) =>
    d
      .select({ manualTier: members.manualTier, attributes: members.attributes, status: members.status, tier: memberStanding.tier })
      .from(members)
      .leftJoin(memberStanding, eq(memberStanding.memberId, members.id))
      .where(eq(members.id, sql.placeholder('memberId'))),
  )({ memberId });
  const segs = await prepared(db, 'program_member_segments', (d, { segmentMembers }) =>
    d.select({ id: segmentMembers.segmentId }).from(segmentMembers).where(eq(segmentMembers.memberId, sql.placeholder('memberId'))),
  )({ memberId });
  return {
    id: memberId,
    tier: effectiveTier(program, member?.tier ?? null, member?.manualTier ?? null)?.id ?? null,
    segments: segs.map((s) => s.id),
    attributes: member ? (JSON.parse(member.attributes) as Record<string, unknown>) : {},
    status: member?.status,
  };
}

/** Points that count toward tiers now. */
export async function qualifyingPoints(db: Db, program: Program, memberId: string, now: number): Promise<number> {
  const basis = program.config.tiers?.basis;
  if (!basis) return 0;
  if (basis.window === 'lifetime') {
    const { balances } = tablesOf(db);
    const [row] = await db.select({ v: sql<number>`${balances.lifetimeEarned} + ${balances.pending}` }).from(balances).where(eq(balances.memberId, memberId));
    return Number(row?.v ?? 0);
  }
  const from = counterKeys.day(memberId, windowStartDay(now, program.timeZone, basis.days));
  const to = counterKeys.day(memberId, dayKey(now, program.timeZone));
  return (await counterReader(db).sum(from, to)).points;
}

/**
 * Points that stop counting toward tiers — what a refund takes back, what a rejected fraud hold
 * voids (docs/program.md, "Tiers"): today's window counter loses them, then the tier is reviewed
 * in the same write, so a member does not keep a tier those points reached.
 */
export async function withdrawFromTierWindow(w: Writer, program: Program, memberId: string, points: number): Promise<void> {
  await bumpCounter(w.tx, counterKeys.day(memberId, dayKey(w.now, program.timeZone)), -points, 0);
  await reviewTier(w, program, memberId);
}

export interface MemberStanding {
  manualTier: string | null;
  status: string;
  standing: Standing;
}

/** The member's manual tier, status and standing in one statement (read on every earn). */
export async function readMemberStanding(tx: Db, memberId: string): Promise<MemberStanding | undefined> {
  const [member] = await prepared(tx, 'program_member_tier', (d, { members, memberStanding: s }) =>
    d
      .select({ manualTier: members.manualTier, status: members.status, standing: s })
      .from(members)
      .leftJoin(s, eq(s.memberId, members.id))
      .where(eq(members.id, sql.placeholder('memberId'))),
  )({ memberId });
  return member && { manualTier: member.manualTier, status: member.status, standing: standingOf(member.standing) };
}

/**
 * Re-evaluates the member's tier after earning, a take-back, or as time passes (the scheduler);
 * emits `tier.upgraded` / `tier.downgraded` with `tier` and `previousTier` in the event data.
 * `known` is the member's standing when the caller has just read it in this transaction.
 * `announce: false` updates the standing only: a manual tier cleared announces the whole move
 * itself (./manual-tier.ts).
 */
export async function reviewTier(w: Writer, program: Program, memberId: string, known?: MemberStanding, { announce = true } = {}): Promise<void> {
  const { tx, now } = w;
  const tiers = program.config.tiers;
  if (!tiers || !program.tiers.length) return;
  const member = known ?? (await readMemberStanding(tx, memberId));
  if (!member || member.status === 'erased') return;
  const { standing } = member;
  // This write's lines so far were written under the tier held before this review (core/analytics/tally.ts).
  w.tally.tierBefore(memberId, standing.tier);
  const base = program.tiers[0]!;
  // `member_standing.tier` is the tier the member's points earned (after downgrade grace); the
  // manual tier only raises what the member gets, so removing it leaves what was earned.
  const held = program.tiers[Math.max(rank(program, standing.tier), 0)]!;
  const shown = (t: CompiledTier) => effectiveTier(program, t.id, member.manualTier) ?? base;
  const current = shown(held);
  const earned = await qualifyingPoints(tx, program, memberId, now);
  let qualified = base;
  for (const t of program.tiers) if (earned >= t.threshold) qualified = t;
  const target = shown(qualified);
  const rolling = tiers.basis.window === 'rolling';
  // Above the base tier on a rolling window, points age out with no event: look again tomorrow.
  const reviewAt = rolling && rank(program, qualified.id) > 0 ? now + DAY_MS : null;

  if (rank(program, qualified.id) > rank(program, held.id)) {
    await writeStanding(tx, memberId, now, standing, { tier: qualified.id, tierSince: now, downgradeAt: null, reviewAt }, base.id);
    if (announce && rank(program, target.id) > rank(program, current.id)) await announceTier(w, program, memberId, target, current, earned, { reason: 'qualifying_points' });
    return;
  }
  if (rank(program, qualified.id) === rank(program, held.id)) {
    if (standing.tier === null || standing.downgradeAt !== null || standing.tier !== held.id) {
      await writeStanding(tx, memberId, now, standing, { tier: held.id, downgradeAt: null, reviewAt }, base.id);
    } else {
      await writeStanding(tx, memberId, now, standing, { reviewAt }, base.id);
    }
    return;
  }
  // Below the tier held.
  const mode = tiers.downgrade;
  if (mode.mode === 'none') {
    await writeStanding(tx, memberId, now, standing, { reviewAt: null }, base.id);
    return;
  }
  const downgradeAt = standing.downgradeAt ?? (mode.mode === 'period_end' ? endOfPeriod(now, program.timeZone, mode.period) : now + mode.days * DAY_MS);
  if (downgradeAt > now) {
    await writeStanding(tx, memberId, now, standing, { downgradeAt, reviewAt: downgradeAt }, base.id);
    return;
  }
  await writeStanding(tx, memberId, now, standing, { tier: qualified.id, tierSince: now, downgradeAt: null, reviewAt }, base.id);
  if (announce && rank(program, target.id) < rank(program, current.id)) await announceTier(w, program, memberId, target, current, earned, { reason: 'qualifying_points' });
}

/**
 * A move of the tier the member holds, earned or by hand: the loyalty event (one data shape for
 * both, docs/mappings.md) and the `tier.changed` entry of the account history, whose `why` says
 * what moved it (docs/api.md, "Account history").
 */
export async function announceTier(w: Writer, program: Program, memberId: string, tier: CompiledTier, previous: CompiledTier, earned: number, why: Record<string, unknown>): Promise<void> {
  const present = (t: CompiledTier) => ({ id: t.id, name: t.name, threshold: t.threshold });
  const up = rank(program, tier.id) > rank(program, previous.id);
  await w.emit({ type: up ? 'tier.upgraded' : 'tier.downgraded', memberId, data: { tier: present(tier), previousTier: present(previous), qualifyingPoints: earned } });
  await w.note(memberId, 'tier.changed', { from: previous.id, to: tier.id, ...why, qualifyingPoints: earned });
}
