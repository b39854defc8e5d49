/**
 * A tier set by hand (`PATCH /v1/members/{id}` with `tier`; docs/api.md, "Members"): a floor
 * under the tier the member's points earned (./member-standing.ts). Setting or clearing it is a
 * tier move like an earned one when it changes the tier the member holds — the same
 * `tier.upgraded` / `tier.downgraded` event, the same `tier.changed` history entry — and is
 * recorded in the account history even when it does not (a floor below the earned tier).
 * Clearing it re-reviews the earned tier first, so the member lands on what their points earn
 * now, not on a standing the floor had hidden.
 */
import { eq } from 'drizzle-orm';
import type { Writer } from '../commit/writer.js';
import { MemberError } from '../members/errors.js';
import { tablesOf } from '../storage/prepared.js';
import type { Program } from './compiled-program.js';
import { announceTier, effectiveTier, qualifyingPoints, readMemberStanding, reviewTier } from './member-standing.js';

export async function setManualTier(w: Writer, program: Program, memberId: string, tier: string | null): Promise<void> {
  const { tx, now } = w;
  // Callers validate against the program with a pointer (core/api/validation.ts, mustBeTier); this
  // is the last guard, so no path can store a tier the program does not have.
  if (tier !== null && !program.tiers.some((t) => t.id === tier)) throw new Error(`${tier} is not a tier of the program`);
  const before = await readMemberStanding(tx, memberId);
  if (!before) throw new MemberError('member_not_found', `no member ${memberId}`, { memberId });
  if (before.status === 'erased') throw new MemberError('member_erased', `member ${memberId} was erased`, { memberId });
  if (before.manualTier === tier) return;
  const { members } = tablesOf(tx);
  await tx.update(members).set({ manualTier: tier, updatedAt: now }).where(eq(members.id, memberId));
  if (!program.tiers.length) return;

  const held = effectiveTier(program, before.standing.tier, before.manualTier)!;
  if (tier === null) await reviewTier(w, program, memberId, { ...before, manualTier: null }, { announce: false });
  const after = tier === null ? await readMemberStanding(tx, memberId) : before;
  const holds = effectiveTier(program, after!.standing.tier, tier)!;
  const why = { reason: tier === null ? 'manual_tier_cleared' : 'manual_tier_set', manualTier: tier, previousManualTier: before.manualTier };
  const earned = await qualifyingPoints(tx, program, memberId, now);
  if (holds.id !== held.id) await announceTier(w, program, memberId, holds, held, earned, why);
  else await w.note(memberId, 'tier.changed', { from: held.id, to: holds.id, ...why, qualifyingPoints: earned });
}
