/**
 * The shared preamble and epilogue of every ledger operation (docs/architecture.md, "Writes").
 * An operation declares what identifies it and what it does; `postOperation` — reached only
 * through `w.post(op, input)` inside the write boundary — does the rest, the same way for all:
 *
 *   fingerprint → applied-key look-up (a replay answers with the first transfer and writes
 *   nothing; the same key for another request is `idempotency_conflict`) → the member's row
 *   lock → [look-up again under the lock, for operations that close something first] → apply
 *   (record the transfer, move lots) → save the balance → announce it as a loyalty event.
 *
 * A credit that reads no lots (`earn`) skips the look-up and the lock: its transfer insert is its
 * first statement, and the unique key answers a replay (`recordFirstTransfer`).
 */
import type { Writer } from '../commit/writer.js';
import type { LoyaltyEventType } from '../outbox/loyalty-events.js';
import type { Db } from '../storage/store.js';
import { lockBalance, saveBalance, type BalanceFields } from './member-balance.js';
import { findApplied, fingerprint, recordFirstTransfer, recordTransfer, type NewTransfer } from './record-transfer.js';
import type { Posted, TransferRow, Why } from './types.js';

/** A transfer as an operation describes it; the key, fingerprint and actor come from the preamble. */
export type TransferLine = Omit<NewTransfer, 'idempotencyKey' | 'fingerprint'>;

interface StepBase {
  readonly w: Writer;
  readonly tx: Db;
  readonly now: number;
}

export interface CreditStep extends StepBase {
  /**
   * Appends the credit's transfer under its key as the write's first statement; `undefined` when
   * the key was applied before — the operation then returns `undefined` and the preamble answers
   * with the first transfer.
   */
  recordFirst(line: TransferLine): Promise<TransferRow | undefined>;
}

export interface LockedStep extends StepBase {
  readonly memberId: string;
  /** The member's balance, read under the row lock. */
  readonly balance: BalanceFields;
  /** Appends the operation's transfer under its key (a concurrent twin makes the write retry). */
  record(line: TransferLine): Promise<TransferRow>;
}

/** What an applied operation changed: its transfer, the member's new balance, its event. */
export interface Applied {
  transfer: TransferRow;
  balance: BalanceFields;
  event: LoyaltyEventType;
  /** The balance row was already written (a credit adds in one statement). */
  balanceSaved?: boolean;
  /** Fields the caller adds to the event (never replacing the ledger's own, see `announcement`). */
  eventData?: Record<string, unknown>;
  /** The balance right before the change, from a credit that did not read it (a locking operation's is the one it locked). */
  before?: BalanceFields;
}

interface OperationBase<I> {
  readonly name: string;
  /** The idempotency key: given by the caller, or derived from what the operation changes. */
  key(input: I): string;
  /** What identifies the request besides its key; stored as the transfer's fingerprint. */
  identity(input: I): unknown[];
}

/** An operation that reads the member's lots: it runs under the member's row lock. */
export interface LockingOperation<I, O extends Applied | undefined = Applied> extends OperationBase<I> {
  readonly credit?: false;
  /** The member whose row is locked (an operation on a hold or a transfer looks it up). */
  member(tx: Db, input: I): Promise<string> | string;
  /**
   * Look the key up again once the lock is held: on PostgreSQL (read committed) a twin may have
   * committed while this write waited, and an operation that closes a hold before recording its
   * transfer would otherwise refuse instead of answering with the twin (docs/api.md, "Idempotency").
   */
  readonly recheckUnderLock?: boolean;
  /** Applies the operation; an operation typed so may answer `undefined`: nothing to do (e.g. a lot already active). */
  apply(step: LockedStep, input: I): Promise<O>;
}

/** A credit that reads nothing first: the transfer insert is its first statement. */
export interface CreditOperation<I> extends OperationBase<I> {
  readonly credit: true;
  apply(step: CreditStep, input: I): Promise<Applied | undefined>;
}

export type LedgerOperation<I, O extends Applied | undefined = Applied> = LockingOperation<I, O> | CreditOperation<I>;


