/**
 * A whole hub whose mappings folder holds copies of shipped mapping files, with the real SendGrid
 * adapter and msw standing in for SendGrid's API (onUnhandledRequest: 'error'): what a member
 * receives for an order, an activity or a crossing (tests/program/one-message-per-order.test.ts,
 * tests/program/threshold-reached.test.ts). The program is the shipped one unless given inline.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { asc } from 'drizzle-orm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import sendgrid from '../../connectors/sendgrid/index.js';
import type { LoyaltyEvent, LoyaltyEventType } from '../../core/outbox/loyalty-events.js';
import { parseProgram } from '../../core/program/load-program.js';
import { runProgramDue } from '../../core/program/due-work.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { programYaml, T0 } from './program-harness.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export function messageHarness(shippedFiles: string[], program?: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'loyalty-hub-shipped-'));
  for (const file of shippedFiles) copyFileSync(file, join(dir, basename(file)));
  const server = setupServer();
  const mails: Mail[] = [];
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    mails.length = 0;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const h = hubHarness({
    connectors: [sendgrid],
    ...(program ? { program: parseProgram(programYaml(program), 'test.yaml') } : {}),
    env: {
      LOYALTY_MAPPINGS: dir,
      SENDGRID_API_KEY: 'SG.test-key',
      SENDGRID_FROM: 'loyalty@shop.example',
      SENDGRID_API_URL: 'http://sendgrid.test',
    },
  });
  beforeEach(() => {
    h.clock.set(T0);
    server.use(
      http.post('http://sendgrid.test/v3/mail/send', async ({ request }) => {
        const body = (await request.json()) as { personalizations: { to: { email: string }[] }[]; subject: string; content: { type: string; value: string }[] };
        mails.push({ to: body.personalizations[0]!.to[0]!.email, subject: body.subject, text: body.content.find((c) => c.type === 'text/plain')?.value ?? '' });
        return new HttpResponse(null, { status: 202 });
      }),
    );
  });

  let n = 0;
  const api = {
    h,
    mails,
    /** msw's server standing in for SendGrid: a test may answer otherwise (`server.use`). */
    server,
    async enroll(email = `m${++n}@example.com`): Promise<string> {
      const res = await h.call('POST', '/v1/members', { scope: 'write', body: { email, firstName: 'Ann', consent: { email: true } } });
      expect(res.status).toBe(201);
      return (await json<{ id: string }>(res)).id;
    },
    async post(body: Record<string, unknown>): Promise<Record<string, unknown>> {
      const res = await h.call('POST', '/v1/events', { scope: 'write', body });
      const out = await json(res);
      expect([200, 201], JSON.stringify(out)).toContain(res.status);
      return out;
    },
    /** An order paid, amount in minor units (12_000 = 120.00 USD). */
    order(customer: Record<string, unknown> | string, amount: number, id = `o-${++n}`) {
      return api.post({ type: 'order.paid', customer: typeof customer === 'string' ? { memberId: customer } : customer, order: { id, currency: 'USD', amount } });
    },
    /** An activity carrying its own points (POST /v1/events). */
    activity(memberId: string, points: number, name = 'purchase.bonus') {
      return api.post({ type: 'activity', name, id: `act-${++n}`, customer: { memberId }, points });
    },
    async adjust(memberId: string, points: number) {
      const res = await h.call('POST', `/v1/members/${memberId}/adjustments`, { body: { points, reason: 'goodwill' } });
      expect(res.status).toBe(201);
    },
    /** The outbox, oldest first, of some types and one member. */
    async events(types: LoyaltyEventType[], memberId?: string): Promise<LoyaltyEvent[]> {
      const { loyaltyEvents: e } = tablesOf(h.hub.store.db);
      const rows = await h.hub.store.db.select().from(e).orderBy(asc(e.seq));
      return rows
        .map((r) => ({ id: r.id, type: r.type as LoyaltyEventType, occurredAt: new Date(Number(r.occurredAt)).toISOString(), memberId: r.memberId, data: JSON.parse(r.data) as LoyaltyEvent['data'] }))
        .filter((r) => types.includes(r.type) && (memberId === undefined || r.memberId === memberId));
    },
    /** Every message due, sent. */
    async dispatch(): Promise<Mail[]> {
      await h.hub.notifications.dispatcher.runOnce();
      return [...mails];
    },
    /** The scheduler's tick: the ledger's due work, then the program's. */
    async tick() {
      await h.hub.ledger.runDue();
      await runProgramDue(h.hub, h.hub.program);
    },
  };
  return api;
}
