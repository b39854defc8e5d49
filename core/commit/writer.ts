/**
 * What a write sees inside the boundary (`commit`, ./commit.ts): the transaction, the instant
 * of the write (the clock read once), who is writing, and the only two ways to change loyalty
 * state — `post` a ledger operation, `emit` a loyalty event into the outbox. Everything it
 * posted and emitted is reported after the commit (metrics, the dispatcher woken).
 */
import { sql } from 'drizzle-orm';
import { defaultOrigin, Tally, type Origin } from '../analytics/tally.js';
import { newId } from '../ids.js';
import { postOperation, type Applied, type BatchOperation, type CreditOperation, type LedgerOperation, type LockingOperation } from '../ledger/operation.js';
import type { Posted } from '../ledger/types.js';
import type { BalanceSnapshot, LoyaltyEventType } from '../outbox/loyalty-events.js';
import { thresholdEvents } from '../outbox/threshold-crossings.js';
import { insertRows } from '../storage/insert-rows.js';
import { prepared } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';

export interface LoyaltyEventInput {
  type: LoyaltyEventType;
  memberId: string | null;
  data: Record<string, unknown>;
}

/** What a member's account history records (docs/api.md, "Members"). */
export type MemberHistoryKind =
  | 'enrolled'
  | 'imported'
  | 'profile.updated'
  | 'tier.changed'
  | 'status.changed'
  | 'points.held'
  | 'points.approved'
  | 'points.rejected'
  | 'erasure.requested';

export interface PostOptions {
  /** false: the caller announces this line itself (default true). */
  announce?: boolean;
}

export class Writer {
  /** Ledger lines this write posted (duplicates included, flagged), in order. */
  readonly posted: Posted[] = [];
  /** How many loyalty events this write put into the outbox. */
  emitted = 0;
  private silent = false;
  /** The analytics aggregates of this write's lines, flushed by the boundary before COMMIT (core/analytics/tally.ts). */
  readonly tally: Tally;
  /**
   * Where this write's lines come from, for the analytics splits: the trigger being applied sets
   * it (core/program/apply-trigger.ts); otherwise `api`, `scheduler` or `cli` by the actor.
   */
  origin: Origin;

  constructor(
    readonly tx: Db,
    readonly now: number,
    /** Who is writing: an API key's name, a platform (`shopify`), `scheduler`, `cli`. */
    readonly actor: string,
    /** The program's `thresholds:`, ascending (docs/program.md, "Thresholds"); none: never announced. */
    readonly thresholds: readonly number[] = [],
    /** The program's time zone: the analytics aggregates count its local days. */
    timeZone = 'UTC',
  ) {
    this.tally = new Tally(now, timeZone);
    this.origin = defaultOrigin(actor);
  }

  /** Every new line a write posts is counted here, whichever path wrote it. */
  private counted(posted: Posted): void {
    if (!posted.duplicate) this.tally.line(posted.transfer, this.origin);
  }

  /**
   * This write announces nothing: a members' import (core/members/import-member.ts) is a move,
   * not news for each member's inbox. Its lines are in the ledger like any other.
   */
  quiet(): void {
    this.silent = true;
  }

  /** False once `quiet()`: a batch path can skip building events that would not be written. */
  get announces(): boolean {
    return !this.silent;
  }

  /**
   * Runs one ledger operation with the shared preamble (./../ledger/operation.ts). With
   * `{ announce: false }` the line is written but not announced (no event, no threshold): the
   * caller announces it with others, as one message (a trigger's application:
   * core/program/announce-application.ts), from the `before` / `after` the answer carries.
   */
  post<I>(op: CreditOperation<I> | LockingOperation<I, Applied>, input: I, options?: PostOptions): Promise<Posted>;
  /** An operation that may find nothing to do (a lot no longer due) answers `undefined` then. */
  post<I>(op: LockingOperation<I, Applied | undefined>, input: I, options?: PostOptions): Promise<Posted | undefined>;
  async post<I>(op: LedgerOperation<I, Applied | undefined>, input: I, options: PostOptions = {}): Promise<Posted | undefined> {
    const posted = await postOperation(this, op, input, options.announce ?? true);
    if (posted) {
      this.posted.push(posted);
      this.counted(posted);
    }
    return posted;
  }

