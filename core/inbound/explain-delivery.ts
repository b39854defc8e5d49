/**
 * "Why no points?" for one received delivery, in plain words (docs/api.md, "Inbox"): what came of
 * each of its trigger events — the rules that applied, those that did not and why, caps, a fraud
 * hold, a suspension, a guest order waiting for its e-mail to enroll — and the ledger lines the
 * event wrote. Read-only.
 *
 * The trace is the one the engine produced when the event was applied, kept in the inbox row
 * (./evaluation-trace.ts). A delivery stored before traces were kept, and a guest order not yet
 * credited, are evaluated now with the same function earning runs (core/program/evaluate.ts), and
 * the answer says so: caps and limits are then those of today.
 */
import { asc, eq } from 'drizzle-orm';
import { counterReader } from '../program/counters.js';
import type { Program } from '../program/compiled-program.js';
import { DAY_MS } from '../program/calendar.js';
import { evaluateTrigger } from '../program/evaluate.js';
import { memberContext } from '../program/member-standing.js';
import { tablesOf } from '../storage/prepared.js';
import type { Db } from '../storage/store.js';
import { orderKey } from '../triggers/order-identity.js';
import type { TriggerEvent } from '../triggers/trigger-event.js';
import { traceOf, type EvaluationTrace } from './evaluation-trace.js';
import type { InboxRow } from './inbox.js';
import type { StoredOutcome } from './process-delivery.js';

/** How many ledger lines of one event are listed (an event writes a handful: one per rule). */
const MAX_LINES = 50;

export interface LedgerLine {
  transferId: string;
  kind: string;
  amount: number;
  ruleId: string | null;
  pending: boolean;
  reason: string | null;
  at: number;
}

export interface EventExplanation {
  eventId: string;
  type: string;
  status: StoredOutcome['status'] | null;
  memberId: string | null;
  points: number;
  /** One or a few sentences a support agent can repeat to the customer. */
  summary: string[];
  trace: EvaluationTrace | null;
  /** `delivery`: the engine's own trace when it applied the event; `now`: evaluated now (see above). */
  traceFrom: 'delivery' | 'now' | null;
  guest: { email: string | null; creditUntil: number | null; creditedTo: string | null } | null;
  ledger: LedgerLine[];
}

export interface DeliveryExplanation {
  inboxId: string;
  status: string;
  summary: string;
  events: EventExplanation[];
}

const when = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const pts = (n: number): string => `${n} point${Math.abs(n) === 1 ? '' : 's'}`;

export async function explainDelivery(db: Db, program: Program, now: number, row: InboxRow): Promise<DeliveryExplanation> {
  const events = row.events ? (JSON.parse(row.events) as TriggerEvent[]) : [];
  const outcome = row.outcome ? (JSON.parse(row.outcome) as unknown) : null;
  const stored = Array.isArray(outcome) ? (outcome as StoredOutcome[]) : [];
  const explained: EventExplanation[] = [];
  for (const event of events) {
    explained.push(await explainEvent(db, program, now, row, event, stored.find((o) => o.eventId === event.id)));
  }
  return { inboxId: row.id, status: row.status, summary: deliverySummary(row, outcome, explained), events: explained };
}

function deliverySummary(row: InboxRow, outcome: unknown, events: EventExplanation[]): string {
  const o = (outcome && !Array.isArray(outcome) ? outcome : {}) as { reason?: string; detail?: string; error?: string };
  const erased = row.erasedAt !== null ? ` The person it was about was erased on ${when(row.erasedAt)}: its body and customer data are gone.` : '';
  switch (row.status) {
    case 'processing':
      return `Being processed now.${erased}`;
    case 'ignored':
      return `Not about loyalty: ${o.reason ?? 'the connector ignored it'}. Nothing was written.${erased}`;
    case 'rejected':
      return `Rejected: ${o.detail ?? 'the payload could not be used'}. Nothing was written; once the cause is fixed, replay it.${erased}`;
    case 'failed':
      return `Could not be processed when it arrived (${o.error ?? 'a transient error'}). Nothing was written; the platform's retry, or a replay, processes it again.${erased}`;
    default: {
      const written = events.reduce((n, e) => n + (e.status === 'duplicate' ? 0 : e.points), 0);
      return `Accepted: ${events.length} event${events.length === 1 ? '' : 's'}, ${pts(written)} written.${erased}`;
    }
  }
}

