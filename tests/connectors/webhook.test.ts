/**
 * Signed outbound webhooks end to end: endpoints in the database, the endpoint router, the real
 * dispatcher and the `webhook` adapter, with msw as the receiver at the network edge. The
 * receiver checks our signature the way a merchant would: `new Webhook(secret).verify(...)`
 * from the `standardwebhooks` package.
 */
import { connectorState } from '../../core/connectors/connector-state.js';
import { eq } from 'drizzle-orm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import webhook from '../../connectors/webhook/index.js';
import { createEndpointRouter, type EndpointRouter } from '../../connectors/webhook/endpoint-router.js';
import { silentLogger } from '../../core/observability/logger.js';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  rotateWebhookSecret,
  type NewWebhookEndpoint,
} from '../../core/outbound/webhook-endpoints.js';
import { Dispatcher } from '../../core/outbox/dispatcher.js';
import type { LoyaltyEventType } from '../../core/outbox/loyalty-events.js';
import { tablesOf } from '../../core/storage/prepared.js';
import type { Store } from '../../core/storage/store.js';
import { openTempStore } from '../helpers/test-store.js';
import { testLedger, type TestLedger } from '../helpers/ledger-writes.js';

const HOUR = 3_600_000;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A receiver at `url`: records every request and answers from `script` (the last one repeats). */
function receiver(url: string, ...script: (() => Response)[]): Received[] {
  const seen: Received[] = [];
  server.use(
    http.post(url, async ({ request }) => {
      seen.push({ headers: Object.fromEntries(request.headers), body: await request.text() });
      return (script[Math.min(seen.length - 1, script.length - 1)] ?? (() => new HttpResponse(null, { status: 204 })))();
    }),
  );
  return seen;
}

