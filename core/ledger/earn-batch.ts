/**
 * Earns in batches: `w.postMany(earnMany, inputs)` writes what `w.post(earn, input)` writes for
 * each input — a transfer, an active or pending lot, its movement, the expiring-points row, the
 * balance, a `points.earned` / `points.pending` event with the balance right after that line —
 * in a handful of multi-row statements for the whole batch instead of six statements per earn
 * (docs/architecture.md, "Batched writes"). For bulk credits: imports, the benchmark's batched
 * figure (docs/BENCHMARKS.md (a)).
 *
 * Same keys, same fingerprints as `earn` (a key first applied by one path is a replay in the
 * other), same refusals. All or nothing: an invalid amount, a key reused for a different
 * request, an unknown or erased member throws, and the write rolls back every input.
 *
 * Statements per batch: one INSERT of the transfers (ON CONFLICT DO NOTHING RETURNING), one
 * SELECT of the replayed keys when there are any, one INSERT of the lots, one of the movements,
 * one upsert of the expiring points, one UPDATE … FROM of the balances, one INSERT of the events
 * (each in chunks of 500 rows). The pieces are the ledger's own: `tryRecordTransfers`,
 * `addExpiringLots`, `creditBalances`, `w.emitMany`.
 */
import { inArray } from 'drizzle-orm';
import { newIds } from '../ids.js';
import { insertRows } from '../storage/insert-rows.js';
import { tablesOf } from '../storage/prepared.js';
import type { Writer } from '../commit/writer.js';
import { PROGRAM, memberAccount, memberPendingAccount } from './accounts.js';
import { earn, type EarnInput } from './earn.js';
import { ConcurrentDuplicate, LedgerError } from './errors.js';
import { addExpiringLots } from './expiring-points.js';
import { NEVER, type LotRow } from './lots.js';
import { creditBalances, type BalanceFields } from './member-balance.js';
import { announcement, withActor, type BatchOperation } from './operation.js';
import { thresholdEvents } from '../outbox/threshold-crossings.js';
import { fingerprint, tryRecordTransfers } from './record-transfer.js';
import type { Posted, TransferRow } from './types.js';

export const earnMany: BatchOperation<EarnInput> = {
  async applyMany(w: Writer, inputs: readonly EarnInput[]): Promise<Posted[]> {
    if (inputs.length === 0) return [];
    const { tx, now } = w;
    const t = tablesOf(tx);
    const lotIds = newIds('lot', now, inputs.length);
    const plans = inputs.map((input, i) => {
      const activatesAt = input.activatesAt ?? now;
      const pending = activatesAt > now;
      return {
        input,
        activatesAt,
        pending,
        lotId: lotIds[i]!,
        key: earn.key(input),
        print: fingerprint([earn.name, ...earn.identity(input)]),
      };
    });

    // 1. The transfers; a key applied before (or earlier in this batch) inserts nothing.
    const recorded = await tryRecordTransfers(
      tx,
      now,
      plans.map(({ input, pending, lotId, key, print }) => ({
        idempotencyKey: key,
        fingerprint: print,
        kind: 'earn',
        debitAccount: PROGRAM.issued,
        creditAccount: pending ? memberPendingAccount(input.memberId) : memberAccount(input.memberId),
        amount: input.points,
        memberId: input.memberId,
        lotId,
        why: withActor(input.why, w.actor),
      })),
    );
    const fresh = plans.flatMap((p, i) => (recorded[i] ? [{ ...p, transfer: recorded[i] }] : []));
    const replayedKeys = [...new Set(plans.filter((_, i) => !recorded[i]).map((p) => p.key))];
    const earlier = new Map<string, TransferRow>();
    for (let i = 0; i < replayedKeys.length; i += 500) {
      const part = replayedKeys.slice(i, i + 500);
      for (const row of await tx.select().from(t.transfers).where(inArray(t.transfers.idempotencyKey, part))) earlier.set(row.idempotencyKey, row);
    }
    for (const [i, p] of plans.entries()) {
      if (recorded[i]) continue;
      const twin = earlier.get(p.key);
      if (!twin) throw new ConcurrentDuplicate(p.key); // the write retries
      if (twin.fingerprint !== p.print) {
        throw new LedgerError('idempotency_conflict', `idempotency key ${p.key} was already used for a different request`, { idempotencyKey: p.key, transferId: twin.id });
      }
    }

    // 2. The lots, their `earn` movements and the expiring points.
    const lots: LotRow[] = fresh.map(({ input, activatesAt, pending, lotId, transfer }) => ({
      id: lotId,
      memberId: input.memberId,
      transferId: transfer.id,
      amount: input.points,
      remaining: input.points,
      locked: 0,
      spent: 0,
      expired: 0,
      reversed: 0,
      status: pending ? 'pending' : 'active',
      activatesAt,
      expiresAt: input.expiresAt ?? null,
      spendOrder: input.expiresAt ?? NEVER,
      createdAt: now,
    }));
    await insertRows(tx, 'lots', lots);
    await insertRows(
      tx,
      'lotMovements',
      lots.map((lot) => ({ transferId: lot.transferId, lotId: lot.id, memberId: lot.memberId, kind: lot.status === 'pending' ? 'earn_pending' : 'earn', amount: lot.amount })),
    );
    await addExpiringLots(tx, lots);
    for (const lot of lots) if (lot.expiresAt !== null) w.tally.due(lot.memberId, lot.expiresAt, lot.amount, w.origin);

    // 3. The balances, refusing unknown and erased members.
    const credits = new Map<string, { available: number; pending: number; lifetimeEarned: number }>();
    for (const { input, pending } of fresh) {
      const c = credits.get(input.memberId) ?? { available: 0, pending: 0, lifetimeEarned: 0 };
      if (pending) c.pending += input.points;
      else {
        c.available += input.points;
        c.lifetimeEarned += input.points;
      }
      credits.set(input.memberId, c);
    }
    // A quiet write (an import) announces nothing, so it reads no balance back.
    const after = await creditBalances(tx, now, credits, { balancesAfter: w.announces });
    if (!w.announces) return posted(plans, recorded, earlier);

    // 4. One event per line, carrying the balance right after it: replayed in input order from
    //    each member's balance before the batch.
    const running = new Map<string, BalanceFields>();
    for (const [memberId, b] of after) {
      const c = credits.get(memberId)!;
      running.set(memberId, { ...b, available: b.available - c.available, pending: b.pending - c.pending, lifetimeEarned: b.lifetimeEarned - c.lifetimeEarned });
    }
    //    Each line is followed by the thresholds it crossed, as `w.post(earn, …)` does.
    await w.emitMany(
      fresh.flatMap(({ input, pending, transfer }) => {
        const b = running.get(input.memberId)!;
        const next = pending
          ? { ...b, pending: b.pending + input.points }
          : { ...b, available: b.available + input.points, lifetimeEarned: b.lifetimeEarned + input.points };
        running.set(input.memberId, next);
        const announced = announcement(transfer, next, pending ? 'points.pending' : 'points.earned');
        return [announced, ...thresholdEvents(w.thresholds, input.memberId, b, next, announced.data)];
      }),
    );

    return posted(plans, recorded, earlier);
  },
};

/** Per input, in order: its new line, or the line its key was applied with before. */
function posted(plans: readonly { key: string }[], recorded: readonly (TransferRow | undefined)[], earlier: ReadonlyMap<string, TransferRow>): Posted[] {
  return plans.map((p, i) => {
    const transfer = recorded[i];
    return transfer ? { transfer, duplicate: false } : { transfer: earlier.get(p.key)!, duplicate: true };
  });
}
