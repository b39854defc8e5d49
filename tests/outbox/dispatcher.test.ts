/**
 * The outbox end to end, with a real adapter (Slack) and msw standing in for Slack's API at the
 * network edge: a ledger change emits its event in the same transaction, the dispatcher routes
 * it to a delivery and sends it, retrying on the schedule, honouring Retry-After, dead-lettering
 * permanent refusals, and surviving a dispatcher that dies mid-send.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import slack from '../../connectors/slack/index.js';
import { eq } from 'drizzle-orm';
import { silentLogger } from '../../core/observability/logger.js';
import { Dispatcher, type DispatcherOptions } from '../../core/outbox/dispatcher.js';
import type { Router } from '../../core/outbox/routes.js';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Store } from '../../core/storage/store.js';
import { openTempStore, testClock, type TestClock } from '../helpers/test-store.js';
import { testLedger, type TestLedger } from '../helpers/ledger-writes.js';

const SLACK = 'http://slack.test';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Slack answers from `script` in order (the last one repeats); every request is recorded. */
function slackAnswers(...script: (() => Response | Promise<Response>)[]) {
  const seen: { idempotencyKey: string; text: string }[] = [];
  server.use(
    http.post(`${SLACK}/api/chat.postMessage`, async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      const metadata = JSON.parse(form.get('metadata') ?? '{}') as { event_payload?: { idempotency_key?: string } };
      seen.push({ idempotencyKey: metadata.event_payload?.idempotency_key ?? '', text: form.get('text') ?? '' });
      return script[Math.min(seen.length - 1, script.length - 1)]!();
    }),
  );
  return seen;
}
const ok = () => HttpResponse.json({ ok: true, channel: 'C1', ts: '1700000000.000100' });
const serverError = () => new HttpResponse('upstream trouble', { status: 500 });

/** Every points.earned event goes to #loyalty as a Slack message. */
const router: Router = (event) =>
  event.type === 'points.earned'
    ? [{ route: 'mapping:earned-slack#0', adapter: 'slack', options: { channel: '#loyalty', text: `earned ${event.data.points}` } }]
    : [];

