/**
 * Drains the outbox: routes new loyalty events into deliveries (one per message), then sends due
 * deliveries through their adapters in lanes (one per adapter, one per webhook endpoint, each
 * with bounded concurrency, so one slow receiver delays only its own lane), retries on the
 * schedule (honouring Retry-After), dead letters when the schedule runs out or the provider
 * refuses for good. Every attempt is logged. At least once: a dispatcher that dies mid-send
 * leaves its lease to expire and the delivery is sent again, with the same idempotency key.
 * Several dispatchers (processes) may run: claims skip rows another one holds (PostgreSQL) and
 * the unique (event, route) index keeps routing idempotent.
 */
import { and, asc, eq, inArray, isNull, like, lte, notInArray, or, sql } from 'drizzle-orm';
import { newId } from '../ids.js';
import type { OutboundAdapter, SendOutcome } from '../outbound/adapter.js';
import type { Logger } from '../observability/logger.js';
import { describeError } from '../observability/describe-error.js';
import { skipLocked } from '../storage/dialect.js';
import { prepared, tablesOf } from '../storage/prepared.js';
import type { Commit } from '../commit/commit.js';
import type { Writer } from '../commit/writer.js';
import type { Db, Store } from '../storage/store.js';
import { loyaltyEventOf } from './loyalty-events.js';
import { AdapterOutcomes } from './adapter-outcomes.js';
import { countFailedDelivery, FAILURE_EVENT_TYPES } from './failure-digest.js';
import { DEFAULT_SCHEDULE_MS, nextDelay } from './retry-schedule.js';
import type { MemberSnapshot, Router } from './routes.js';
import { eqConstant } from '../storage/constant.js';

export interface DispatcherOptions {
  store: Store;
  /** The write boundary (docs/architecture.md, "Writes"): routing, claims and attempts commit through it. */
  commit: Commit;
  router: () => Router;
  /**
   * Whether anything may route events of this type. Events nobody wants are marked routed
   * without loading their member or calling the router (most events, when few mappings exist).
   */
  wants?: (type: string) => boolean;
  adapters: ReadonlyMap<string, OutboundAdapter>;
  logger: Logger;
  clock?: () => number;
  schedule?: number[];
  /** Concurrent sends per lane: per adapter, and per webhook endpoint. */
  concurrency?: number;
  /** How long a claimed delivery is ours before another dispatcher may take it. */
  leaseMs?: number;
  /** Per-attempt time limit, ms (DELIVERY_TIMEOUT; default 15000). */
  timeoutMs?: number;
  timeZone?: string;
  random?: () => number;
  /** Called after every attempt (metrics). */
  onAttempt?: (adapter: string, outcome: SendOutcome['status'], latencyMs: number) => void;
}

interface ClaimedDelivery {
  id: string;
  adapter: string;
  payload: string;
  attempts: number;
  eventId: string;
  route: string;
  memberId: string | null;
  leaseUntil: number | null;
}

interface StoredPayload {
  options: Record<string, unknown>;
  member: MemberSnapshot | null;
}

export class Dispatcher {
  private readonly clock: () => number;
  private readonly schedule: number[];
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private stopped = true;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Every send in flight in this process, by delivery id, with its lane (`laneOf`): `stop()` waits for them. */
  private readonly inFlight = new Map<string, { lane: string; done: Promise<void> }>();
  /** Each adapter's latest delivery and failure, for connector health (./adapter-outcomes.ts). */
  private readonly outcomes = new AdapterOutcomes();

  constructor(private readonly o: DispatcherOptions) {
    this.clock = o.clock ?? Date.now;
    this.schedule = o.schedule ?? DEFAULT_SCHEDULE_MS;
    this.concurrency = o.concurrency ?? 8;
    this.timeoutMs = o.timeoutMs ?? 15_000;
    // A lease outlives the longest attempt, so no other dispatcher takes over a send in progress.
    this.leaseMs = o.leaseMs ?? Math.max(60_000, this.timeoutMs + 30_000);
  }

