import { inArray } from 'drizzle-orm';
import { balanceEffect } from '../ledger/balance-effect.js';
import type { TransferRow } from '../ledger/types.js';
import type { Member } from '../members/members.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { iso } from './schemas.js';

export function presentMember(m: Member) {
  return {
    id: m.id,
    email: m.email,
    phone: m.phone,
    firstName: m.firstName,
    lastName: m.lastName,
    birthDate: m.birthDate,
    locale: m.locale,
    consent: { email: m.consentEmail, sms: m.consentSms },
    tier: m.tier,
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

/** Presents a page of transfers, looking up the holds its captures post (one query). */
export async function presentTransfers(db: Db, rows: TransferRow[]): Promise<TransactionView[]> {
  const holdIds = rows.filter((r) => r.kind === 'capture' && r.pendingId).map((r) => r.pendingId!);
  const held = new Map<string, number>();
  if (holdIds.length) {
    const { transfers } = tablesOf(db);
    for (const h of await db.select({ id: transfers.id, amount: transfers.amount }).from(transfers).where(inArray(transfers.id, holdIds))) {
      held.set(h.id, h.amount);
    }
  }
  return rows.map((r) => presentTransfer(r, r.pendingId ? held.get(r.pendingId) : undefined));
}
