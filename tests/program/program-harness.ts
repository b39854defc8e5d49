/**
 * Helpers for the program tests: a whole hub (real database, real app, injectable clock) running
 * either the shipped `config/program.yaml` or a small inline program, driven through the HTTP
 * API. The ledger invariants are checked after every test by `hubHarness`.
 */
import type { z } from '@hono/zod-openapi';
import { asc } from 'drizzle-orm';
import { beforeEach, expect } from 'vitest';
import { stringify } from 'yaml';
import type { BalanceSchema } from '../../core/api/schemas.js';
import { parseProgram } from '../../core/program/load-program.js';
import { spend } from '../../core/ledger/index.js';
import { runProgramDue } from '../../core/program/due-work.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json, type HubHarness } from '../helpers/test-hub.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
/** Monday 2 March 2026, 15:00 UTC: every program test starts here. */
export const T0 = Date.parse('2026-03-02T15:00:00.000Z');
export const iso = (ms: number) => new Date(ms).toISOString();

/** `GET /v1/members/{id}/balance` as the API's own response schema types it. */
export type Balance = z.infer<typeof BalanceSchema>;

export interface Tx {
  id: string;
  kind: string;
  amount: number;
  effect: Record<string, number>;
  source: string;
  ruleId: string | null;
  eventId: string | null;
  reason: string | null;
  reversesId: string | null;
  metadata: Record<string, unknown> | null;
}

export interface EventResult {
  status: 'accepted' | 'duplicate' | 'guest' | 'parked';
  eventId: string;
  memberId: string | null;
  enrolled: boolean;
  points: number;
  detail?: string;
  transactions: Tx[];
}

export interface EvaluationLine {
  ruleId: string;
  award: string;
  points: number;
  uncapped: number;
  cappedBy: string[];
  explanation: string;
  activatesAt: string;
  expiresAt: string | null;
}

export interface Evaluation {
  on: string;
  memberId: string | null;
  tier: string | null;
  total: number;
  lines: EvaluationLine[];
  skipped: { ruleId: string; reason: string }[];
  limited: { limit: string; requested: number; awarded: number; ruleId?: string }[];
  held: { reason: string; until: string } | null;
}

export interface LoyaltyEventRow {
  type: string;
  memberId: string | null;
  data: Record<string, unknown>;
  occurredAt: number;
}

export interface OrderFacts {
  id?: string;
  amount: number;
  currency?: string;
  channel?: string;
  location?: string;
  discountCodes?: string[];
  lineItems?: { id?: string; sku?: string; category?: string; quantity: number; unitPrice: number; total?: number }[];
}

/** A program written as data, turned into YAML and loaded the way a file is. */
export function programYaml(program: Record<string, unknown>): string {
  return stringify({ name: 'test program', ...program });
}

export type ProgramHarness = ReturnType<typeof programHarness>;

/**
 * A hub per test on a fresh database with the clock at T0. `program` is inline (an object or
 * YAML text) or, when absent, the shipped config/program.yaml.
 */
export function programHarness(program?: Record<string, unknown> | string, start = T0) {
  const h: HubHarness = hubHarness(
    program === undefined ? {} : { program: parseProgram(typeof program === 'string' ? program : programYaml(program), 'test.yaml') },
  );
  beforeEach(() => h.clock.set(start));
  let orders = 0;
  let events = 0;

  const api = {
    h,
    get clock() {
      return h.clock;
    },

    async enroll(email = `m${++events}@example.com`, extra: Record<string, unknown> = {}): Promise<string> {
      const res = await h.call('POST', '/v1/members', { scope: 'write', body: { email, ...extra } });
      expect(res.status).toBe(201);
      return (await json<{ id: string }>(res)).id;
    },

    async setTier(memberId: string, tier: string | null): Promise<void> {
      const res = await h.call('PATCH', `/v1/members/${memberId}`, { scope: 'write', body: { tier } });
      expect(res.status).toBe(200);
    },

    /** POST /v1/events; fails the test unless it is accepted (201) or a duplicate (200). */
    async post(body: Record<string, unknown>): Promise<EventResult> {
      const res = await h.call('POST', '/v1/events', { scope: 'write', body });
      const out = await json<EventResult>(res);
      expect([200, 201], JSON.stringify(out)).toContain(res.status);
      return out;
    },

    orderEvent(customer: Record<string, unknown> | string, order: OrderFacts, extra: Record<string, unknown> = {}) {
      return {
        type: 'order.paid',
        customer: typeof customer === 'string' ? { memberId: customer } : customer,
        order: { id: `o-${++orders}`, currency: 'USD', ...order },
        ...extra,
      };
    },

    order(customer: Record<string, unknown> | string, order: OrderFacts, extra: Record<string, unknown> = {}) {
      return api.post(api.orderEvent(customer, order, extra));
    },

    activity(memberId: string, name: string, extra: Record<string, unknown> = {}) {
      return api.post({ type: 'activity', name, id: `act-${++events}`, customer: { memberId }, ...extra });
    },

    refund(memberId: string, orderId: string, refund: { amount?: number; full?: boolean; currency?: string }, refundId = `auto-refund-${++events}`) {
      return api.post({ type: 'order.refunded', customer: { memberId }, refund: { orderId, refundId, currency: 'USD', ...refund } });
    },

    async evaluate(event: Record<string, unknown>, tier?: string): Promise<Evaluation> {
      const res = await h.call('POST', '/v1/evaluate', { scope: 'read', body: { event, ...(tier ? { tier } : {}) } });
      expect(res.status).toBe(200);
      return json<Evaluation>(res);
    },

    async balance(memberId: string): Promise<Balance> {
      const res = await h.call('GET', `/v1/members/${memberId}/balance`, { scope: 'read' });
      expect(res.status).toBe(200);
      return json<Balance>(res);
    },

    /** The member's whole history, oldest first. */
    async history(memberId: string): Promise<Tx[]> {
      const res = await h.call('GET', `/v1/members/${memberId}/transactions?limit=200`, { scope: 'read' });
      return (await json<{ data: Tx[] }>(res)).data.reverse();
    },

    /** Loyalty events in the outbox, oldest first, optionally of one type. */
    async loyaltyEvents(type?: string, memberId?: string): Promise<LoyaltyEventRow[]> {
      const { loyaltyEvents: e } = tablesOf(h.hub.store.db);
      const rows = await h.hub.store.db.select().from(e).orderBy(asc(e.seq));
      return rows
        .map((r) => ({ type: r.type, memberId: r.memberId, data: JSON.parse(r.data) as Record<string, unknown>, occurredAt: Number(r.occurredAt) }))
        .filter((r) => (type === undefined || r.type === type) && (memberId === undefined || r.memberId === memberId));
    },

    /** What the scheduler does on a tick: the ledger's due work, then the program's. */
    async tick() {
      const ledger = await h.hub.ledger.runDue();
      const program = await runProgramDue(h.hub, h.hub.program);
      return { ...ledger, ...program };
    },

    /** Spends points the way a redemption does (the rewards API is not built yet). */
    spend(memberId: string, points: number) {
      const input = { memberId, points, idempotencyKey: `spend:${++events}`, why: { source: 'redemption' as const, reason: 'test redemption' } };
      return h.hub.commit('test', (w) => w.post(spend, input));
    },
  };
  return api;
}

/** Earn lines of an event's transactions as `ruleId → points`. */
export function earnedByRule(result: { transactions: Tx[] }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of result.transactions) if (t.kind === 'earn') out[t.ruleId ?? t.source] = (out[t.ruleId ?? t.source] ?? 0) + t.amount;
  return out;
}