  /** Routes every unrouted event (in batches); returns how many deliveries were created. */
  async route(limit = 200): Promise<number> {
    let created = 0;
    for (;;) {
      // A look on the read connection first: an idle pass must not queue a write transaction.
      const reader = this.o.store.db;
      const { loyaltyEvents } = tablesOf(reader);
      const pending = await reader.select({ seq: loyaltyEvents.seq }).from(loyaltyEvents).where(isNull(loyaltyEvents.routedAt)).limit(1);
      if (pending.length === 0) return created;
      let full = false;
      const n = await this.o.commit('dispatcher', async (w) => {
        const { tx } = w;
        const t = tablesOf(tx);
        const events = await skipLocked(
          tx.select().from(t.loyaltyEvents).where(isNull(t.loyaltyEvents.routedAt)).orderBy(asc(t.loyaltyEvents.seq)).limit(limit),
        );
        if (events.length === 0) return -1;
        full = events.length === limit;
        const router = this.o.router();
        const now = this.clock();
        let made = 0;
        const done: string[] = [];
        for (const row of events) {
          if (this.o.wants && !this.o.wants(row.type)) {
            done.push(row.id);
            continue;
          }
          const event = loyaltyEventOf(row);
          const member = row.memberId ? await memberSnapshot(tx, row.memberId) : null;
          let routes: ReturnType<Router>;
          try {
            routes = router(event, member);
          } catch (error) {
            this.o.logger.error('routing failed; the event is kept unrouted', { eventId: row.id, error: describeError(error) });
            continue;
          }
          for (const r of routes) {
            const payload: StoredPayload = { options: r.options, member };
            const [inserted] = await tx
              .insert(t.deliveries)
              .values({
                id: newId('dlv', now),
                eventId: row.id,
                route: r.route,
                adapter: r.adapter,
                payload: JSON.stringify(payload),
                memberId: row.memberId,
                status: r.failed ? 'dead' : 'pending',
                nextAttemptAt: now,
                lastError: r.failed ?? null,
                createdAt: now,
                updatedAt: now,
              })
              .onConflictDoNothing()
              .returning({ id: t.deliveries.id });
            if (!inserted) continue;
            made++;
            if (r.failed) {
              await this.deadLetter(w, { id: inserted.id, eventId: row.id, route: r.route, adapter: r.adapter, memberId: row.memberId }, event.type, 0, null, r.failed);
            }
          }
          done.push(row.id);
        }
        if (done.length) await tx.update(t.loyaltyEvents).set({ routedAt: now }).where(inArray(t.loyaltyEvents.id, done));
        return made;
      });
      if (n < 0) return created;
      created += n;
      if (!full) return created;
    }
  }

  /**
   * Claims the deliveries due now (for lanes with room) and sends them; resolves once those
   * sends are recorded, with how many attempts were made. The running loop (`start`) does not
   * wait: it hands claims to their lanes and keeps claiming for the others.
   */
  async deliverDue(limit = 200): Promise<number> {
    const started = await this.claimAndStart(limit);
    await Promise.all(started);
    return started.length;
  }

  /**
   * One lane per adapter, and one per webhook endpoint (route `endpoint:<id>`): a receiver that
   * hangs until the timeout holds only its own lane's slots (docs/operating.md, "Delivery").
   */
  private laneOf(d: { adapter: string; route: string }): string {
    return d.route.startsWith('endpoint:') ? d.route : d.adapter;
  }

