/**
 * The shipped Airtable mapping (mappings/airtable-member-sync.yaml, switched on) driving a real
 * dispatcher on a real database, with msw standing in for api.airtable.com: a points.earned and
 * a tier.upgraded each deliver the upsert Airtable documents, field by field
 * (tests/fixtures/platform-samples/airtable/README.md); a 429 with Retry-After is attempted again
 * exactly after it; a 422 is dead-lettered at once with Airtable's reason, and delivery.failed
 * is emitted.
 */
import { dispatchHarness } from '../helpers/dispatch-harness.js';
import { switchedOn } from '../helpers/shipped-mappings.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import airtable from '../../connectors/airtable/index.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor } from '../../core/mappings/index.js';
import { type TestLedger } from '../helpers/ledger-writes.js';
import { type TestClock } from '../helpers/test-store.js';

const API = 'http://airtable.test';
const TOKEN = 'patDispatch000001.0123456789abcdef';
const SHIPPED = join(import.meta.dirname, '../../mappings/airtable-member-sync.yaml');
const sample = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/airtable/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());


interface Seen { method: string; path: string; authorization: string | null; body: unknown }

let bases = 0;

describe('airtable: the shipped mapping through the dispatcher', () => {
  const h = dispatchHarness('airtable', switchedOn(SHIPPED, [airtable]), () => airtable.createAdapter({ AIRTABLE_TOKEN: TOKEN, AIRTABLE_BASE_ID: base, AIRTABLE_API_URL: API }), {
    member: { email: 'joe@bloggs.com' },
    start: Date.parse('2026-01-01T00:00:00Z'),
    schedule: [60_000, 600_000],
  });
  let clock: TestClock;
  let ledger: TestLedger;
  let memberId: string;
  beforeEach(() => void ({ clock, ledger, memberId } = h));
  const { dispatcher, deliveries, eventsOf } = h;
  let base: string;

  /** Airtable's records endpoint of this test's base, answered from `script` in order (the last repeats). */
  function airtableAnswers(...script: (() => Response)[]): Seen[] {
    const seen: Seen[] = [];
    server.use(
      http.patch(`${API}/v0/${base}/:table`, async ({ request }) => {
        seen.push({ method: request.method, path: new URL(request.url).pathname, authorization: request.headers.get('authorization'), body: await request.json() });
        return script[Math.min(seen.length - 1, script.length - 1)]!();
      }),
    );
    return seen;
  }
  const upserted = () => HttpResponse.json(sample('upsert-response.json'));


  beforeEach(async () => {
    // Its own base per test: Airtable's rate limit is kept per base, per process.
    base = `appDispatchTest${String(++bases).padStart(2, '0')}`;
  });

  it('points.earned: upserts the member\'s row on Email with the new balance', async () => {
    const seen = airtableAnswers(upserted);
    await ledger.earn({ memberId, points: 250, idempotencyKey: 'e1', why: { source: 'api' } });
    await dispatcher().runOnce();

    expect(seen).toEqual([
      {
        method: 'PATCH',
        path: `/v0/${base}/Loyalty%20members`,
        authorization: `Bearer ${TOKEN}`,
        body: { performUpsert: { fieldsToMergeOn: ['Email'] }, records: [{ fields: { Email: 'joe@bloggs.com', Points: '250' } }], typecast: true },
      },
    ]);
    expect((await deliveries()).map((d) => [d.adapter, d.status, d.attempts])).toEqual([['airtable', 'delivered', 1]]);
  });

  it('tier.upgraded: upserts the member\'s row on Email with the tier\'s name', async () => {
    const seen = airtableAnswers(upserted);
    await ledger.commit('test', (w) =>
      w.emit({ type: 'tier.upgraded', memberId, data: { tier: { id: 'gold', name: 'Gold', threshold: 5000 }, previousTier: { id: 'silver', name: 'Silver', threshold: 1000 }, qualifyingPoints: 5120 } }),
    );
    await dispatcher().runOnce();

    expect(seen.map((s) => [s.method, s.path, s.body])).toEqual([
      ['PATCH', `/v0/${base}/Loyalty%20members`, { performUpsert: { fieldsToMergeOn: ['Email'] }, records: [{ fields: { Email: 'joe@bloggs.com', Tier: 'Gold' } }], typecast: true }],
    ]);
    expect((await deliveries()).map((d) => d.status)).toEqual(['delivered']);
  });

  it('a 429 with Retry-After is attempted again exactly after it, the same upsert', async () => {
    const seen = airtableAnswers(() => new HttpResponse(null, { status: 429, headers: { 'retry-after': '7' } }), upserted);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    await h.retriedAfter(7_000);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.body).toEqual(seen[0]!.body);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a 422 is dead-lettered at once with Airtable\'s reason, and delivery.failed is emitted', async () => {
    const seen = airtableAnswers(() => HttpResponse.json(sample('error-invalid-value.json'), { status: 422 }));
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    await d.runOnce();
    clock.advance(24 * 3_600_000);
    await d.runOnce();

    expect(seen).toHaveLength(1);
    await h.deadLettered('airtable', 422, 'airtable: HTTP 422 INVALID_VALUE_FOR_COLUMN: Field "Points" cannot accept the provided value');
  });

  it('is off as shipped: without the switch, no delivery is routed', async () => {
    const { adapters } = adapterDescriptors([airtable], {});
    const { mappings, problems } = loadMappingFile(SHIPPED, adapters);
    expect(problems).toEqual([]);
    expect(mappings).toHaveLength(7);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const [earned] = await eventsOf('points.earned');
    const member = { id: memberId, email: 'joe@bloggs.com', phone: null, consentEmail: true, consentSms: false, firstName: null, lastName: null };
    const event = { id: earned!.id, type: 'points.earned' as const, occurredAt: new Date(earned!.occurredAt).toISOString(), memberId, data: JSON.parse(earned!.data) as Record<string, unknown> };
    expect(mappingActionsFor(mappings, event, { member })).toEqual([]);
  });
});
