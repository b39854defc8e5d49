/**
 * The Zoho CRM adapter: the shipped mapping (mappings/zoho-contact-sync.yaml, switched on)
 * driving a real dispatcher on a real database, with msw standing in for Zoho's accounts server
 * and API (tests/fixtures/platform-samples/zoho/README.md): a points.earned and a tier.upgraded
 * each deliver the upsert Zoho documents, field by field, authorised with a token minted once from
 * the refresh token; a 429 with Retry-After is attempted again exactly after it; a 400 and a
 * per-record refusal on HTTP 200 are dead-lettered with Zoho's reason, and delivery.failed is
 * emitted. Also: the options refused by `mappings check` with file, line and reason.
 */
import { dispatchHarness } from '../helpers/dispatch-harness.js';
import { switchedOn } from '../helpers/shipped-mappings.js';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import zoho from '../../connectors/zoho/index.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor } from '../../core/mappings/index.js';
import { type TestLedger } from '../helpers/ledger-writes.js';
import { type TestClock } from '../helpers/test-store.js';

const ACCOUNTS = 'http://accounts.zoho.test';
const API = 'http://zohoapis.test';
const SHIPPED = join(import.meta.dirname, '../../mappings/zoho-contact-sync.yaml');
const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/zoho/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const ACCESS_TOKEN = sample('token_refresh.json').access_token as string;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());


interface Seen {
  path: string;
  authorization: string | null;
  contentType: string | null;
  body: unknown;
}

/** Zoho: the token endpoint (counted, form body kept) and upsert answered from `script` in order (the last repeats). */
function zohoAnswers(...script: (() => Response)[]) {
  const upserts: Seen[] = [];
  const grants: URLSearchParams[] = [];
  let n = 0;
  server.use(
    http.post(`${ACCOUNTS}/oauth/v2/token`, async ({ request }) => {
      expect(new URL(request.url).search).toBe(''); // the secrets travel in the body, not the URL
      grants.push(new URLSearchParams(await request.text()));
      return HttpResponse.json(sample('token_refresh.json'));
    }),
    http.post(`${API}/crm/v8/Contacts/upsert`, async ({ request }) => {
      upserts.push({ path: new URL(request.url).pathname, authorization: request.headers.get('authorization'), contentType: request.headers.get('content-type'), body: await request.json() });
      return script[Math.min(n++, script.length - 1)]!();
    }),
  );
  return { upserts, grants };
}
const updated = () => HttpResponse.json(sample('upsert_record_updated.json'));

