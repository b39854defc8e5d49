/**
 * A member's status (seed 004's "member stage"; docs/api.md, "Member status"): `active` or
 * `suspended` — `erased` is set only by erasure (./erase.ts) and is final.
 *
 * While suspended a member
 * - earns into pending only: every line of a trigger is posted pending (core/program/evaluate.ts
 *   marks the evaluation `suspended`), and no pending lot of the member activates — the scheduler
 *   skips them and the activation re-reads the status under the member's lock
 *   (core/ledger/lot-lifecycle.ts);
 * - cannot redeem a reward nor lock points at checkout (409 `member-suspended`);
 *   a lock taken before the suspension can still be captured or released.
 * Reactivation releases the member's pending points on their normal schedule: those whose time
 * has come activate in the reactivation's own write (lines saying who reactivated and why), the
 * others when their returns window ends. A suspension does not stop the expiry clock.
 *
 * Each change is one entry `status.changed` `{ from, to, reason }` in the member's account
 * history. SPEC §4 names no loyalty event for it, so none is emitted.
 */
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Writer } from '../commit/writer.js';
import { activateLot } from '../ledger/index.js';
import { allRows, pgOf } from '../storage/dialect.js';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { MemberError } from './errors.js';

/** The statuses a request may set. */
export const SETTABLE_STATUSES = ['active', 'suspended'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

export interface StatusChange {
  memberId: string;
  from: string;
  to: SettableStatus;
  /** false when the member already had that status: nothing was written. */
  changed: boolean;
  /** Pending lots reactivation made available in the same write. */
  activated: number;
}

/**
 * The member's status. `share`: on PostgreSQL the row is read `for share`, locked against a
 * status change until this write ends (`requireNotSuspended`); SQLite writes one at a time.
 */
async function statusOf(tx: Db, memberId: string, { share = false } = {}): Promise<string> {
  const { members } = tablesOf(tx);
  const [row] =
    share && pgOf(tx)
      ? await allRows<{ status: string }>(tx, sql`select ${members.status} as status from ${members} where ${members.id} = ${memberId} for share`)
      : await prepared(tx, 'member_status_of', (d, t) => d.select({ status: t.members.status }).from(t.members).where(eq(t.members.id, sql.placeholder('id'))))({ id: memberId });
  if (!row) throw new MemberError('member_not_found', `no member ${memberId}`, { memberId });
  return row.status;
}

/**
 * Sets the member's status. Suspending needs a reason (what support will read later); setting
 * the status the member has already changes nothing; an erased member stays erased.
 */
export async function changeMemberStatus(w: Writer, memberId: string, to: SettableStatus, reason: string | undefined): Promise<StatusChange> {
  const { tx, now } = w;
  const from = await statusOf(tx, memberId);
  if (from === 'erased') throw new MemberError('member_erased', `member ${memberId} was erased: its status cannot change`, { memberId });
  if (to === 'suspended' && !reason?.trim()) throw new Error('suspending a member needs a reason');
  if (from === to) return { memberId, from, to, changed: false, activated: 0 };
  const { members } = tablesOf(tx);
  await tx.update(members).set({ status: to, updatedAt: now }).where(eq(members.id, memberId));
  await w.note(memberId, 'status.changed', { from, to, reason: reason ?? null });
  const activated = to === 'active' ? await activateDueLots(w, memberId, reason) : 0;
  return { memberId, from, to, changed: true, activated };
}

/** On reactivation: the member's pending lots whose time has come become available now. */
async function activateDueLots(w: Writer, memberId: string, reason: string | undefined): Promise<number> {
  const { lots } = tablesOf(w.tx);
  const due = await w.tx
    .select({ id: lots.id })
    .from(lots)
    .where(and(eq(lots.memberId, memberId), eq(lots.status, 'pending'), lte(lots.activatesAt, w.now)))
    .orderBy(asc(lots.activatesAt), asc(lots.id));
  let activated = 0;
  const why = { source: 'admin' as const, reason: `member reactivated${reason ? `: ${reason}` : ''}` };
  for (const lot of due) if (await w.post(activateLot, { lotId: lot.id, memberId, why })) activated++;
  return activated;
}

/**
 * Refuses what a suspended member may not do (redeem, lock points at checkout): a 409 problem
 * naming the status. Read in the caller's write, so a suspension that committed first is seen.
 * On PostgreSQL the row is read `for share`: a suspension not yet committed when the redemption
 * reads would otherwise be missed (read committed), and the redemption would go through after
 * support had suspended the member. Now one waits for the other: the suspension for the
 * redemption's commit, or the redemption for the suspension's, and then it reads `suspended`.
 * SQLite runs one write at a time, so there is no such race there.
 */
export async function requireNotSuspended(tx: Db, memberId: string, what: string): Promise<void> {
  const status = await statusOf(tx, memberId, { share: true });
  if (status === 'suspended') {
    throw new MemberError('member_suspended', `member ${memberId} is suspended: it cannot ${what} until it is reactivated`, { memberId, memberStatus: status });
  }
}

/**
 * A suspended member earns into pending only: a line due at once becomes due a millisecond from
 * now, so it is posted pending and waits for reactivation like the member's other pending lots;
 * a line with a returns window keeps it. Changes `lines` in place (the evaluation's).
 */
export function pendingWhileSuspended(lines: { activatesAt: number }[], now: number): true {
  for (const line of lines) line.activatesAt = Math.max(line.activatesAt, now + 1);
  return true;
}
