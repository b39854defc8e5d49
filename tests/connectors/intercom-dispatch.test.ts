/**
 * The shipped Intercom mapping (mappings/intercom-loyalty-events.yaml, switched on) driving a
 * real dispatcher on a real database, with msw standing in for api.intercom.io: a points.earned
 * and a tier.upgraded each deliver the requests Intercom documents, field by field
 * (tests/fixtures/platform-samples/intercom/README.md); a 429 with Retry-After is attempted
 * again exactly after it; a 400 is dead-lettered at once with Intercom's reason, and
 * delivery.failed is emitted.
 */
import { dispatchHarness } from '../helpers/dispatch-harness.js';
import { switchedOn } from '../helpers/shipped-mappings.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import intercom from '../../connectors/intercom/index.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor } from '../../core/mappings/index.js';
import { type TestLedger } from '../helpers/ledger-writes.js';
import { type TestClock } from '../helpers/test-store.js';

const API = 'http://intercom.test';
const TOKEN = 'dG9rOmludGVyY29tLWRpc3BhdGNoOjE6MA==';
const SHIPPED = join(import.meta.dirname, '../../mappings/intercom-loyalty-events.yaml');

const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/intercom/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const CONTACT_ID = '6762f0df1bb69f9f2193bb84';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());


interface Seen {
  method: string;
  path: string;
  authorization: string | null;
  version: string | null;
  body: unknown;
}

/** Intercom with the loyalty attributes in place and Ann as a user; events answered from `script` in order (the last repeats). */
function intercomAnswers(...script: (() => Response)[]) {
  const seen: Seen[] = [];
  let events = 0;
  const record = async (request: Request) => {
    const text = await request.text();
    seen.push({
      method: request.method,
      path: new URL(request.url).pathname,
      authorization: request.headers.get('authorization'),
      version: request.headers.get('intercom-version'),
      body: text ? (JSON.parse(text) as unknown) : undefined,
    });
  };
  server.use(
    http.post(`${API}/data_attributes`, async ({ request }) => {
      await record(request);
      return HttpResponse.json(sample('data_attribute_already_exists.json'), { status: 400 });
    }),
    http.post(`${API}/contacts/search`, async ({ request }) => {
      await record(request);
      return HttpResponse.json(sample('contacts_search_one_user.json'));
    }),
    http.put(`${API}/contacts/:id`, async ({ request }) => {
      await record(request);
      return HttpResponse.json(sample('contact_updated.json'));
    }),
    http.post(`${API}/events`, async ({ request }) => {
      await record(request);
      return script[Math.min(events++, script.length - 1)]!();
    }),
  );
  return seen;
}
const accepted = () => new HttpResponse(null, { status: 202 });