describe('zoho: the shipped mapping through the dispatcher', () => {
  const h = dispatchHarness('zoho', switchedOn(SHIPPED, [zoho]), () => zoho.createAdapter(adapterEnv), {
    member: { email: 'p.boyle@abc.com' },
    start: Date.parse('2026-01-01T00:00:00Z'),
    schedule: [60_000, 600_000],
  });
  let clock: TestClock;
  let ledger: TestLedger;
  let memberId: string;
  beforeEach(() => void ({ clock, ledger, memberId } = h));
  const { dispatcher, deliveries, eventsOf } = h;
  const env = () => ({
    ZOHO_CLIENT_ID: '1000.CLIENTID',
    ZOHO_CLIENT_SECRET: 'client-secret',
    ZOHO_REFRESH_TOKEN: '1000.refresh.token',
    ZOHO_WEBHOOK_TOKEN: 'hook-token',
    ZOHO_ACCOUNTS_URL: ACCOUNTS,
    ZOHO_API_URL: API,
  });
  let adapterEnv: Record<string, string>;


  beforeEach(async () => {
    adapterEnv = env();
  });

  it('points.earned: Loyalty_Points upserted on the Contact by e-mail, with a token minted from the refresh token', async () => {
    const { upserts, grants } = zohoAnswers(updated);
    await ledger.earn({ memberId, points: 250, idempotencyKey: 'e1', why: { source: 'api' } });
    await dispatcher().runOnce();

    expect(grants.map((g) => Object.fromEntries(g))).toEqual([
      { grant_type: 'refresh_token', client_id: '1000.CLIENTID', client_secret: 'client-secret', refresh_token: '1000.refresh.token' },
    ]);
    expect(upserts).toEqual([
      {
        path: '/crm/v8/Contacts/upsert',
        authorization: `Zoho-oauthtoken ${ACCESS_TOKEN}`,
        contentType: 'application/json',
        body: { data: [{ Email: 'p.boyle@abc.com', Loyalty_Points: 250 }], duplicate_check_fields: ['Email'] },
      },
    ]);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ adapter: 'zoho', status: 'delivered', attempts: 1, lastStatusCode: 200 });
  });

  it('tier.upgraded: Loyalty_Tier as text; the access token is reused, not minted again', async () => {
    const { upserts, grants } = zohoAnswers(updated);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    await ledger.commit('test', (w) =>
      w.emit({ type: 'tier.upgraded', memberId, data: { tier: { id: 'gold', name: 'Gold', threshold: 5000 }, previousTier: { id: 'silver', name: 'Silver', threshold: 1000 }, qualifyingPoints: 5120 } }),
    );
    await dispatcher().runOnce();

    expect(upserts.map((u) => u.body)).toEqual([
      { data: [{ Email: 'p.boyle@abc.com', Loyalty_Points: 40 }], duplicate_check_fields: ['Email'] },
      { data: [{ Email: 'p.boyle@abc.com', Loyalty_Tier: 'Gold' }], duplicate_check_fields: ['Email'] },
    ]);
    expect(grants).toHaveLength(1);
    expect((await deliveries()).map((d) => d.status)).toEqual(['delivered', 'delivered']);
  });

  it('a 429 with Retry-After is attempted again exactly after it, the same request', async () => {
    const tooMany = () => HttpResponse.json({ code: 'TOO_MANY_REQUESTS', details: {}, message: 'too many requests', status: 'error' }, { status: 429, headers: { 'retry-after': '7' } });
    const { upserts } = zohoAnswers(tooMany, updated);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    await h.retriedAfter(7_000);
    expect(upserts).toHaveLength(2);
    expect(upserts[1]!.body).toEqual(upserts[0]!.body);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a 400 is dead-lettered at once with Zoho\'s reason, and delivery.failed is emitted', async () => {
    const refused = { code: 'INVALID_DATA', details: { api_name: 'Loyalty_Points', json_path: '$.data[0].Loyalty_Points' }, message: 'the field Loyalty_Points does not exist', status: 'error' };
    const { upserts } = zohoAnswers(() => HttpResponse.json(refused, { status: 400 }));
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    await d.runOnce();
    clock.advance(24 * 3_600_000);
    await d.runOnce();

    expect(upserts).toHaveLength(1);
    await h.deadLettered('zoho', 400, 'zoho: HTTP 400 INVALID_DATA: the field Loyalty_Points does not exist');
  });

  it('a per-record refusal on HTTP 200 is dead-lettered with the record\'s code and message', async () => {
    const mixed = sample('upsert_mixed_results.json') as { data: unknown[] };
    zohoAnswers(() => HttpResponse.json({ data: [mixed.data[1]] }));
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    await dispatcher().runOnce();
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: 200 });
    expect(delivery!.lastError).toMatch(/^zoho: Contact p\*+@a\*+\.com refused: INVALID_DATA: invalid data \(Company, expected text\)$/);
    expect(await eventsOf('delivery.failed')).toHaveLength(1);
  });

  it('an expired access token (401) is dropped and the call made once more with a new one', async () => {
    let calls = 0;
    const { grants } = zohoAnswers(() =>
      ++calls === 1 ? HttpResponse.json({ code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' }, { status: 401 }) : HttpResponse.json(sample('upsert_record_updated.json')),
    );
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    await dispatcher().runOnce();
    expect(grants).toHaveLength(2);
    expect((await deliveries()).map((d) => d.status)).toEqual(['delivered']);
  });

  it('uses the api_domain of the token answer when ZOHO_API_URL is not set (the EU data centre)', async () => {
    const seen: string[] = [];
    server.use(
      http.post(`${ACCOUNTS}/oauth/v2/token`, () => HttpResponse.json({ ...sample('token_refresh.json'), api_domain: 'https://www.zohoapis.eu' })),
      http.post('https://www.zohoapis.eu/crm/v8/Contacts/upsert', ({ request }) => {
        seen.push(request.url);
        return HttpResponse.json(sample('upsert_record_updated.json'));
      }),
    );
    const { ZOHO_API_URL: _, ...rest } = env();
    adapterEnv = rest;
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    await dispatcher().runOnce();
    expect(seen).toEqual(['https://www.zohoapis.eu/crm/v8/Contacts/upsert']);
  });

  it('is off as shipped: without the switch, no delivery is routed', async () => {
    const { adapters } = adapterDescriptors([zoho], {});
    const { mappings, problems } = loadMappingFile(SHIPPED, adapters);
    expect(problems).toEqual([]);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const [earned] = await eventsOf('points.earned');
    const member = { id: memberId, email: 'p.boyle@abc.com', phone: null, consentEmail: true, consentSms: false, firstName: null, lastName: null };
    const event = { id: earned!.id, type: 'points.earned' as const, occurredAt: new Date(earned!.occurredAt).toISOString(), memberId, data: JSON.parse(earned!.data) as Record<string, unknown> };
    expect(mappingActionsFor(mappings, event, { member })).toEqual([]);
  });
});

describe('zoho: mapping options are checked with file, line and reason', () => {
  it.each([
    ['a number field that renders as text', 'numberFields:\n      Loyalty_Points: "{{ balance.available }} points"', /numberFields\.Loyalty_Points: zoho: must render as a whole number/],
    ['a field name Zoho cannot have', 'fields:\n      "Loyalty Points": "{{ balance.available }}"', /is not a Zoho field API name/],
    ['nothing to write', 'email: "{{ member.email }}"', /give numberFields or fields/],
    ['an unknown option', 'properties:\n      loyalty_points: "1"', /unrecognized key|properties/i],
  ])('%s', (_what, send, reason) => {
    const dir = mkdtempSync(join(tmpdir(), 'zoho-mapping-'));
    const file = join(dir, 'zoho.yaml');
    writeFileSync(file, `- name: zoho-check\n  on: points.earned\n  send:\n    adapter: zoho\n    ${send}\n`);
    const { adapters } = adapterDescriptors([zoho], {});
    const { problems } = loadMappingFile(file, adapters);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file, line: expect.any(Number) as number });
    expect(problems.map((p) => `${p.path}: ${p.reason}`).join('\n')).toMatch(reason);
  });
});