/** What a merchant's receiver does: verify with its secret, or say why not. */
function verifies(secret: string, r: Received): boolean {
  try {
    new Webhook(secret).verify(r.body, r.headers);
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

describe('signed webhooks', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let ledger: TestLedger;
  let endpoints: EndpointRouter;
  let memberId: string;
  // Receivers check `webhook-timestamp` against their own clock (Date.now): the hub's clock is
  // the same one, and tests move both with fake Date.
  const clock = () => Date.now();
  const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

  const dispatcher = () =>
    new Dispatcher({
      store,
      commit: ledger.commit,
      router: () => endpoints.router,
      adapters: new Map([['webhook', webhook.createAdapter({}, { store, commit: ledger.commit, state: connectorState(store, ledger.commit, 'webhook') })]]),
      logger: silentLogger,
      clock,
      schedule: [5_000, 60_000],
      random: () => 0.5, // no jitter
    });
  const deliveries = () => store.db.select().from(tablesOf(store.db).deliveries);
  const subscribe = (input: NewWebhookEndpoint) => createWebhookEndpoint({ store, commit: ledger.commit }, input);
  const earn = (points: number, key: string) => ledger.earn({ memberId, points, idempotencyKey: key, why: { source: 'api' } });

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    ({ store, dispose } = await openTempStore());
    ledger = testLedger(store, clock);
    endpoints = createEndpointRouter(store, { refreshMs: 0 });
    memberId = (await ledger.enroll({ email: 'ann@example.com' })).id;
    // The enrollment's member.enrolled is routed (to no endpoint yet) before each test starts.
    await endpoints.refresh();
    await dispatcher().runOnce();
  });
  afterEach(async () => {
    endpoints.close();
    vi.useRealTimers();
    await dispose();
  });

  it('signs every message so that a standardwebhooks receiver verifies it', async () => {
    const seen = receiver('https://shop.example/hooks');
    const { endpoint, secret } = await subscribe({ url: 'https://shop.example/hooks' });
    await earn(40, 'e1');
    expect(await dispatcher().runOnce()).toEqual({ routed: 1, attempted: 1 });

    expect(seen).toHaveLength(1);
    const [message] = seen;
    const payload = new Webhook(secret).verify(message!.body, message!.headers);
    expect(payload).toMatchObject({
      type: 'points.earned',
      timestamp: new Date(clock()).toISOString(),
      data: { memberId, points: 40, balance: { available: 40 } },
    });
    expect((payload as { data: { id: string } }).data.id).toMatch(/^evt_/);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ route: `endpoint:${endpoint.id}`, adapter: 'webhook', status: 'delivered', lastStatusCode: 204 });
    expect(message!.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': delivery!.id,
      'webhook-timestamp': String(Math.floor(clock() / 1000)),
    });
    expect(message!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // Tampering is caught: another body, or another secret, does not verify.
    expect(verifies(secret, { ...message!, body: message!.body.replace('40', '4000') })).toBe(false);
    expect(verifies((await subscribe({ url: 'https://other.example/' })).secret, message!)).toBe(false);
  });

  it('during a rotation overlap, receivers holding the old and the new secret both verify; after it, only the new', async () => {
    const seen = receiver('https://shop.example/hooks');
    const { endpoint, secret: oldSecret } = await subscribe({ url: 'https://shop.example/hooks' });
    const rotated = await rotateWebhookSecret({ store, commit: ledger.commit }, endpoint.id, 2 * HOUR);
    const newSecret = rotated!.secret;
    expect(newSecret).not.toBe(oldSecret);

    await earn(10, 'during');
    await dispatcher().runOnce();
    expect(seen[0]!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifies(oldSecret, seen[0]!)).toBe(true);
    expect(verifies(newSecret, seen[0]!)).toBe(true);

    advance(2 * HOUR + 1);
    await earn(10, 'after');
    await dispatcher().runOnce();
    expect(seen).toHaveLength(2);
    expect(seen[1]!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(verifies(oldSecret, seen[1]!)).toBe(false);
    expect(verifies(newSecret, seen[1]!)).toBe(true);
  });

  it('an overlap of 0 revokes the old secret at once', async () => {
    const seen = receiver('https://shop.example/hooks');
    const { endpoint, secret: oldSecret } = await subscribe({ url: 'https://shop.example/hooks' });
    const { secret: newSecret } = (await rotateWebhookSecret({ store, commit: ledger.commit }, endpoint.id, 0))!;
    await earn(10, 'e1');
    await dispatcher().runOnce();
    expect(verifies(oldSecret, seen[0]!)).toBe(false);
    expect(verifies(newSecret, seen[0]!)).toBe(true);
  });

  it('routes an event only to the endpoints whose filter it passes', async () => {
    const earnedOnly = receiver('https://a.example/hooks');
    const spentOnly = receiver('https://b.example/hooks');
    const everything = receiver('https://c.example/hooks');
    const a = await subscribe({ url: 'https://a.example/hooks', eventTypes: ['points.earned'] });
    const b = await subscribe({ url: 'https://b.example/hooks', eventTypes: ['points.spent', 'tier.upgraded'] });
    const c = await subscribe({ url: 'https://c.example/hooks' });

    await earn(50, 'e1');
    await ledger.spend({ memberId, points: 20, idempotencyKey: 's1', why: { source: 'api' } });
    await dispatcher().runOnce();

    const types = (seen: Received[]) => seen.map((r) => (JSON.parse(r.body) as { type: LoyaltyEventType }).type);
    expect(types(earnedOnly)).toEqual(['points.earned']);
    expect(types(spentOnly)).toEqual(['points.spent']);
    expect(types(everything).sort()).toEqual(['points.earned', 'points.spent']);
    expect(verifies(a.secret, earnedOnly[0]!) && verifies(b.secret, spentOnly[0]!) && everything.every((r) => verifies(c.secret, r))).toBe(true);
    // Not routed means no delivery at all, not a skipped one.
    expect((await deliveries()).map((d) => d.route).sort()).toEqual(
      [`endpoint:${a.endpoint.id}`, `endpoint:${b.endpoint.id}`, `endpoint:${c.endpoint.id}`, `endpoint:${c.endpoint.id}`].sort(),
    );
  });

  it('410 Gone disables the endpoint, and later events are not routed to it', async () => {
    const gone = receiver('https://gone.example/hooks', () => new HttpResponse('no such hook', { status: 410 }));
    const alive = receiver('https://alive.example/hooks');
    const { endpoint } = await subscribe({ url: 'https://gone.example/hooks' });
    const other = await subscribe({ url: 'https://alive.example/hooks', eventTypes: ['points.earned'] });

    await earn(10, 'e1');
    await dispatcher().runOnce();
    expect(gone).toHaveLength(1);
    const [dead] = (await deliveries()).filter((d) => d.route === `endpoint:${endpoint.id}`);
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: 410 });
    expect(dead!.lastError).toMatch(/410 Gone.*disabled$/);
    // The receiver's body is never kept: a read key must not learn what a host answered.
    expect(dead!.lastError).not.toContain('no such hook');
    expect(await getWebhookEndpoint(store.db, endpoint.id)).toMatchObject({ status: 'disabled', disabledReason: expect.stringMatching(/410 Gone/) });

    // No refresh() here: the router heard of the change from the adapter, in this process.
    await earn(10, 'e2');
    advance(HOUR);
    await dispatcher().runOnce();
    await dispatcher().runOnce();
    expect(gone).toHaveLength(1);
    expect(alive).toHaveLength(2);
    const routes = (await deliveries()).map((d) => d.route);
    expect(routes.filter((r) => r === `endpoint:${endpoint.id}`)).toHaveLength(1);
    expect(routes.filter((r) => r === `endpoint:${other.endpoint.id}`)).toHaveLength(2);
  });

  it('sends a retry with the same webhook-id (and a fresh timestamp), both verifiable', async () => {
    const seen = receiver('https://shop.example/hooks', () => new HttpResponse('busy', { status: 503 }), () => new HttpResponse(null, { status: 200 }));
    const { secret } = await subscribe({ url: 'https://shop.example/hooks' });
    await earn(10, 'e1');
    const d = dispatcher();
    await d.runOnce();
    advance(5_000);
    expect((await d.runOnce()).attempted).toBe(1);

    expect(seen).toHaveLength(2);
    const [first, second] = seen;
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(first!.headers['webhook-id']).toBe(delivery!.id);
    expect(second!.headers['webhook-id']).toBe(delivery!.id);
    expect(second!.body).toBe(first!.body);
    expect(Number(second!.headers['webhook-timestamp']) - Number(first!.headers['webhook-timestamp'])).toBe(5);
    expect(verifies(secret, first!) && verifies(secret, second!)).toBe(true);
  });

  it('skips what is queued for an endpoint deleted before its turn, without a request', async () => {
    receiver('https://shop.example/hooks');
    const { endpoint } = await subscribe({ url: 'https://shop.example/hooks' });
    await earn(10, 'e1');
    const d = dispatcher();
    await d.route();
    await deleteWebhookEndpoint({ store, commit: ledger.commit }, endpoint.id);
    await d.deliverDue();
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'skipped' });
    expect(delivery!.lastError).toMatch(/no longer exists/);
    // And the router forgot it: the next event makes no delivery.
    await earn(10, 'e2');
    expect(await d.route()).toBe(0);
  });

  it('does not follow redirects: signed data goes to the registered URL only', async () => {
    receiver('https://shop.example/hooks', () => new HttpResponse(null, { status: 301, headers: { location: 'https://elsewhere.example/' } }));
    await subscribe({ url: 'https://shop.example/hooks' });
    await earn(10, 'e1');
    await dispatcher().runOnce();
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'dead', lastStatusCode: 301 });
    expect(delivery!.lastError).toMatch(/redirects are not followed/);
  });

  it('picks up endpoints created elsewhere on its periodic refresh', async () => {
    const periodic = createEndpointRouter(store, { refreshMs: 20 });
    try {
      await periodic.refresh();
      // Written behind the router's back (another process): no change notification.
      const t = tablesOf(store.db);
      await store.transaction((tx) =>
        tx.insert(t.webhookEndpoints).values({ id: 'we_elsewhere', url: 'https://x.example/', secrets: '[{"secret":"whsec_MfKQ9r8PKmPkFPLzP6Lh1kTQW3dVzQ7s","expiresAt":null}]', createdAt: 0, updatedAt: 0 }),
      );
      const event = { id: 'evt_1', type: 'points.earned' as const, occurredAt: new Date().toISOString(), memberId, data: { points: 1 } };
      expect(periodic.router(event, null)).toEqual([]);
      await vi.waitFor(() => expect(periodic.router(event, null).map((r) => r.route)).toEqual(['endpoint:we_elsewhere']), { timeout: 2_000, interval: 10 });
      await store.transaction((tx) => tx.update(t.webhookEndpoints).set({ status: 'disabled' }).where(eq(t.webhookEndpoints.id, 'we_elsewhere')));
      await vi.waitFor(() => expect(periodic.router(event, null)).toEqual([]), { timeout: 2_000, interval: 10 });
    } finally {
      periodic.close();
    }
  });
});