describe('dispatcher', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let clock: TestClock;
  let ledger: TestLedger;
  let memberId: string;

  const dispatcher = (overrides: Partial<DispatcherOptions> = {}) =>
    new Dispatcher({
      store,
      commit: ledger.commit,
      router: () => router,
      adapters: new Map([['slack', slack.createAdapter!({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: SLACK })]]),
      logger: silentLogger,
      clock,
      schedule: [5_000, 60_000],
      random: () => 0.5, // no jitter: the schedule exactly
      ...overrides,
    });
  const deliveries = () => store.db.select().from(tablesOf(store.db).deliveries);
  const attempts = () => store.db.select().from(tablesOf(store.db).deliveryAttempts);
  const eventsOf = (type: string) => store.db.select().from(tablesOf(store.db).loyaltyEvents).where(eq(tablesOf(store.db).loyaltyEvents.type, type));

  beforeEach(async () => {
    ({ store, dispose } = await openTempStore());
    clock = testClock();
    ledger = testLedger(store, clock);
    memberId = (await ledger.enroll({ email: 'ann@example.com' })).id;
  });
  afterEach(() => dispose());

  it('writes the event with the ledger change, or not at all', async () => {
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    await expect(ledger.spend({ memberId, points: 41, idempotencyKey: 's1', why: { source: 'api' } })).rejects.toThrow();
    expect((await eventsOf('points.earned')).length).toBe(1);
    expect((await eventsOf('points.spent')).length).toBe(0);
    const [earned] = await eventsOf('points.earned');
    expect(JSON.parse(earned!.data)).toMatchObject({ points: 40, balance: { available: 40 } });
  });

  it('retries 500, 500 and delivers on the third attempt, with one idempotency key', async () => {
    const seen = slackAnswers(serverError, serverError, ok);
    await ledger.earn({ memberId, points: 10, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    expect(await d.runOnce()).toEqual({ routed: 1, attempted: 1 });
    clock.advance(4_999);
    expect((await d.runOnce()).attempted).toBe(0); // not due before the schedule says
    clock.advance(1);
    expect((await d.runOnce()).attempted).toBe(1);
    clock.advance(60_000);
    expect((await d.runOnce()).attempted).toBe(1);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.idempotencyKey)).size).toBe(1);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, id: seen[0]!.idempotencyKey });
    expect((await attempts()).map((a) => [a.outcome, a.statusCode])).toEqual([['retry', 500], ['retry', 500], ['delivered', 200]]);
    expect(await d.runOnce()).toEqual({ routed: 0, attempted: 0 });
  });

  it('waits exactly what Retry-After says on a 429', async () => {
    const seen = slackAnswers(() => new HttpResponse(null, { status: 429, headers: { 'retry-after': '7' } }), ok);
    await ledger.earn({ memberId, points: 10, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    await d.runOnce();
    clock.advance(6_999);
    expect((await d.runOnce()).attempted).toBe(0);
    clock.advance(1);
    expect((await d.runOnce()).attempted).toBe(1);
    expect(seen).toHaveLength(2);
    expect((await deliveries())[0]).toMatchObject({ status: 'delivered' });
  });

  it('dead-letters a permanent refusal at once and emits delivery.failed', async () => {
    const seen = slackAnswers(() => HttpResponse.json({ ok: false, error: 'channel_not_found' }));
    await ledger.earn({ memberId, points: 10, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    await d.runOnce();
    clock.advance(24 * 3_600_000);
    await d.runOnce();
    expect(seen).toHaveLength(1);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1 });
    expect(delivery!.lastError).toMatch(/channel_not_found/);
    const [failed] = await eventsOf('delivery.failed');
    expect(JSON.parse(failed!.data)).toMatchObject({ deliveryId: delivery!.id, adapter: 'slack', attempts: 1 });
  });

  it('dead-letters when the schedule runs out, never drops', async () => {
    const seen = slackAnswers(serverError);
    await ledger.earn({ memberId, points: 10, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    for (let i = 0; i < 5; i++) {
      await d.runOnce();
      clock.advance(60_000);
    }
    expect(seen).toHaveLength(3); // first attempt + one per schedule step
    expect((await deliveries())[0]).toMatchObject({ status: 'dead', attempts: 3, lastStatusCode: 500 });
    expect(await eventsOf('delivery.failed')).toHaveLength(1);
  });

  it('delivers everything, with the same key, after a dispatcher dies mid-send', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    let calls = 0;
    const seen: string[] = [];
    server.use(
      http.post(`${SLACK}/api/chat.postMessage`, async ({ request }) => {
        const form = new URLSearchParams(await request.text());
        seen.push((JSON.parse(form.get('metadata')!) as { event_payload: { idempotency_key: string } }).event_payload.idempotency_key);
        if (++calls <= 3) await stuck; // the first dispatcher's sends never come back
        return ok();
      }),
    );
    for (let i = 0; i < 3; i++) await ledger.earn({ memberId, points: 10 + i, idempotencyKey: `e${i}`, why: { source: 'api' } });
    const first = dispatcher({ leaseMs: 30_000 });
    await first.route();
    void first.deliverDue(); // dies here: its sends hang, nothing is recorded
    while (calls < 3) await new Promise((r) => setTimeout(r, 5));
    // Emitted after the crash, not yet routed: must not be lost either.
    await ledger.earn({ memberId, points: 99, idempotencyKey: 'late', why: { source: 'api' } });

    const second = dispatcher({ leaseMs: 30_000 });
    expect((await second.runOnce()).attempted).toBe(1); // only the new one: the others are leased
    clock.advance(30_000);
    expect((await second.runOnce()).attempted).toBe(3); // leases ran out: taken over
    const rows = await deliveries();
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    const firstKeys = seen.slice(0, 3).sort();
    expect(seen.slice(4).sort()).toEqual(firstKeys); // re-sent with the same idempotency keys
    release(); // the dead dispatcher's late answers must not overwrite anything
    await new Promise((r) => setTimeout(r, 50));
    expect((await deliveries()).map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('records every send in flight before stop() returns, so a restarted hub sends none of them twice', async () => {
    let calls = 0;
    server.use(
      http.post(`${SLACK}/api/chat.postMessage`, async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 300)); // a slow provider: still answering when the hub stops
        return ok();
      }),
    );
    for (let i = 0; i < 3; i++) await ledger.earn({ memberId, points: 10 + i, idempotencyKey: `s${i}`, why: { source: 'api' } });
    const running = dispatcher();
    running.start(10, 1);
    while (calls < 3) await new Promise((r) => setTimeout(r, 5));
    await running.stop(); // a graceful shutdown (SIGTERM) while three sends are in flight
    const rows = await deliveries();
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(rows.every((r) => r.leaseUntil === null)).toBe(true);

    // The next process finds nothing to send: each message went out once.
    clock.advance(120_000);
    expect((await dispatcher().runOnce()).attempted).toBe(0);
    expect(calls).toBe(3);
  });
});
