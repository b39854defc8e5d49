import { hash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { newId, newIds } from '../ids.js';
import { insertRowsNumbered } from '../storage/insert-rows.js';
import { placeholders, prepared } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { ConcurrentDuplicate, LedgerError } from './errors.js';
import type { Posted, TransferKind, TransferRow, Why } from './types.js';

/** What identifies a request, so that one key reused for a different request is refused. */
export function fingerprint(parts: unknown[]): string {
  // The one-shot `hash` (Node ≥ 20.12): the same digest as createHash without a Hash object per line.
  return hash('sha256', JSON.stringify(parts), 'base64url').slice(0, 22);
}

/**
 * The idempotent fast path: if this key was already applied, return that transfer (and write
 * nothing); the same key with a different request is a conflict.
 */
export async function findApplied(tx: Db, idempotencyKey: string, print: string): Promise<Posted | undefined> {
  const [existing] = await prepared(tx, 'ledger_transfer_by_key', (db, t) =>
    db.select().from(t.transfers).where(eq(t.transfers.idempotencyKey, sql.placeholder('key'))),
  )({ key: idempotencyKey });
  if (!existing) return undefined;
  if (existing.fingerprint !== print) {
    throw new LedgerError(
      'idempotency_conflict',
      `idempotency key ${idempotencyKey} was already used for a different request`,
      { idempotencyKey, transferId: existing.id },
    );
  }
  return { transfer: existing, duplicate: true };
}

/** The transfer committed under a key the caller alone derives (no request to compare), if any. */
export async function transferByKey(tx: Db, idempotencyKey: string): Promise<Posted | undefined> {
  const [existing] = await prepared(tx, 'ledger_transfer_by_key', (db, t) =>
    db.select().from(t.transfers).where(eq(t.transfers.idempotencyKey, sql.placeholder('key'))),
  )({ key: idempotencyKey });
  return existing ? { transfer: existing, duplicate: true } : undefined;
}

export interface NewTransfer {
  idempotencyKey: string;
  fingerprint: string;
  kind: TransferKind;
  debitAccount: string;
  creditAccount: string;
  amount: number;
  memberId: string;
  pending?: boolean;
  pendingId?: string;
  reversesId?: string;
  lotId?: string;
  timeoutAt?: number;
  why: Why;
}

/**
 * Appends one immutable line. The unique index on the idempotency key, not a prior read, is what
 * makes the write happen once: a concurrent twin that committed first turns this insert into a
 * no-op, and the caller's transaction is retried to return the twin.
 */
export async function recordTransfer(tx: Db, now: number, t: NewTransfer): Promise<TransferRow> {
  const row = await tryRecordTransfer(tx, now, t);
  if (!row) throw new ConcurrentDuplicate(t.idempotencyKey);
  return row;
}

/**
 * For a write whose transfer is its first statement (a credit): append the line, or — when the
 * key was applied before — return that transfer as a duplicate. One statement on the common
 * path instead of a look-up and an insert. On PostgreSQL the insert waits for an uncommitted twin
 * and then sees it, so no retry is needed either.
 */
export async function recordFirstTransfer(tx: Db, now: number, t: NewTransfer): Promise<{ transfer: TransferRow; duplicate: boolean }> {
  const row = await tryRecordTransfer(tx, now, t);
  if (row) return { transfer: row, duplicate: false };
  const twin = await findApplied(tx, t.idempotencyKey, t.fingerprint);
  if (!twin) throw new ConcurrentDuplicate(t.idempotencyKey);
  return twin;
}

/** The line as it will be stored (all but `seq`), refusing an amount that is not a positive integer. */
function transferRow(now: number, t: NewTransfer, id = newId('tr', now)): Omit<TransferRow, 'seq'> {
  if (!Number.isSafeInteger(t.amount) || t.amount <= 0) {
    throw new LedgerError('invalid_amount', `a transfer moves a positive whole number of points, not ${t.amount}`);
  }
  const { why } = t;
  return {
    id,
    idempotencyKey: t.idempotencyKey,
    fingerprint: t.fingerprint,
    kind: t.kind,
    debitAccount: t.debitAccount,
    creditAccount: t.creditAccount,
    amount: t.amount,
    memberId: t.memberId,
    pending: t.pending ?? false,
    pendingId: t.pendingId ?? null,
    reversesId: t.reversesId ?? null,
    lotId: t.lotId ?? null,
    timeoutAt: t.timeoutAt ?? null,
    source: why.source,
    ruleId: why.ruleId ?? null,
    eventId: why.eventId ?? null,
    redemptionId: why.redemptionId ?? null,
    actor: why.actor ?? null,
    reason: why.reason ?? null,
    metadata: why.metadata ? JSON.stringify(why.metadata) : null,
    createdAt: now,
  };
}

async function tryRecordTransfer(tx: Db, now: number, t: NewTransfer): Promise<TransferRow | undefined> {
  const row = transferRow(now, t);
  // Only `seq` comes back: the rest is what was written, and returning every column cost
  // SQLite ~7 µs more per line (docs/architecture.md, "Statements per write").
  const [numbered] = await insertTransfer(tx)(row);
  return numbered ? { ...row, seq: numbered.seq } : undefined;
}

/**
 * Appends many lines in multi-row inserts (the batched writes: docs/architecture.md, "Batched
 * writes"). Per line, in order: the stored row, or `undefined` when its key was already taken —
 * by an earlier write or by an earlier line of the same call.
 */
export async function tryRecordTransfers(tx: Db, now: number, lines: readonly NewTransfer[]): Promise<(TransferRow | undefined)[]> {
  const ids = newIds('tr', now, lines.length);
  const rows = lines.map((t, i) => transferRow(now, t, ids[i]));
  const seqs = await insertRowsNumbered(tx, 'transfers', rows, { onConflictDoNothing: 'idempotencyKey', serial: 'seq', key: 'id' });
  // The rows were built here for this call: numbered in place rather than copied (a 5,000-line import page).
  return rows.map((row, i) => {
    const seq = seqs[i];
    return seq === undefined ? undefined : Object.assign(row, { seq });
  });
}

const TRANSFER_COLUMNS = [
  'id', 'idempotencyKey', 'fingerprint', 'kind', 'debitAccount', 'creditAccount', 'amount', 'memberId', 'pending',
  'pendingId', 'reversesId', 'lotId', 'timeoutAt', 'source', 'ruleId', 'eventId', 'redemptionId', 'actor', 'reason',
  'metadata', 'createdAt',
] as const;

const insertTransfer = (tx: Db) =>
  prepared(tx, 'ledger_insert_transfer', (db, t) =>
    db
      .insert(t.transfers)
      .values(placeholders(TRANSFER_COLUMNS))
      .onConflictDoNothing({ target: t.transfers.idempotencyKey })
      .returning({ seq: t.transfers.seq }),
  );

export async function getTransfer(tx: Db, id: string): Promise<TransferRow> {
  const [row] = await prepared(tx, 'ledger_transfer_by_id', (db, t) =>
    db.select().from(t.transfers).where(eq(t.transfers.id, sql.placeholder('id'))),
  )({ id });
  if (!row) throw new LedgerError('transfer_not_found', `no transfer ${id}`, { transferId: id });
  return row;
}