  /**
   * Claims due deliveries whose lane has a free slot (at most `concurrency` sends per lane in
   * flight), leases them, and starts their sends without waiting for them; returns the sends.
   * Full lanes are left out of the claim, so what they have queued stays unleased for whoever
   * has room (this process later, or another dispatcher).
   */
  private async claimAndStart(limit: number): Promise<Promise<void>[]> {
    const now = this.clock();
    const reader = this.o.store.db;
    const { deliveries } = tablesOf(reader);
    const due = await reader
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eqConstant(deliveries.status, 'pending'), lte(deliveries.nextAttemptAt, now)))
      .limit(1);
    if (due.length === 0) return [];
    const busyLanes = new Map<string, number>();
    for (const { lane } of this.inFlight.values()) busyLanes.set(lane, (busyLanes.get(lane) ?? 0) + 1);
    const full = [...busyLanes].filter(([, n]) => n >= this.concurrency).map(([lane]) => lane);
    const fullEndpoints = full.filter((l) => l.startsWith('endpoint:'));
    const fullAdapters = full.filter((l) => !l.startsWith('endpoint:'));
    const claimed = await this.o.commit('dispatcher', async ({ tx }) => {
      const t = tablesOf(tx);
      const candidates = await skipLocked(
        tx
          .select({ id: t.deliveries.id, adapter: t.deliveries.adapter, route: t.deliveries.route })
          .from(t.deliveries)
          .where(
            and(
              eqConstant(t.deliveries.status, 'pending'),
              lte(t.deliveries.nextAttemptAt, now),
              or(isNull(t.deliveries.leaseUntil), lte(t.deliveries.leaseUntil, now)),
              fullEndpoints.length ? notInArray(t.deliveries.route, fullEndpoints) : undefined,
              fullAdapters.length ? or(notInArray(t.deliveries.adapter, fullAdapters), like(t.deliveries.route, 'endpoint:%')) : undefined,
            ),
          )
          .orderBy(asc(t.deliveries.nextAttemptAt))
          .limit(limit),
      );
      const picked: string[] = [];
      for (const c of candidates) {
        // Still being sent here (its lease ran out under a test clock): never twice at once.
        if (this.inFlight.has(c.id)) continue;
        const lane = this.laneOf(c);
        const busy = busyLanes.get(lane) ?? 0;
        if (busy >= this.concurrency) continue;
        busyLanes.set(lane, busy + 1);
        picked.push(c.id);
      }
      if (picked.length === 0) return [];
      return tx
        .update(t.deliveries)
        .set({ leaseUntil: now + this.leaseMs, updatedAt: now })
        .where(inArray(t.deliveries.id, picked))
        .returning();
    });
    return claimed.map((d) => this.send(d));
  }

  /** Starts one claimed delivery in its lane; the lane slot is freed (and the loop woken) when it is recorded. */
  private send(d: ClaimedDelivery): Promise<void> {
    const done = this.attempt(d)
      .catch((error: unknown) => {
        // Unrecorded: the lease runs out and the delivery is sent again (at least once).
        this.o.logger.error('delivery attempt could not be recorded', { deliveryId: d.id, adapter: d.adapter, error: describeError(error) });
      })
      .finally(() => {
        this.inFlight.delete(d.id);
        this.wake?.();
      });
    this.inFlight.set(d.id, { lane: this.laneOf(d), done });
    return done;
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const adapter = this.o.adapters.get(d.adapter);
    const payload = JSON.parse(d.payload) as StoredPayload;
    const started = performance.now();
    let outcome: SendOutcome;
    if (!adapter) {
      outcome = { status: 'retry', error: `adapter ${d.adapter} is not configured (its secrets are not set)` };
    } else {
      const signal = AbortSignal.timeout(this.timeoutMs);
      try {
        outcome = await adapter.send(payload.options, {
          idempotencyKey: d.id,
          attempt: d.attempts + 1,
          member: payload.member,
          timeZone: this.o.timeZone ?? 'UTC',
          now: this.clock(),
          signal,
        });
      } catch (error) {
        outcome = { status: 'retry', error: error instanceof Error ? error.message : String(error) };
      }
    }
    const latencyMs = Math.round(performance.now() - started);
    this.o.onAttempt?.(d.adapter, outcome.status, latencyMs);
    await this.record(d, outcome, latencyMs);
  }

  private async record(d: ClaimedDelivery, outcome: SendOutcome, latencyMs: number): Promise<void> {
    const now = this.clock();
    await this.o.commit('dispatcher', async (w) => {
      const { tx } = w;
      const t = tablesOf(tx);
      const counts = outcome.status !== 'deferred';
      const attempts = d.attempts + (counts ? 1 : 0);
      const statusCode = 'statusCode' in outcome ? (outcome.statusCode ?? null) : null;
      const error = outcome.status === 'retry' || outcome.status === 'permanent' ? outcome.error : outcome.status === 'skipped' || outcome.status === 'deferred' ? outcome.reason : null;
      await tx.insert(t.deliveryAttempts).values({ deliveryId: d.id, attempt: attempts, outcome: outcome.status, statusCode, latencyMs, error, at: now });
      let status = 'pending';
      let nextAttemptAt = now;
      if (outcome.status === 'delivered' || outcome.status === 'skipped') status = outcome.status;
      else if (outcome.status === 'deferred') nextAttemptAt = outcome.until;
      else {
        // One first attempt plus one per schedule step; a Retry-After replaces the step's wait.
        const wait =
          outcome.status === 'permanent' || attempts > this.schedule.length
            ? undefined
            : (outcome.retryAfterMs ?? nextDelay(this.schedule, attempts, this.o.random));
        if (wait === undefined) status = 'dead';
        else nextAttemptAt = now + wait;
      }
      // Only while the lease is still ours: a dispatcher that stalled past its lease must not
      // overwrite what the dispatcher that took the delivery over has recorded since.
      const updated = await tx
        .update(t.deliveries)
        .set({ status, attempts, nextAttemptAt, leaseUntil: null, lastStatusCode: statusCode, lastError: error, updatedAt: now })
        .where(and(eq(t.deliveries.id, d.id), eq(t.deliveries.leaseUntil, d.leaseUntil!)))
        .returning({ id: t.deliveries.id });
      if (updated.length === 0) {
        this.o.logger.warn('delivery lease lost before the attempt was recorded', { deliveryId: d.id, outcome: outcome.status });
        return;
      }
      if (outcome.status === 'delivered') await this.outcomes.note(tx, now, d.adapter, 'delivered', d.id, statusCode);
      else if (outcome.status === 'retry' || outcome.status === 'permanent') await this.outcomes.note(tx, now, d.adapter, 'failed', d.id, statusCode);
      if (status === 'dead') {
        const [source] = await tx.select({ type: t.loyaltyEvents.type }).from(t.loyaltyEvents).where(eq(t.loyaltyEvents.id, d.eventId));
        await this.deadLetter(w, d, source?.type, attempts, statusCode, error);
      }
    });
    if (outcome.status !== 'delivered' && outcome.status !== 'skipped') {
      this.o.logger.warn('delivery attempt did not deliver', { deliveryId: d.id, adapter: d.adapter, outcome: outcome.status, statusCode: 'statusCode' in outcome ? outcome.statusCode : undefined, latencyMs });
    }
  }

  /** Announces a dead letter as `delivery.failed` and counts it toward its adapter's digest, in the transaction that made it dead. */
  private async deadLetter(
    w: Writer,
    d: { id: string; eventId: string; route: string; adapter: string; memberId: string | null },
    sourceType: string | undefined,
    attempts: number,
    statusCode: number | null,
    error: string | null,
  ): Promise<void> {
    // A failure to report a failure is logged, not reported again: no loop of delivery.failed
    // or of its digest when the alerting adapter is the one failing.
    if (sourceType !== undefined && FAILURE_EVENT_TYPES.includes(sourceType)) {
      this.o.logger.error(`delivery of a ${sourceType} event dead-lettered`, { deliveryId: d.id, adapter: d.adapter, error });
      return;
    }
    await w.emit({
      type: 'delivery.failed',
      memberId: d.memberId,
      data: { deliveryId: d.id, eventId: d.eventId, route: d.route, adapter: d.adapter, attempts, statusCode, error },
    });
    // People are alerted by the hourly digest per adapter (core/outbox/failure-digest.ts).
    await countFailedDelivery(w, d);
  }

  /** One pass: route what is new, send what is due. */
  async runOnce(): Promise<{ routed: number; attempted: number }> {
    const routed = await this.route();
    const attempted = await this.deliverDue();
    return { routed, attempted };
  }

  /**
   * Runs passes until stopped: when nudged (at most every `minGapMs`, so a burst of writes is
   * routed in one pass rather than one pass per write), else every `idleMs`.
   */
  start(idleMs = 500, minGapMs = 25): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = (async () => {
      while (!this.stopped) {
        let busy = false;
        try {
          // Sends are not awaited here: a lane whose receiver hangs keeps its own slots busy
          // while the next pass claims for every other lane. A finished send wakes the loop.
          const routed = await this.route();
          const started = await this.claimAndStart(200);
          busy = routed > 0 || started.length > 0;
        } catch (error) {
          this.o.logger.error('dispatcher pass failed', { error: describeError(error) });
        }
        if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, minGapMs));
        if (!busy && !this.stopped) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, idleMs);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      }
    })();
  }

  /** Something was emitted: run a pass now instead of at the next idle tick. */
  nudge(): void {
    this.wake?.();
  }

  /** Stops claiming, then waits for every send in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
  }
}

/** What templates and adapters may know of the member: one prepared read, no aliases. */
export async function memberSnapshot(tx: Db, memberId: string): Promise<MemberSnapshot | null> {
  const [m] = await prepared(tx, 'outbox_member_snapshot', (db, { members }) =>
    db
      .select({
        id: members.id,
        email: members.email,
        phone: members.phone,
        consentEmail: members.consentEmail,
        consentSms: members.consentSms,
        firstName: members.firstName,
        lastName: members.lastName,
      })
      .from(members)
      .where(eq(members.id, sql.placeholder('id'))),
  )({ id: memberId });
  return m ?? null;
}