  /**
   * Runs many operations of one kind in set-based statements (the batched path, e.g.
   * `w.postMany(earnMany, inputs)`: core/ledger/earn-batch.ts). The results are in input order;
   * a replayed key answers with its first transfer, flagged `duplicate`.
   */
  async postMany<I>(op: BatchOperation<I>, inputs: readonly I[]): Promise<Posted[]> {
    const posted = await op.applyMany(this, inputs);
    this.posted.push(...posted);
    for (const p of posted) this.counted(p);
    return posted;
  }

  /**
   * Reports lines a batch operation wrote under its own locks (the scheduler's expiry of many
   * members at once: core/ledger/expire-batch.ts).
   */
  recordPosted(posted: Posted): void {
    this.posted.push(posted);
    this.counted(posted);
  }

  /**
   * Writes a loyalty event to the outbox in this transaction: it commits with the change it
   * reports or not at all, so no notification is promised for a change that rolled back and
   * none is lost for one that committed.
   */
  async emit(event: LoyaltyEventInput): Promise<string> {
    const id = newId('evt', this.now);
    if (this.silent) return id;
    await prepared(this.tx, 'outbox_emit', (db, t) =>
      db.insert(t.loyaltyEvents).values({
        id: sql.placeholder('id'),
        type: sql.placeholder('type'),
        memberId: sql.placeholder('memberId'),
        data: sql.placeholder('data'),
        occurredAt: sql.placeholder('occurredAt'),
      }),
    )({ id, type: event.type, memberId: event.memberId, data: JSON.stringify(event.data), occurredAt: this.now });
    this.emitted++;
    return id;
  }

  /**
   * Records a change to a member's account (not to its points) in the member's account history,
   * in this transaction: `enrolled`, `tier.changed`, `status.changed`, `erasure.requested`, …
   * (docs/api.md, "Members"). Kept even when the write is `quiet()`: history is not a message.
   */
  async note(memberId: string, kind: MemberHistoryKind, detail: Record<string, unknown> = {}): Promise<void> {
    await prepared(this.tx, 'member_history_note', (db, t) =>
      db.insert(t.memberHistory).values({
        memberId: sql.placeholder('memberId'),
        kind: sql.placeholder('kind'),
        detail: sql.placeholder('detail'),
        actor: sql.placeholder('actor'),
        at: sql.placeholder('at'),
      }),
    )({ memberId, kind, detail: JSON.stringify(detail), actor: this.actor, at: this.now });
  }

  /**
   * Announces `points.threshold_reached` for every threshold of the program a change took the
   * member across, upwards (./../outbox/threshold-crossings.ts); `cause` is the data of the
   * event that announced the change.
   */
  async reachedThresholds(memberId: string, before: BalanceSnapshot, after: BalanceSnapshot, cause: Record<string, unknown>): Promise<void> {
    for (const event of thresholdEvents(this.thresholds, memberId, before, after, cause)) await this.emit(event);
  }

  /** Writes many loyalty events to the outbox in this transaction, in order, in multi-row inserts. */
  async emitMany(events: readonly LoyaltyEventInput[]): Promise<string[]> {
    if (this.silent) return events.map(() => newId('evt', this.now));
    const rows = events.map((event) => ({
      id: newId('evt', this.now),
      type: event.type,
      memberId: event.memberId,
      data: JSON.stringify(event.data),
      occurredAt: this.now,
    }));
    await insertRows(this.tx, 'loyaltyEvents', rows);
    this.emitted += rows.length;
    return rows.map((r) => r.id);
  }
}

