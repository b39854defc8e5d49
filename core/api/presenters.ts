import { inArray } from 'drizzle-orm';
import { balanceEffect } from '../ledger/balance-effect.js';
import type { TransferRow } from '../ledger/types.js';
import type { Member } from '../members/members.js';
import type { Program } from '../program/compiled-program.js';
import { effectiveTier } from '../program/member-standing.js';
import { tablesOf } from '../storage/prepared.js';
import type { Row } from '../storage/rows.js';
import type { Db } from '../storage/store.js';
import { iso } from './schemas.js';

/** A member as the API shows it: `tier` is the tier held (as the balance shows it), `manualTier` the floor set by hand. */
export function presentMember(m: Member, program: Program) {
  return {
    id: m.id,
    email: m.email,
    phone: m.phone,
    firstName: m.firstName,
    lastName: m.lastName,
    birthDate: m.birthDate,
    locale: m.locale,
    consent: { email: m.consentEmail, sms: m.consentSms },
    tier: effectiveTier(program, m.earnedTier, m.tier)?.id ?? m.tier,
    manualTier: m.tier,
    attributes: m.attributes,
    aliases: m.aliases,
    status: m.status,
    createdAt: iso(m.createdAt)!,
    updatedAt: iso(m.updatedAt)!,
  };
}

export type TransactionView = ReturnType<typeof presentTransfer>;

export function presentTransfer(t: TransferRow, heldByCapture?: number) {
  return {
    id: t.id,
    kind: t.kind as 'earn' | 'activate' | 'spend' | 'lock' | 'capture' | 'unlock' | 'expire' | 'reverse' | 'adjust',
    amount: t.amount,
    effect: balanceEffect(t, heldByCapture),
    debitAccount: t.debitAccount,
    creditAccount: t.creditAccount,
    source: t.source,
    ruleId: t.ruleId,
    eventId: t.eventId,
    redemptionId: t.redemptionId,
    actor: t.actor,
    reason: t.reason,
    lockId: t.pendingId,
    reversesId: t.reversesId,
    lotId: t.lotId,
    expiresAt: iso(t.timeoutAt),
    metadata: t.metadata ? (JSON.parse(t.metadata) as Record<string, unknown>) : null,
    createdAt: iso(t.createdAt)!,
  };
}

export function presentLot(l: Row<'lots'>) {
  return {
    id: l.id,
    status: l.status as 'pending' | 'active' | 'closed',
    amount: l.amount,
    remaining: l.remaining,
    locked: l.locked,
    spent: l.spent,
    expired: l.expired,
    reversed: l.reversed,
    activatesAt: iso(l.activatesAt)!,
    expiresAt: iso(l.expiresAt),
  };
}

/**
 * Presents a page of transfers with, per line that names a lot, that lot as it stands (when it
 * activates and expires, what remains): one query for the page's holds that captures post, one
 * for its lots, never one per line.
 */
export async function presentTransfers(db: Db, rows: TransferRow[]): Promise<(TransactionView & { lot: ReturnType<typeof presentLot> | null })[]> {
  const { lots, transfers } = tablesOf(db);
  const holdIds = rows.filter((r) => r.kind === 'capture' && r.pendingId).map((r) => r.pendingId!);
  const lotIds = [...new Set(rows.filter((r) => r.lotId).map((r) => r.lotId!))];
  const [holds, lotRows] = await Promise.all([
    holdIds.length ? db.select({ id: transfers.id, amount: transfers.amount }).from(transfers).where(inArray(transfers.id, holdIds)) : [],
    lotIds.length ? db.select().from(lots).where(inArray(lots.id, lotIds)) : [],
  ]);
  const held = new Map(holds.map((h) => [h.id, h.amount]));
  const lotById = new Map(lotRows.map((l) => [l.id, presentLot(l)]));
  return rows.map((r) => ({ ...presentTransfer(r, r.pendingId ? held.get(r.pendingId) : undefined), lot: (r.lotId && lotById.get(r.lotId)) || null }));
}