/**
 * Many operations of one kind applied together in set-based statements (./earn-batch.ts),
 * reached through `w.postMany(op, inputs)`: every input is applied or — when one is refused —
 * none, since the refusal rolls the whole write back.
 */
export interface BatchOperation<I> {
  applyMany(w: Writer, inputs: readonly I[]): Promise<Posted[]>;
}

/** The actor of the write is recorded on every line whose caller did not name one. */
export function withActor(why: Why, actor: string): Why {
  return why.actor ? why : { ...why, actor };
}

/**
 * `announce` false: the line is written but neither announced nor compared with the program's
 * thresholds — its caller announces it with the other lines of the same trigger as one message
 * (core/program/announce-application.ts), from the `before` / `after` returned here.
 */
export async function postOperation<I>(w: Writer, op: LedgerOperation<I, Applied | undefined>, input: I, announce = true): Promise<Posted | undefined> {
  const { tx, now } = w;
  const key = op.key(input);
  const print = fingerprint([op.name, ...op.identity(input)]);
  const base = { w, tx, now };
  let applied: Applied | undefined;
  let locked: BalanceFields | undefined;
  if (op.credit) {
    let twin: Posted | undefined;
    const recordFirst = async (line: TransferLine) => {
      const first = await recordFirstTransfer(tx, now, { ...line, why: withActor(line.why, w.actor), idempotencyKey: key, fingerprint: print });
      if (!first.duplicate) return first.transfer;
      twin = first;
      return undefined;
    };
    applied = await op.apply({ ...base, recordFirst }, input);
    if (twin) return twin;
  } else {
    const before = await findApplied(tx, key, print);
    if (before) return before;
    const memberId = await op.member(tx, input);
    const balance = (locked = await lockBalance(tx, memberId, now));
    if (op.recheckUnderLock) {
      const again = await findApplied(tx, key, print);
      if (again) return again;
    }
    const record = (line: TransferLine) => recordTransfer(tx, now, { ...line, why: withActor(line.why, w.actor), idempotencyKey: key, fingerprint: print });
    applied = await op.apply({ ...base, record, memberId, balance }, input);
  }
  if (!applied) return undefined;
  const { transfer, balance, event } = applied;
  if (!applied.balanceSaved) await saveBalance(tx, transfer.memberId, balance);
  const before = locked ?? applied.before ?? balance;
  if (announce) {
    const announced = announcement(transfer, balance, event);
    const data = applied.eventData ? { ...applied.eventData, ...announced.data } : announced.data;
    await w.emit({ ...announced, data });
    // A change that took the member across a threshold of the program (docs/program.md, "Thresholds").
    await w.reachedThresholds(transfer.memberId, before, balance, data);
  }
  return { transfer, duplicate: false, before, after: balance };
}

/** The loyalty event a ledger line is announced with (docs/events.md). */
export function announcement(t: TransferRow, balance: BalanceFields, type: LoyaltyEventType) {
  return {
    type,
    memberId: t.memberId,
    data: {
      points: t.amount,
      transferId: t.id,
      kind: t.kind,
      source: t.source,
      reason: t.reason,
      eventId: t.eventId,
      ruleId: t.ruleId,
      redemptionId: t.redemptionId,
      actor: t.actor,
      lockId: t.pendingId,
      reversesId: t.reversesId,
      lotId: t.lotId,
      balance,
    },
  };
}

/**
 * Lines posted unannounced (`w.post(op, input, { announce: false })`) announced as ONE event:
 * the first line's own fields — so mappings written for one event per line keep working — with
 * `points` the total of the lines and `balance` the one after the last (one message per
 * trigger: core/program/announce-application.ts; per refund: core/program/take-back.ts).
 */
export function announcementOfLines(posted: readonly Posted[], type: LoyaltyEventType) {
  const base = announcement(posted[0]!.transfer, posted[posted.length - 1]!.after!, type);
  return { ...base, data: { ...base.data, points: posted.reduce((n, p) => n + p.transfer.amount, 0) } };
}