async function explainEvent(db: Db, program: Program, now: number, row: InboxRow, event: TriggerEvent, o: StoredOutcome | undefined): Promise<EventExplanation> {
  const base: EventExplanation = {
    eventId: event.id,
    type: event.type,
    status: o?.status ?? null,
    memberId: o?.memberId ?? null,
    points: o?.points ?? 0,
    summary: [],
    trace: o?.trace ?? null,
    traceFrom: o?.trace ? 'delivery' : null,
    guest: null,
    ledger: await ledgerLines(db, event.id),
  };
  if (!o) {
    base.summary.push(row.status === 'accepted' ? 'No outcome was recorded for this event.' : 'Not applied: the delivery was not accepted.');
    return base;
  }
  switch (o.status) {
    case 'guest':
      return explainGuest(db, program, now, row, event, base);
    case 'parked':
      base.summary.push(`A refund whose order has not arrived yet: it is applied when the order comes.${o.detail ? ` (${o.detail})` : ''}`);
      return base;
    case 'duplicate':
      base.summary.push(`Already applied before (this delivery, or the same ${event.type} from elsewhere): nothing was written again.${o.detail && o.detail !== 'applied' ? ` The first time: ${o.detail}.` : ''}`);
      return base;
    default:
      break;
  }
  if (!base.trace && o.memberId && row.erasedAt === null && evaluable(event)) {
    base.trace = traceOf(await evaluateTrigger(program, event, await memberContext(db, program, o.memberId), counterReader(db), now));
    base.traceFrom = 'now';
  }
  const who = o.memberId ? ` for member ${o.memberId}` : '';
  if (o.points > 0) base.summary.push(`Earned ${pts(o.points)}${who}.`);
  else if (o.points < 0) base.summary.push(`Took back ${pts(-o.points)}${who}.`);
  else base.summary.push(o.detail ? `${capitalized(o.detail)}.` : `No points${who}.`);
  const t = base.trace;
  if (t) {
    if (t.held) base.summary.push(`Held for review until ${when(t.held.until)}: ${t.held.reason}. An admin approves or rejects them.`);
    if (t.suspended) base.summary.push('The member is suspended: the points are pending until the account is reactivated.');
    const later = t.lines.filter((l) => l.points > 0 && l.activatesAt > row.receivedAt + 1000);
    if (!t.held && !t.suspended && later.length) base.summary.push(`Pending until ${when(Math.max(...later.map((l) => l.activatesAt)))} (the rule's pendingDays, e.g. a returns window).`);
    if (base.traceFrom === 'now') base.summary.push('This delivery came before the hub kept evaluation traces: the rules below are evaluated now, with the member\'s tier, caps and limits as they stand today.');
  }
  return base;
}

/** A guest order: credited when its e-mail enrolls within `guests.creditWithinDays` (core/program/orders.ts). */
async function explainGuest(db: Db, program: Program, now: number, row: InboxRow, event: TriggerEvent, base: EventExplanation): Promise<EventExplanation> {
  if (event.type !== 'order.paid') {
    base.summary.push('Waits for a customer the hub does not know yet.');
    return base;
  }
  const { orders } = tablesOf(db);
  const [order] = await db.select().from(orders).where(eq(orders.key, orderKey(event.source, event.order.id)));
  const email = event.customer?.email ?? null;
  const days = program.config.guests.creditWithinDays;
  const creditUntil = days > 0 ? event.occurredAt + days * DAY_MS : null;
  base.guest = { email, creditUntil, creditedTo: order?.status !== 'guest' ? (order?.memberId ?? null) : null };
  if (base.guest.creditedTo) {
    base.summary.push(`A guest order, credited to member ${base.guest.creditedTo} when that e-mail enrolled (${pts(Number(order!.earned))}).`);
    return base;
  }
  if (!email) {
    base.summary.push('A guest order without an e-mail and without a customer account: no points, and no way to credit it later.');
    return base;
  }
  base.summary.push(`No points yet: a guest order — no member has the e-mail ${email}.`);
  if (creditUntil === null) base.summary.push('The program does not credit guest orders later (guests.creditWithinDays: 0).');
  else if (creditUntil < now) base.summary.push(`It could be credited if that e-mail enrolled by ${when(creditUntil)}; that time has passed.`);
  else base.summary.push(`Its points are credited if that e-mail enrolls by ${when(creditUntil)} (guests.creditWithinDays: ${days}).`);
  if (row.erasedAt === null && creditUntil !== null && creditUntil >= now) {
    // What it would earn on enrolling today: evaluated as a new member of the base tier, as POST /v1/evaluate does.
    const member = { tier: program.tiers[0]?.id ?? null, segments: [], attributes: {} };
    base.trace = traceOf(await evaluateTrigger(program, event, member, counterReader(db), now));
    base.traceFrom = 'now';
    base.summary.push(`Enrolling now, it would earn ${pts(base.trace.total)} (evaluated now, as a new member).`);
  }
  return base;
}

/** The triggers the rules engine judges (refunds, cancellations and platform facts are not rules' work). */
function evaluable(event: TriggerEvent): boolean {
  return !['order.refunded', 'order.cancelled', 'voucher.used', 'voucher.cancelled', 'points.mirrored'].includes(event.type);
}

async function ledgerLines(db: Db, eventId: string): Promise<LedgerLine[]> {
  const { transfers: t } = tablesOf(db);
  const rows = await db
    .select({ id: t.id, kind: t.kind, amount: t.amount, ruleId: t.ruleId, pending: t.pending, reason: t.reason, createdAt: t.createdAt })
    .from(t)
    .where(eq(t.eventId, eventId))
    .orderBy(asc(t.seq))
    .limit(MAX_LINES);
  return rows.map((r) => ({ transferId: r.id, kind: r.kind, amount: Number(r.amount), ruleId: r.ruleId, pending: Boolean(r.pending), reason: r.reason, at: r.createdAt }));
}

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
