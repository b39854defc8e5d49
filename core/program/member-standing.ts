/**
 * A member's standing: the tier it holds and any refund debt. Tiers follow points *earned* in
 * the program's window (rolling N days, from the per-day counters, or lifetime), not the
 * balance — spending never costs a tier. An upgrade takes effect at once; a downgrade follows
 * `tiers.downgrade` (none, at the end of the period, or N days after the member fell below).
 * A tier set by hand (`members.manual_tier`) is a floor.
 */
import { eq, sql } from 'drizzle-orm';
import { emitEvent } from '../outbox/emit.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { DAY_MS, dayKey, endOfPeriod, windowStartDay } from './calendar.js';
import type { CompiledTier, Program } from './compiled-program.js';
import { counterKeys, counterReader } from './counters.js';
import type { MemberContext } from './match-conditions.js';

export interface Standing {
  tier: string | null;
  tierSince: number | null;
  downgradeAt: number | null;
  debt: number;
}

export async function readStanding(db: Db, memberId: string): Promise<Standing> {
  const { memberStanding: s } = tablesOf(db);
  const [row] = await db.select().from(s).where(eq(s.memberId, memberId));
  return row
    ? { tier: row.tier, tierSince: row.tierSince, downgradeAt: row.downgradeAt, debt: Number(row.debt) }
    : { tier: null, tierSince: null, downgradeAt: null, debt: 0 };
}

async function writeStanding(tx: Db, memberId: string, now: number, fields: Partial<{ tier: string; tierSince: number; downgradeAt: number | null; reviewAt: number | null; debt: number }>, base: string): Promise<void> {
  const { memberStanding: s } = tablesOf(tx);
  await tx
    .insert(s)
    .values({ memberId, tier: fields.tier ?? base, tierSince: fields.tierSince ?? now, downgradeAt: fields.downgradeAt ?? null, reviewAt: fields.reviewAt ?? null, debt: fields.debt ?? 0, updatedAt: now })
    .onConflictDoUpdate({ target: s.memberId, set: { ...fields, updatedAt: now } });
}

export async function setDebt(tx: Db, program: Program, memberId: string, now: number, debt: number): Promise<void> {
  await writeStanding(tx, memberId, now, { debt }, program.tiers[0]?.id ?? 'none');
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
  const { members, segmentMembers } = tablesOf(db);
  const [member] = await db.select({ manualTier: members.manualTier, attributes: members.attributes }).from(members).where(eq(members.id, memberId));
  const standing = await readStanding(db, memberId);
  const segs = await db.select({ id: segmentMembers.segmentId }).from(segmentMembers).where(eq(segmentMembers.memberId, memberId));
  return {
    id: memberId,
    tier: effectiveTier(program, standing.tier, member?.manualTier ?? null)?.id ?? null,
    segments: segs.map((s) => s.id),
    attributes: member ? (JSON.parse(member.attributes) as Record<string, unknown>) : {},
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
 * Re-evaluates the member's tier after earning, a take-back, or as time passes (the scheduler);
 * emits `tier.upgraded` / `tier.downgraded` with `tier` and `previousTier` in the event data.
 */
export async function reviewTier(tx: Db, now: number, program: Program, memberId: string): Promise<void> {
  const tiers = program.config.tiers;
  if (!tiers || !program.tiers.length) return;
  const { members } = tablesOf(tx);
  const [member] = await tx.select({ manualTier: members.manualTier, status: members.status }).from(members).where(eq(members.id, memberId));
  if (!member || member.status === 'erased') return;
  const standing = await readStanding(tx, memberId);
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
    await writeStanding(tx, memberId, now, { tier: qualified.id, tierSince: now, downgradeAt: null, reviewAt }, base.id);
    if (rank(program, target.id) > rank(program, current.id)) await announceTier(tx, now, memberId, 'tier.upgraded', target, current, earned);
    return;
  }
  if (rank(program, qualified.id) === rank(program, held.id)) {
    if (standing.tier === null || standing.downgradeAt !== null || standing.tier !== held.id) {
      await writeStanding(tx, memberId, now, { tier: held.id, downgradeAt: null, reviewAt }, base.id);
    } else {
      await writeStanding(tx, memberId, now, { reviewAt }, base.id);
    }
    return;
  }
  // Below the tier held.
  const mode = tiers.downgrade;
  if (mode.mode === 'none') {
    await writeStanding(tx, memberId, now, { reviewAt: null }, base.id);
    return;
  }
  const downgradeAt = standing.downgradeAt ?? (mode.mode === 'period_end' ? endOfPeriod(now, program.timeZone, mode.period) : now + mode.days * DAY_MS);
  if (downgradeAt > now) {
    await writeStanding(tx, memberId, now, { downgradeAt, reviewAt: downgradeAt }, base.id);
    return;
  }
  await writeStanding(tx, memberId, now, { tier: qualified.id, tierSince: now, downgradeAt: null, reviewAt }, base.id);
  if (rank(program, target.id) < rank(program, current.id)) await announceTier(tx, now, memberId, 'tier.downgraded', target, current, earned);
}

async function announceTier(tx: Db, now: number, memberId: string, type: 'tier.upgraded' | 'tier.downgraded', tier: CompiledTier, previous: CompiledTier, earned: number) {
  const present = (t: CompiledTier) => ({ id: t.id, name: t.name, threshold: t.threshold });
  await emitEvent(tx, now, { type, memberId, data: { tier: present(tier), previousTier: present(previous), qualifyingPoints: earned } });
}