describe('intercom: the shipped mapping through the dispatcher', () => {
  const h = dispatchHarness('intercom', switchedOn(SHIPPED, [intercom]), () => intercom.createAdapter({ INTERCOM_ACCESS_TOKEN: TOKEN, INTERCOM_API_URL: API }), {
    member: { email: 'joe@bloggs.com' },
    start: Date.parse('2026-01-01T00:00:00Z'),
    schedule: [60_000, 600_000],
  });
  let clock: TestClock;
  let ledger: TestLedger;
  let memberId: string;
  beforeEach(() => void ({ clock, ledger, memberId } = h));
  const { dispatcher, deliveries, eventsOf } = h;

  const seconds = (ms: number) => Math.floor(ms / 1000);


  it('points.earned: loyalty_points on the user, then the earned-points event with the points and balance', async () => {
    const seen = intercomAnswers(accepted);
    const earnedAt = clock();
    await ledger.earn({ memberId, points: 250, idempotencyKey: 'e1', why: { source: 'api' } });
    clock.advance(1_500); // sent later than it happened: created_at is still the earn's time
    await dispatcher().runOnce();

    expect(seen.every((r) => r.authorization === `Bearer ${TOKEN}` && r.version === '2.14')).toBe(true);
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /data_attributes',
      'POST /data_attributes',
      'POST /data_attributes',
      'POST /contacts/search',
      `PUT /contacts/${CONTACT_ID}`,
      'POST /events',
    ]);
    expect(seen[3]!.body).toEqual({
      query: { operator: 'AND', value: [{ field: 'email', operator: '=', value: 'joe@bloggs.com' }, { field: 'role', operator: '=', value: 'user' }] },
      pagination: { per_page: 10 },
    });
    expect(seen[4]!.body).toEqual({ custom_attributes: { loyalty_points: 250 } });
    expect(seen[5]!.body).toEqual({ event_name: 'earned-points', created_at: seconds(earnedAt), email: 'joe@bloggs.com', metadata: { points: 250, balance: 250 } });
    expect((await deliveries()).map((d) => [d.adapter, d.status, d.attempts])).toEqual([['intercom', 'delivered', 1]]);
  });

  it('tier.upgraded: loyalty_tier on the user, then the upgraded-tier event with both tiers', async () => {
    const seen = intercomAnswers(accepted);
    const upgradedAt = clock();
    // As the tier engine emits it (docs/mappings.md, "Events"): the new tier and the previous one.
    await ledger.commit('test', (w) =>
      w.emit({ type: 'tier.upgraded', memberId, data: { tier: { id: 'gold', name: 'Gold', threshold: 5000 }, previousTier: { id: 'silver', name: 'Silver', threshold: 1000 }, qualifyingPoints: 5120 } }),
    );
    await dispatcher().runOnce();

    expect(seen.slice(3).map((r) => [`${r.method} ${r.path}`, r.body])).toEqual([
      ['POST /contacts/search', { query: { operator: 'AND', value: [{ field: 'email', operator: '=', value: 'joe@bloggs.com' }, { field: 'role', operator: '=', value: 'user' }] }, pagination: { per_page: 10 } }],
      [`PUT /contacts/${CONTACT_ID}`, { custom_attributes: { loyalty_tier: 'Gold' } }],
      ['POST /events', { event_name: 'upgraded-tier', created_at: seconds(upgradedAt), email: 'joe@bloggs.com', metadata: { tier: 'Gold', previous_tier: 'Silver' } }],
    ]);
    expect((await deliveries()).map((d) => d.status)).toEqual(['delivered']);
  });

  it('a 429 with Retry-After is attempted again exactly after it, the same event', async () => {
    const seen = intercomAnswers(() => HttpResponse.json(sample('error_429_rate_limit_exceeded.json'), { status: 429, headers: { 'retry-after': '7' } }), accepted);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    await h.retriedAfter(7_000);
    const events = seen.filter((r) => r.path === '/events');
    expect(events).toHaveLength(2);
    expect(events[1]!.body).toEqual(events[0]!.body);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a 400 is dead-lettered at once with Intercom\'s reason, and delivery.failed is emitted', async () => {
    const refused = { type: 'error.list', request_id: 'c5a4d2e1-400', errors: [{ code: 'parameter_invalid', field: 'metadata', message: 'metadata is invalid' }] };
    const seen = intercomAnswers(() => HttpResponse.json(refused, { status: 400 }));
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    await d.runOnce();
    clock.advance(24 * 3_600_000);
    await d.runOnce();

    expect(seen.filter((r) => r.path === '/events')).toHaveLength(1);
    await h.deadLettered('intercom', 400, 'intercom: HTTP 400 parameter_invalid: metadata: metadata is invalid (request_id c5a4d2e1-400)');
  });

  it('is off as shipped: without the switch, no delivery is routed', async () => {
    const { adapters } = adapterDescriptors([intercom], {});
    const { mappings, problems } = loadMappingFile(SHIPPED, adapters);
    expect(problems).toEqual([]);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const [earned] = await eventsOf('points.earned');
    const member = { id: memberId, email: 'joe@bloggs.com', phone: null, consentEmail: true, consentSms: false, firstName: null, lastName: null };
    const event = { id: earned!.id, type: 'points.earned' as const, occurredAt: new Date(earned!.occurredAt).toISOString(), memberId, data: JSON.parse(earned!.data) as Record<string, unknown> };
    expect(mappingActionsFor(mappings, event, { member })).toEqual([]);
  });
});
