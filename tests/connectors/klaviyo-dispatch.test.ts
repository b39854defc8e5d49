/**
 * The shipped Klaviyo mappings (switched on) through a whole hub: a paid order earns points and
 * lifts the member to Silver, and the real dispatcher sends what Klaviyo documents — the metric
 * events and the profile properties, asserted field by field and against Klaviyo's OpenAPI
 * document — with msw standing in for a.klaviyo.com. A 429 is retried after its Retry-After; a
 * 400 is dead-lettered with Klaviyo's reason and announced as `delivery.failed`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import klaviyo from '../../connectors/klaviyo/index.js';
import { parseProgram } from '../../core/program/load-program.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { loadKlaviyoOperation } from './klaviyo-openapi.js';

const API = 'http://klaviyo.test';
const KEY = 'pk_0123456789abcdef0123456789abcdef01';
const T0 = Date.parse('2026-12-06T09:00:00.000Z');

/** The shipped files, with their one SWITCH line turned to "true". */
const mappingsDir = mkdtempSync(join(tmpdir(), 'loyalty-hub-klaviyo-'));
for (const file of ['klaviyo-loyalty-events.yaml', 'klaviyo-profile-sync.yaml']) {
  const shipped = readFileSync(join(import.meta.dirname, '../../mappings', file), 'utf8');
  const on = shipped.replace(/"false"( # SWITCH)/, '"true"$1');
  expect(on).not.toBe(shipped);
  writeFileSync(join(mappingsDir, file), on);
}

const program = parseProgram(
  stringify({
    name: 'klaviyo test program',
    tiers: {
      basis: { window: 'rolling', days: 365 },
      downgrade: { mode: 'none' },
      levels: [
        { id: 'bronze', name: 'Bronze', threshold: 0 },
        { id: 'silver', name: 'Silver', threshold: 1000 },
      ],
    },
    rules: [{ id: 'base', on: 'order.paid', award: { perCurrencyUnit: 1 } }],
  }),
  'klaviyo-test.yaml',
);

const createEvent = loadKlaviyoOperation('openapi-create_event.json', '/api/events');
const profileImport = loadKlaviyoOperation('openapi-create_or_update_profile.json', '/api/profile-import');
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/klaviyo/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

interface Sent {
  path: string;
  at: number;
  authorization: string | null;
  revision: string | null;
  contentType: string | null;
  body: { data: { type: string; attributes: Record<string, unknown> } };
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  rmSync(mappingsDir, { recursive: true, force: true });
});

describe('klaviyo through the hub, with the shipped mappings switched on', () => {
  const h = hubHarness({
    connectors: [klaviyo],
    program,
    env: { LOYALTY_MAPPINGS: mappingsDir, KLAVIYO_API_KEY: KEY, KLAVIYO_API_URL: API },
  });
  beforeEach(() => h.clock.set(T0));

  let sent: Sent[];
  /** Klaviyo answering each endpoint with `events` / `profiles` (by default, as documented). */
  function klaviyoAnswers({ events = () => new HttpResponse(null, { status: 202 }), profiles = () => HttpResponse.json(fixture('profile_import.response.200.json')) }: { events?: () => Response; profiles?: () => Response } = {}) {
    sent = [];
    const record = (path: string, answer: () => Response) =>
      http.post(`${API}${path}`, async ({ request }) => {
        sent.push({
          path,
          at: h.clock(),
          authorization: request.headers.get('authorization'),
          revision: request.headers.get('revision'),
          contentType: request.headers.get('content-type'),
          body: (await request.json()) as Sent['body'],
        });
        return answer();
      });
    server.use(record('/api/events', events), record('/api/profile-import', profiles));
  }

  const enroll = async () => (await json<{ id: string }>(await h.call('POST', '/v1/members', { scope: 'write', body: { email: 'ann@example.com', firstName: 'Ann' } }))).id;
  const order = (memberId: string, id: string, amount: number) =>
    h.call('POST', '/v1/events', { scope: 'write', body: { type: 'order.paid', customer: { memberId }, order: { id, currency: 'USD', amount } } });
  const dispatch = () => h.hub.notifications.dispatcher.runOnce();
  const db = () => h.hub.store.db;
  const deliveries = () => db().select().from(tablesOf(db()).deliveries).orderBy(asc(tablesOf(db()).deliveries.route));
  const eventsOf = async (type: string) => {
    const { loyaltyEvents } = tablesOf(db());
    return (await db().select().from(loyaltyEvents).where(eq(loyaltyEvents.type, type))).map((e) => ({ id: e.id, data: JSON.parse(e.data) as Record<string, unknown> }));
  };
  const metric = (s: Sent) => ((s.body.data.attributes.metric as { data: { attributes: { name: string } } }).data.attributes.name);

  it('points.earned and tier.upgraded each send Klaviyo the documented event and profile requests', async () => {
    klaviyoAnswers();
    const ann = await enroll();
    expect((await order(ann, 'o-1', 120_000)).status).toBe(201); // $1,200: 1,200 points, Bronze → Silver
    await dispatch();

    const [earned] = await eventsOf('points.earned');
    const [upgraded] = await eventsOf('tier.upgraded');
    expect(upgraded!.data).toMatchObject({ tier: { name: 'Silver' }, previousTier: { name: 'Bronze' } });
    const rows = await deliveries();
    expect(rows.map((d) => [d.route, d.status])).toEqual([
      ['mapping:klaviyo-loyalty-events-points-earned#0', 'delivered'],
      ['mapping:klaviyo-loyalty-events-tier-upgraded#0', 'delivered'],
      ['mapping:klaviyo-profile-sync-points-earned#0', 'delivered'],
      ['mapping:klaviyo-profile-sync-tier-upgraded#0', 'delivered'],
    ]);
    const deliveryOf = (route: string) => rows.find((d) => d.route === route)!.id;

    expect(sent).toHaveLength(4);
    for (const s of sent) {
      expect(s.authorization).toBe(`Klaviyo-API-Key ${KEY}`);
      expect(s.revision).toBe('2026-07-15');
      expect(s.contentType).toBe('application/vnd.api+json');
      expect((s.path === '/api/events' ? createEvent : profileImport).check(s.body)).toEqual([]);
    }
    const profile = { data: { type: 'profile', attributes: { email: 'ann@example.com', external_id: ann } } };
    const events = sent.filter((s) => s.path === '/api/events');
    expect(events.find((s) => metric(s) === 'Loyalty points earned')!.body).toEqual({
      data: {
        type: 'event',
        attributes: {
          properties: {
            points: 1200,
            balance: 1200,
            pending: 0,
            lifetime_earned: 1200,
            kind: 'earn',
            source: 'rule',
            reason: 'order.paid',
            loyalty_event_id: earned!.id,
          },
          time: '2026-12-06T09:00:00.000Z',
          unique_id: deliveryOf('mapping:klaviyo-loyalty-events-points-earned#0'),
          metric: { data: { type: 'metric', attributes: { name: 'Loyalty points earned' } } },
          profile,
        },
      },
    });
    expect(events.find((s) => metric(s) === 'Loyalty tier upgraded')!.body).toEqual({
      data: {
        type: 'event',
        attributes: {
          properties: { tier: 'Silver', tier_id: 'silver', previous_tier: 'Bronze', qualifying_points: 1200, loyalty_event_id: upgraded!.id },
          time: '2026-12-06T09:00:00.000Z',
          unique_id: deliveryOf('mapping:klaviyo-loyalty-events-tier-upgraded#0'),
          metric: { data: { type: 'metric', attributes: { name: 'Loyalty tier upgraded' } } },
          profile,
        },
      },
    });
    expect(sent.filter((s) => s.path === '/api/profile-import').map((s) => s.body)).toEqual(
      expect.arrayContaining([
        { data: { type: 'profile', attributes: { email: 'ann@example.com', external_id: ann, properties: { loyalty_points: 1200 } } } },
        { data: { type: 'profile', attributes: { email: 'ann@example.com', external_id: ann, properties: { loyalty_tier: 'Silver' } } } },
      ]),
    );
  });

  it('retries a 429 exactly after its Retry-After, with the same unique_id', async () => {
    let throttle = true;
    klaviyoAnswers({ events: () => (throttle ? HttpResponse.json(fixture('error_429_throttled.json'), { status: 429, headers: { 'Retry-After': '7' } }) : new HttpResponse(null, { status: 202 })) });
    const ann = await enroll();
    await order(ann, 'o-1', 50_000); // 500 points, no tier change
    await dispatch();
    const route = 'mapping:klaviyo-loyalty-events-points-earned#0';
    const first = (await deliveries()).find((d) => d.route === route)!;
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 429, nextAttemptAt: T0 + 7000 });
    expect(first.lastError).toBe('klaviyo: HTTP 429 throttled: Request was throttled. Expected available in 7 seconds. (/data/)');

    throttle = false;
    h.clock.advance(6999);
    expect((await dispatch()).attempted).toBe(0);
    h.clock.advance(1);
    expect((await dispatch()).attempted).toBe(1);
    expect((await deliveries()).find((d) => d.route === route)).toMatchObject({ status: 'delivered', attempts: 2 });
    const attempts = sent.filter((s) => s.path === '/api/events');
    expect(attempts.map((s) => s.at)).toEqual([T0, T0 + 7000]);
    expect(new Set(attempts.map((s) => s.body.data.attributes.unique_id))).toEqual(new Set([first.id]));
  });

  it('dead-letters a 400 at once with Klaviyo\'s reason, and announces delivery.failed', async () => {
    klaviyoAnswers({ events: () => HttpResponse.json(fixture('error_400_invalid_email.json'), { status: 400 }) });
    const ann = await enroll();
    await order(ann, 'o-1', 120_000);
    await dispatch();
    h.clock.advance(24 * 3_600_000);
    await dispatch();

    const reason = 'klaviyo: HTTP 400 invalid: Invalid email address (/data/attributes/email)';
    const dead = (await deliveries()).filter((d) => d.status === 'dead');
    expect(dead.map((d) => [d.route, d.attempts, d.lastStatusCode, d.lastError])).toEqual([
      ['mapping:klaviyo-loyalty-events-points-earned#0', 1, 400, reason],
      ['mapping:klaviyo-loyalty-events-tier-upgraded#0', 1, 400, reason],
    ]);
    expect(sent.filter((s) => s.path === '/api/events')).toHaveLength(2); // never retried
    const failed = await eventsOf('delivery.failed');
    expect(failed.map((f) => f.data).sort((a, b) => String(a.route).localeCompare(String(b.route)))).toEqual(
      dead.map((d) => expect.objectContaining({ deliveryId: d.id, route: d.route, adapter: 'klaviyo', attempts: 1, statusCode: 400, error: reason })),
    );
    const listed = await json<{ data: { id: string; lastError: string }[] }>(await h.call('GET', '/v1/deliveries?status=dead', { scope: 'read' }));
    expect(listed.data.map((d) => d.lastError)).toEqual([reason, reason]);
  });
});
