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
 * (each in chunks of 500 rows).
 */
import { inArray, sql } from 'drizzle-orm';
import { newId } from '../ids.js';
import { allRows } from '../storage/dialect.js';
import { insertRows } from '../storage/insert-rows.js';
import { tablesOf } from '../storage/prepared.js';
import type { Writer } from '../commit/writer.js';
import { PROGRAM, memberAccount, memberPendingAccount } from './accounts.js';
import { earn, type EarnInput } from './earn.js';
import { ConcurrentDuplicate, LedgerError } from './errors.js';
import { expiryDay } from './expiring-points.js';
import { NEVER, type LotRow } from './lots.js';
import type { BalanceFields } from './member-balance.js';
import { announcement, withActor, type BatchOperation } from './operation.js';
import { fingerprint } from './record-transfer.js';
import type { Posted, TransferRow } from './types.js';

const CHUNK = 500;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

type Credit = Pick<BalanceFields, 'available' | 'pending' | 'lifetimeEarned'>;

export const earnMany: BatchOperation<EarnInput> = {
  name: 'earn',
  async applyMany(w: Writer, inputs: readonly EarnInput[]): Promise<Posted[]> {
    if (inputs.length === 0) return [];
    const { tx, now } = w;
    const t = tablesOf(tx);
    const plans = inputs.map((input) => {
      if (!Number.isSafeInteger(input.points) || input.points <= 0) {
        throw new LedgerError('invalid_amount', `a transfer moves a positive whole number of points, not ${input.points}`);
      }
      const activatesAt = input.activatesAt ?? now;
      const pending = activatesAt > now;
      const why = withActor(input.why, w.actor);
      const transfer = {
        id: newId('tr', now),
        idempotencyKey: earn.key(input),
        fingerprint: fingerprint([earn.name, ...earn.identity(input)]),
        kind: 'earn',
        debitAccount: PROGRAM.issued,
        creditAccount: pending ? memberPendingAccount(input.memberId) : memberAccount(input.memberId),
        amount: input.points,
        memberId: input.memberId,
        pending: false,
        pendingId: null,
        reversesId: null,
        lotId: newId('lot', now),
        timeoutAt: null,
        source: why.source,
        ruleId: why.ruleId ?? null,
        eventId: why.eventId ?? null,
        redemptionId: why.redemptionId ?? null,
        actor: why.actor ?? null,
        reason: why.reason ?? null,
        metadata: why.metadata ? JSON.stringify(why.metadata) : null,
        createdAt: now,
      };
      return { input, activatesAt, pending, transfer };
    });

    // 1. The transfers; a key applied before (or earlier in this batch) inserts nothing.
    const inserted = new Map<string, TransferRow>();
    const numbered = await insertRows(tx, 'transfers', plans.map((p) => p.transfer), { onConflictDoNothing: 'idempotencyKey', returning: ['seq', 'id'] });
    const seqOf = new Map(numbered.map((r) => [r.id, r.seq]));
    for (const p of plans) {
      const seq = seqOf.get(p.transfer.id);
      if (seq !== undefined) inserted.set(p.transfer.id, { ...p.transfer, seq });
    }
    const fresh = plans.filter((p) => inserted.has(p.transfer.id));
    const replayed = plans.filter((p) => !inserted.has(p.transfer.id));
    const earlier = new Map<string, TransferRow>();
    for (const part of chunks([...new Set(replayed.map((p) => p.transfer.idempotencyKey))])) {
      for (const row of await tx.select().from(t.transfers).where(inArray(t.transfers.idempotencyKey, part))) earlier.set(row.idempotencyKey, row);
    }
    for (const p of replayed) {
      const twin = earlier.get(p.transfer.idempotencyKey);
      if (!twin) throw new ConcurrentDuplicate(p.transfer.idempotencyKey); // the write retries
      if (twin.fingerprint !== p.transfer.fingerprint) {
        throw new LedgerError('idempotency_conflict', `idempotency key ${p.transfer.idempotencyKey} was already used for a different request`, {
          idempotencyKey: p.transfer.idempotencyKey,
          transferId: twin.id,
        });
      }
    }

    if (fresh.length > 0) {
      // 2. The lots and their `earn` movements.
      const lots: LotRow[] = fresh.map(({ input, activatesAt, pending, transfer }) => ({
        id: transfer.lotId,
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
      const movements = fresh.map(({ input, pending, transfer }) => ({
        transferId: transfer.id,
        lotId: transfer.lotId,
        memberId: input.memberId,
        kind: pending ? 'earn_pending' : 'earn',
        amount: input.points,
      }));
      await insertRows(tx, 'lotMovements', movements);

      // 3. Expiring points: active lots with an expiry, summed per member and day
      //    (./expiring-points.ts; one row per key, as one upsert cannot touch a row twice).
      const days = new Map<string, { memberId: string; day: number; points: number; expiresAt: number }>();
      for (const lot of lots) {
        if (lot.status !== 'active' || lot.expiresAt === null) continue;
        const day = expiryDay(lot.expiresAt);
        const key = `${lot.memberId}\u0000${day}`;
        const d = days.get(key) ?? { memberId: lot.memberId, day, points: 0, expiresAt: lot.expiresAt };
        d.points += lot.amount;
        d.expiresAt = Math.min(d.expiresAt, lot.expiresAt);
        days.set(key, d);
      }
      for (const part of chunks([...days.values()])) {
        await tx
          .insert(t.expiringPoints)
          .values(part)
          .onConflictDoUpdate({
            target: [t.expiringPoints.memberId, t.expiringPoints.day],
            set: {
              points: sql`${t.expiringPoints.points} + excluded.points`,
              expiresAt: sql`case when excluded.expires_at < ${t.expiringPoints.expiresAt} then excluded.expires_at else ${t.expiringPoints.expiresAt} end`,
            },
          });
      }
    }

    // 4. The balances: one UPDATE … FROM per chunk of members, refusing unknown and erased ones.
    const credits = new Map<string, Credit>();
    for (const { input, pending } of fresh) {
      const c = credits.get(input.memberId) ?? { available: 0, pending: 0, lifetimeEarned: 0 };
      if (pending) c.pending += input.points;
      else {
        c.available += input.points;
        c.lifetimeEarned += input.points;
      }
      credits.set(input.memberId, c);
    }
    const after = new Map<string, BalanceFields>();
    for (const part of chunks([...credits])) {
      // Values are cast: PostgreSQL types a bare parameter in VALUES as text. The `in` list makes
      // SQLite reach the rows by key (see saveBalances).
      const values = sql.join(
        part.map(([memberId, c]) => sql`(cast(${memberId} as text), cast(${c.available} as bigint), cast(${c.pending} as bigint), cast(${c.lifetimeEarned} as bigint))`),
        sql`, `,
      );
      const rows = await allRows<Record<string, unknown>>(
        tx,
        sql`with credit (member_id, available, pending, lifetime_earned) as (values ${values})
            update balances set
              available = balances.available + credit.available,
              pending = balances.pending + credit.pending,
              lifetime_earned = balances.lifetime_earned + credit.lifetime_earned,
              version = balances.version + 1,
              updated_at = ${now}
            from credit
            where balances.member_id = credit.member_id
              and balances.member_id in (${sql.join(part.map(([memberId]) => sql`${memberId}`), sql`, `)})
              and not exists (select 1 from members where members.id = credit.member_id and members.status = 'erased')
            returning balances.member_id as member_id, balances.available as available, balances.pending as pending,
              balances.locked as locked, balances.spent as spent, balances.expired as expired, balances.lifetime_earned as lifetime_earned`,
      );
      for (const r of rows) {
        after.set(String(r.member_id), {
          available: Number(r.available),
          pending: Number(r.pending),
          locked: Number(r.locked),
          spent: Number(r.spent),
          expired: Number(r.expired),
          lifetimeEarned: Number(r.lifetime_earned),
        });
      }
      const missing = part.map(([memberId]) => memberId).filter((memberId) => !after.has(memberId));
      if (missing.length > 0) {
        const [found] = await tx.select({ id: t.members.id, status: t.members.status }).from(t.members).where(inArray(t.members.id, missing)).limit(1);
        if (found?.status === 'erased') throw new LedgerError('member_erased', `member ${found.id} was erased and cannot earn`, { memberId: found.id });
        const unknown = missing.find((id) => id !== found?.id) ?? missing[0]!;
        throw new LedgerError('member_not_found', `no member ${unknown}`, { memberId: unknown });
      }
    }

    // 5. One event per line, carrying the balance right after it: replayed in input order from
    //    each member's balance before the batch.
    const running = new Map<string, BalanceFields>();
    for (const [memberId, b] of after) {
      const c = credits.get(memberId)!;
      running.set(memberId, { ...b, available: b.available - c.available, pending: b.pending - c.pending, lifetimeEarned: b.lifetimeEarned - c.lifetimeEarned });
    }
    const events = fresh.map(({ input, pending, transfer }) => {
      const b = running.get(input.memberId)!;
      const next = pending
        ? { ...b, pending: b.pending + input.points }
        : { ...b, available: b.available + input.points, lifetimeEarned: b.lifetimeEarned + input.points };
      running.set(input.memberId, next);
      return announcement(inserted.get(transfer.id)!, next, pending ? 'points.pending' : 'points.earned');
    });
    await w.emitMany(events);

    return plans.map((p) =>
      inserted.has(p.transfer.id)
        ? { transfer: inserted.get(p.transfer.id)!, duplicate: false }
        : { transfer: earlier.get(p.transfer.idempotencyKey)!, duplicate: true },
    );
  },
};
