/**
 * The shipped `loyaltylion-side-by-side.yaml` through a whole hub (real database, real dispatcher)
 * against msw standing in for LoyaltyLion: off as shipped; switched on, an earn and a debit reach
 * LoyaltyLion as documented, a 429 with Retry-After is retried exactly then, a 400 is
 * dead-lettered with LoyaltyLion's reason and raises delivery.failed; and `mappings check`
 * refuses a bad option with its file, line and reason.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import loyaltylion from '../../connectors/loyaltylion/index.js';
import { discoverConnectors } from '../../core/connectors/discover.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, sampleEvent } from '../../core/mappings/index.js';
import type { LoyaltyEvent } from '../../core/outbox/loyalty-events.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

const API = 'http://loyaltylion.test';
const ENV = { LOYALTYLION_TOKEN: 'll-api-key-hub', LOYALTYLION_SECRET: 'site-secret', LOYALTYLION_API_URL: API, LOYALTYLION_STORE_PLATFORM: 'shopify' };
const FILE = join(import.meta.dirname, '../../mappings/loyaltylion-side-by-side.yaml');
const shipped = readFileSync(FILE, 'utf8');
const switchedOn = shipped.replace('when: &loyaltylion-side-by-side "false &&', 'when: &loyaltylion-side-by-side "true &&');

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const dir = mkdtempSync(join(tmpdir(), 'll-hub-mappings-'));
writeFileSync(join(dir, 'loyaltylion-side-by-side.yaml'), switchedOn);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Call { path: string; authorization: string | null; body: unknown }

/** LoyaltyLion's two endpoints; `answer` may replace the documented 201/204 for a call. */
function loyaltyLionApi(answer: (call: Call) => Response | undefined = () => undefined): Call[] {
  const calls: Call[] = [];
  const handle = (ok: number) => async ({ request }: { request: Request }) => {
    const call = { path: new URL(request.url).pathname, authorization: request.headers.get('authorization'), body: await request.json() };
    calls.push(call);
    return answer(call) ?? new HttpResponse(null, { status: ok });
  };
  server.use(http.post(`${API}/v2/customers/:id/points`, handle(201)), http.post(`${API}/v2/customers/:id/remove_points`, handle(204)));
  return calls;
}

describe('loyaltylion-side-by-side.yaml', () => {
  it('loads with the real adapters, and is off as shipped: no points event sends anything', async () => {
    const { adapters } = adapterDescriptors(await discoverConnectors(), {});
    const loaded = loadMappingFile(FILE, adapters);
    expect(loaded.problems).toEqual([]);
    expect(loaded.mappings.map((m) => m.on)).toEqual(['points.earned', 'points.activated', 'points.spent', 'points.expired', 'points.reversed']);
    for (const type of ['points.earned', 'points.activated', 'points.spent', 'points.expired', 'points.reversed'] as const) {
      expect(mappingActionsFor(loaded.mappings, sampleEvent(type)), type).toEqual([]);
    }
    const on = loadMappingFile(FILE, adapters, switchedOn);
    expect(on.problems).toEqual([]);
    const event = (type: LoyaltyEvent['type'], data: Record<string, unknown>): LoyaltyEvent => {
      const sample = sampleEvent(type);
      return { ...sample, data: { ...sample.data, ...data } };
    };
    const sent = (e: LoyaltyEvent) => mappingActionsFor(on.mappings, e).map((a) => a.options);
    expect(sent(event('points.earned', { points: 250, reason: null, eventId: 'shopify:order:1' }))).toEqual([{ points: 250, reason: 'Points earned' }]);
    expect(sent(event('points.spent', { points: 500, eventId: null }))).toEqual([{ points: -500, reason: 'Points spent' }]);
    expect(sent(event('points.reversed', { points: 80, kind: 'adjust', lotId: null }))).toEqual([{ points: -80, reason: 'Points corrected' }]);
    // What LoyaltyLion moved itself (points.mirrored) is never sent back.
    expect(sent(event('points.earned', { points: 50, kind: 'adjust', eventId: 'loyaltylion:transaction:9001' }))).toEqual([]);
  });

  it('mappings check refuses a bad option with the file, the line and the reason', async () => {
    const { adapters } = adapterDescriptors(await discoverConnectors(), {});
    const broken = switchedOn.replace('points: "-{{ points }}"\n    reason: "Points spent"', 'points: "-{{ points }}"\n    reson: "Points spent"');
    expect(broken).not.toBe(switchedOn);
    const loaded = loadMappingFile(FILE, adapters, broken);
    expect(loaded.problems).toHaveLength(1);
    const line = broken.split('\n').findIndex((l) => l.includes('reson:')) + 1;
    expect(loaded.problems[0]).toEqual({ file: FILE, line, path: '[2].send.reson', reason: 'loyaltylion has no option "reson"' });
  });
});

describe('loyaltylion through the hub, with the shipped mapping switched on', () => {
  const h = hubHarness({ connectors: [loyaltylion], env: { ...ENV, LOYALTY_MAPPINGS: dir } });
  const deliveries = () => h.hub.store.db.select().from(tablesOf(h.hub.store.db).deliveries);
  const dispatch = () => h.hub.notifications.dispatcher.runOnce();
  const earn = (id: string, points: number) =>
    h.call('POST', '/v1/events', { scope: 'write', body: { type: 'activity', name: 'review.posted', id, customer: { email: 'ann@example.com', aliases: ['shopify:207119551'] }, points } });

  it('an earn adds points and a debit removes them, as LoyaltyLion documents the two calls', async () => {
    const calls = loyaltyLionApi();
    expect((await earn('rev-1', 300)).status).toBeLessThan(300);
    await dispatch();
    const member = (await json<{ data: { id: string }[] }>(await h.call('GET', '/v1/members?alias=shopify%3A207119551', { scope: 'read' }))).data[0]!;
    const debit = await h.call('POST', `/v1/members/${member.id}/adjustments`, { body: { points: -120, reason: 'Duplicate review removed' } });
    expect(debit.status).toBe(201);
    await dispatch();

    expect(calls).toEqual([
      { path: '/v2/customers/207119551/points', authorization: 'Bearer ll-api-key-hub', body: { points: 300, reason: 'review.posted (via Loyalty Hub)' } },
      { path: '/v2/customers/207119551/remove_points', authorization: 'Bearer ll-api-key-hub', body: { points: 120, reason: 'Points corrected (via Loyalty Hub)' } },
    ]);
    expect((await deliveries()).map((d) => [d.route, d.status]).sort()).toEqual([
      ['mapping:loyaltylion-side-by-side-earned#0', 'delivered'],
      ['mapping:loyaltylion-side-by-side-reversed#0', 'delivered'],
    ]);
  });

  it('a 429 with Retry-After is tried again exactly when LoyaltyLion said', async () => {
    let first = true;
    const calls = loyaltyLionApi(() => {
      if (!first) return undefined;
      first = false;
      return HttpResponse.json({ error: { message: 'Rate limit exceeded' } }, { status: 429, headers: { 'Retry-After': '7' } });
    });
    await earn('rev-2', 40);
    expect(await dispatch()).toMatchObject({ attempted: 1 });
    h.clock.advance(6_999);
    expect((await dispatch()).attempted).toBe(0);
    h.clock.advance(1);
    expect((await dispatch()).attempted).toBe(1);
    expect(calls).toHaveLength(2);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    const attempts = await h.hub.store.db.select().from(tablesOf(h.hub.store.db).deliveryAttempts);
    expect(attempts.map((a) => [a.outcome, a.statusCode])).toEqual([
      ['retry', 429],
      ['delivered', 201],
    ]);
  });

  it('a 400 is dead-lettered at once with LoyaltyLion\'s reason, and raises delivery.failed', async () => {
    const calls = loyaltyLionApi(() => HttpResponse.json({ error: { message: 'Customer is blocked from the program', details: {} } }, { status: 400 }));
    await earn('rev-3', 40);
    await dispatch();
    h.clock.advance(24 * 3_600_000);
    await dispatch();
    expect(calls).toHaveLength(1);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: 400, lastError: 'loyaltylion: add points HTTP 400 Customer is blocked from the program' });
    const { loyaltyEvents } = tablesOf(h.hub.store.db);
    const [failed] = await h.hub.store.db.select().from(loyaltyEvents).where(eq(loyaltyEvents.type, 'delivery.failed'));
    expect(JSON.parse(failed!.data)).toMatchObject({ deliveryId: delivery!.id, adapter: 'loyaltylion', attempts: 1 });
  });
});
