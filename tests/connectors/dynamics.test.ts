/**
 * The `dynamics` adapter against Dataverse's and the Microsoft identity platform's documented
 * shapes (tests/fixtures/platform-samples/dynamics), msw at the network edge: the client-credentials
 * token request and its caching, the contact PATCH by alternate key field by field for the shipped
 * points.earned and tier.upgraded mappings (update-only with If-Match: *, or an upsert), and —
 * through a real dispatcher — a 429 retried after its Retry-After and a 400 dead-lettered with
 * Dataverse's reason and `delivery.failed`.
 */
import { dispatchHarness } from '../helpers/dispatch-harness.js';
import { switchedOn } from '../helpers/shipped-mappings.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorStatus } from '../../core/connectors/definition.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, sampleEvent, type Mapping } from '../../core/mappings/index.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import type { Store } from '../../core/storage/store.js';
import dynamics from '../../connectors/dynamics/index.js';
import { createDynamicsAdapter } from '../../connectors/dynamics/adapter.js';
import { dynamicsOptions, type DynamicsOptions } from '../../connectors/dynamics/options.js';
import { TOKEN_MARGIN_MS } from '../../connectors/dynamics/token.js';
import { type TestLedger } from '../helpers/ledger-writes.js';
import { type TestClock } from '../helpers/test-store.js';

const ORG = 'https://contoso.crm.dynamics.com';
const TENANT = 'a8990e1f-ff32-408a-9f8e-78d3b9139b95';
const TOKEN_URL = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`;
const CONTACT_ID = '6d81597f-0f9f-e711-8122-000d3aa2331c';
const env = {
  DYNAMICS_URL: ORG,
  DYNAMICS_TENANT_ID: TENANT,
  DYNAMICS_CLIENT_ID: '535fb089-9ff3-47b6-9bfb-4f1264799865',
  DYNAMICS_CLIENT_SECRET: 'sampleCredentials',
  DYNAMICS_WEBHOOK_KEY: 'webhook-key-0123456789abcdef',
};

const fixture = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/platform-samples/dynamics/${name}.json`, import.meta.url)), 'utf8')) as Record<string, unknown>;
const TOKEN = fixture('token-response');
const ACCESS_TOKEN = TOKEN.access_token as string;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Captured {
  url: string;
  headers: Headers;
  body: string;
}

/** An endpoint answering from `script` in order (the last repeats), every request recorded. */
function endpoint(method: 'post' | 'patch', url: string | RegExp, script: (() => Response)[]): Captured[] {
  const seen: Captured[] = [];
  server.use(
    http[method](url, async ({ request }) => {
      seen.push({ url: request.url, headers: request.headers, body: await request.text() });
      return script[Math.min(seen.length - 1, script.length - 1)]!();
    }),
  );
  return seen;
}

const tokenEndpoint = (...script: (() => Response)[]) => endpoint('post', TOKEN_URL, script.length ? script : [() => HttpResponse.json(TOKEN)]);
const contactsEndpoint = (...script: (() => Response)[]) => endpoint('patch', new RegExp(`^${ORG}/api/data/v9\\.2/contacts\\(`), script.length ? script : [updated]);

/** Dataverse's answer to a PATCH: 204 No Content with the record's URL. */
const updated = () => new HttpResponse(null, { status: 204, headers: { 'OData-Version': '4.0', 'OData-EntityId': `${ORG}/api/data/v9.2/contacts(${CONTACT_ID})` } });
const dataverseError = (status: number, name: string, headers: Record<string, string> = {}) => () => HttpResponse.json(fixture(name), { status, headers });

const ann = { id: 'mem_1', email: 'ann.lee@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: 'dlv_01:mapping:dynamics-contact-sync-points-earned#0', attempt: 1, member: ann, timeZone: 'UTC', now: Date.UTC(2026, 0, 15, 12), signal: new AbortController().signal, ...overrides };
}

function adapter(aliases: string[] = []): OutboundAdapter<DynamicsOptions> {
  return createDynamicsAdapter({ url: ORG, tenantId: TENANT, clientId: env.DYNAMICS_CLIENT_ID, clientSecret: env.DYNAMICS_CLIENT_SECRET, aliasesOf: () => Promise.resolve(aliases) });
}

const options = (o: Record<string, unknown>): DynamicsOptions => dynamicsOptions.parse(o);
const byEmail = options({ key: { emailaddress1: 'ann.lee@example.com' }, numbers: { new_loyaltypoints: '5250' } });

/** The shipped mapping file with its switch turned on. */
const MAPPING_FILE = fileURLToPath(new URL('../../mappings/dynamics-contact-sync.yaml', import.meta.url));
function shippedMappings(): Mapping[] {
  return switchedOn(MAPPING_FILE, [dynamics]);
}

function expectODataHeaders(headers: Headers): void {
  expect(headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
  expect(headers.get('odata-maxversion')).toBe('4.0');
  expect(headers.get('odata-version')).toBe('4.0');
  expect(headers.get('accept')).toBe('application/json');
  expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
}

describe('dynamics adapter: the requests', () => {
  it('points.earned (shipped mapping): one client-credentials token, then PATCH contacts(emailaddress1=…) with If-Match: * and the balance as a number', async () => {
    const tokens = tokenEndpoint();
    const patches = contactsEndpoint();
    const [action, ...more] = mappingActionsFor(shippedMappings(), sampleEvent('points.earned'), { member: ann });
    expect(more).toEqual([]);
    const outcome = await adapter().send(dynamicsOptions.parse(action!.options), context());

    expect(outcome).toEqual({ status: 'delivered', statusCode: 204, providerMessageId: CONTACT_ID });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokens[0]!.body))).toEqual({
      client_id: env.DYNAMICS_CLIENT_ID,
      client_secret: env.DYNAMICS_CLIENT_SECRET,
      grant_type: 'client_credentials',
      scope: `${ORG}/.default`,
    });
    expect(patches).toHaveLength(1);
    expect(patches[0]!.url).toBe(`${ORG}/api/data/v9.2/contacts(emailaddress1='ann.lee@example.com')`);
    expectODataHeaders(patches[0]!.headers);
    expect(patches[0]!.headers.get('if-match')).toBe('*');
    expect(JSON.parse(patches[0]!.body)).toEqual({ new_loyaltypoints: 5250 });
  });

  it('tier.upgraded (shipped mapping): the tier name as text', async () => {
    tokenEndpoint();
    const patches = contactsEndpoint();
    const [action, ...more] = mappingActionsFor(shippedMappings(), sampleEvent('tier.upgraded'), { member: ann });
    expect(more).toEqual([]);
    expect((await adapter().send(dynamicsOptions.parse(action!.options), context())).status).toBe('delivered');
    expect(patches[0]!.url).toBe(`${ORG}/api/data/v9.2/contacts(emailaddress1='ann.lee@example.com')`);
    expect(patches[0]!.headers.get('if-match')).toBe('*');
    expect(JSON.parse(patches[0]!.body)).toEqual({ new_loyaltytier: 'Gold' });
  });

  it('create: true is an upsert (no If-Match); a multi-part key and quotes are written as OData literals', async () => {
    tokenEndpoint();
    const patches = contactsEndpoint();
    const o = options({ key: { firstname: "O'Neil", emailaddress1: 'a+b@example.com' }, columns: { new_loyaltytier: 'Gold' }, numbers: { new_loyaltypoints: ' 40 ' }, create: true });
    expect((await adapter().send(o, context())).status).toBe('delivered');
    expect(patches[0]!.url).toBe(`${ORG}/api/data/v9.2/contacts(firstname='O''Neil',emailaddress1='a%2Bb@example.com')`);
    expect(patches[0]!.headers.get('if-match')).toBeNull();
    expect(JSON.parse(patches[0]!.body)).toEqual({ new_loyaltytier: 'Gold', new_loyaltypoints: 40 });
  });

  it('without key: the contact the member came from, by its id; no dynamics: alias → skipped', async () => {
    tokenEndpoint();
    const patches = contactsEndpoint();
    const o = options({ numbers: { new_loyaltypoints: '10' } });
    expect((await adapter([`dynamics:${CONTACT_ID}`]).send(o, context())).status).toBe('delivered');
    expect(patches[0]!.url).toBe(`${ORG}/api/data/v9.2/contacts(${CONTACT_ID})`);
    expect(await adapter(['shopify:1']).send(o, context())).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no dynamics: alias') });
    expect(patches).toHaveLength(1);
  });

  it('leaves out what rendered empty, and skips a send with nothing to write or an empty key', async () => {
    tokenEndpoint();
    const patches = contactsEndpoint();
    expect(await adapter().send(options({ key: { emailaddress1: 'ann.lee@example.com' }, numbers: { new_loyaltypoints: '' } }), context())).toMatchObject({ status: 'skipped' });
    expect(await adapter().send(options({ key: { emailaddress1: ' ' }, numbers: { new_loyaltypoints: '1' } }), context())).toMatchObject({ status: 'skipped', reason: expect.stringContaining('emailaddress1 rendered empty') });
    expect(patches).toHaveLength(0);
  });

  it('keeps the token until shortly before it expires, and fetches a new one after', async () => {
    const tokens = tokenEndpoint();
    contactsEndpoint();
    const a = adapter();
    const now = context().now;
    await a.send(byEmail, context({ now }));
    await a.send(byEmail, context({ now: now + 3599_000 - TOKEN_MARGIN_MS - 1 }));
    expect(tokens).toHaveLength(1);
    await a.send(byEmail, context({ now: now + 3599_000 - TOKEN_MARGIN_MS }));
    expect(tokens).toHaveLength(2);
  });

  it('concurrent sends share one token request', async () => {
    const tokens = tokenEndpoint();
    const patches = contactsEndpoint();
    const a = adapter();
    const outcomes = await Promise.all([a.send(byEmail, context()), a.send(byEmail, context()), a.send(byEmail, context())]);
    expect(outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(tokens).toHaveLength(1);
    expect(patches).toHaveLength(3);
  });

  it('a 401 from Dataverse drops the token and sends once more with a new one', async () => {
    const tokens = tokenEndpoint();
    const patches = contactsEndpoint(() => new HttpResponse(null, { status: 401 }), updated);
    expect((await adapter().send(byEmail, context())).status).toBe('delivered');
    expect(tokens).toHaveLength(2);
    expect(patches).toHaveLength(2);
  });
});

describe('dynamics adapter: outcomes', () => {
  it('If-Match: * and no such contact (404) is final and names the key, e-mail masked', async () => {
    tokenEndpoint();
    contactsEndpoint(dataverseError(404, 'not-found-404'));
    expect(await adapter().send(byEmail, context())).toEqual({
      status: 'permanent',
      statusCode: 404,
      error:
        "dynamics: no contact with emailaddress1='a***@e***.com' (If-Match: * updates existing contacts only; create: true creates them): A record with the specified key values does not exist in contact entity (0x80040217)",
    });
  });

  it('a 400 is final with Dataverse\'s own message and code', async () => {
    tokenEndpoint();
    contactsEndpoint(dataverseError(400, 'bad-request-400'));
    expect(await adapter().send(byEmail, context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: "dynamics: HTTP 400 Invalid property 'new_loyaltypoints' was found in entity 'Microsoft.Dynamics.CRM.contact'. (0x80060888)",
    });
  });

  it('429 (service protection) is retried after Retry-After, and holds the sends that follow until then without calling', async () => {
    tokenEndpoint();
    const patches = contactsEndpoint(dataverseError(429, 'service-protection-429', { 'Retry-After': '7' }), updated);
    const a = adapter();
    const now = context().now;
    expect(await a.send(byEmail, context({ now }))).toEqual({
      status: 'retry',
      statusCode: 429,
      retryAfterMs: 7000,
      error: 'dynamics: HTTP 429 Number of requests exceeded the limit of 6000 over time window of 300 seconds. (0x80072322)',
    });
    expect(await a.send(byEmail, context({ now: now + 1000 }))).toMatchObject({ status: 'deferred', until: now + 7000 });
    expect(patches).toHaveLength(1);
    expect((await a.send(byEmail, context({ now: now + 7000 }))).status).toBe('delivered');
  });

  it('5xx and an unreachable host are retried', async () => {
    tokenEndpoint();
    contactsEndpoint(() => new HttpResponse('Service Unavailable', { status: 503, headers: { 'Retry-After': '2' } }), () => HttpResponse.error());
    const a = adapter();
    expect(await a.send(byEmail, context())).toMatchObject({ status: 'retry', statusCode: 503, retryAfterMs: 2000 });
    expect(await a.send(byEmail, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^dynamics: request failed/) });
  });

  it('a client the token endpoint refuses is final with its AADSTS reason and the variables to check; its 5xx is retried', async () => {
    tokenEndpoint(() => HttpResponse.json(fixture('token-error-response'), { status: 400 }));
    const patches = contactsEndpoint();
    const outcome = await adapter().send(byEmail, context());
    expect(outcome).toMatchObject({ status: 'permanent', statusCode: 400 });
    expect(outcome.status === 'permanent' && outcome.error).toBe(
      "dynamics: token endpoint answered HTTP 400 invalid_scope: AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://foo.microsoft.com/.default is not valid. (check DYNAMICS_TENANT_ID, DYNAMICS_CLIENT_ID, DYNAMICS_CLIENT_SECRET and DYNAMICS_URL)",
    );
    expect(outcome.status === 'permanent' && outcome.error).not.toContain(env.DYNAMICS_CLIENT_SECRET);
    expect(patches).toHaveLength(0);

    tokenEndpoint(() => new HttpResponse('upstream', { status: 503, headers: { 'Retry-After': '3' } }));
    expect(await adapter().send(byEmail, context())).toMatchObject({ status: 'retry', statusCode: 503, retryAfterMs: 3000 });
  });

  it('answers retry without calling when the delivery is already aborted', async () => {
    const tokens = tokenEndpoint();
    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(byEmail, context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'dynamics: aborted' });
    expect(tokens).toHaveLength(0);
  });
});

describe('dynamics adapter: options and variables', () => {
  it('refuses what Dataverse would: no column, a name that is not a logical name, a number column that is not a number, an upsert without key, a typo', () => {
    expect(dynamicsOptions.safeParse({ numbers: { new_loyaltypoints: '5250' } }).success).toBe(true);
    expect(dynamicsOptions.safeParse({ key: { emailaddress1: 'x' } }).success).toBe(false);
    expect(dynamicsOptions.safeParse({ columns: { 'Loyalty Tier': 'Gold' } }).success).toBe(false);
    expect(dynamicsOptions.safeParse({ numbers: { new_loyaltypoints: '12 points' } }).success).toBe(false);
    expect(dynamicsOptions.safeParse({ numbers: { new_loyaltypoints: '1' }, create: true }).success).toBe(false);
    expect(dynamicsOptions.safeParse({ numbers: { new_loyaltypoints: '1' }, Key: {} }).success).toBe(false);
  });

  it('mappings check names the file, line and reason of a refused action', () => {
    const text = ['- name: dynamics-bad', '  on: points.earned', '  send:', '    adapter: dynamics', '    numbers:', '      new_loyaltypoints: "{{ balance.available }} points"', ''].join('\n');
    const { adapters } = adapterDescriptors([dynamics], {});
    const { problems } = loadMappingFile('/mappings/dynamics-bad.yaml', adapters, text);
    expect(problems).toEqual([
      {
        file: '/mappings/dynamics-bad.yaml',
        line: 6,
        path: '[0].send.numbers.new_loyaltypoints',
        reason: 'dynamics: must render as a whole number (e.g. "{{ balance.available }}"), or empty to leave the column as it is (with the sample points.earned event it renders "5250 points")',
      },
    ]);
  });

  it('is described without secrets, as mappings check does', () => {
    const { adapters, unavailable } = adapterDescriptors([dynamics], {});
    expect(unavailable).toEqual([]);
    expect(adapters.get('dynamics')?.options).toBe(dynamicsOptions);
  });

  it('is disabled until the five variables are set; secrets are marked', () => {
    expect(connectorStatus(dynamics, {})).toMatchObject({ enabled: false, missing: ['DYNAMICS_URL', 'DYNAMICS_TENANT_ID', 'DYNAMICS_CLIENT_ID', 'DYNAMICS_CLIENT_SECRET', 'DYNAMICS_WEBHOOK_KEY'] });
    expect(connectorStatus(dynamics, env)).toMatchObject({ enabled: true, missing: [] });
    expect(dynamics.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['DYNAMICS_CLIENT_SECRET', 'DYNAMICS_WEBHOOK_KEY']);
  });

  it('DYNAMICS_AUTH_URL and DYNAMICS_API_URL redirect the token and Web API calls (the token stays for DYNAMICS_URL)', async () => {
    const tokens = endpoint('post', `http://auth.stub/${TENANT}/oauth2/v2.0/token`, [() => HttpResponse.json(TOKEN)]);
    const patches = endpoint('patch', /^http:\/\/api\.stub\/api\/data\/v9\.2\/contacts/, [updated]);
    const a = dynamics.createAdapter!({ ...env, DYNAMICS_AUTH_URL: 'http://auth.stub/', DYNAMICS_API_URL: 'http://api.stub' }, { store: {} as Store, commit: (() => undefined) as never, state: undefined as never });
    expect((await a.send(byEmail, context())).status).toBe('delivered');
    expect(new URLSearchParams(tokens[0]!.body).get('scope')).toBe(`${ORG}/.default`);
    expect(patches).toHaveLength(1);
  });
});

describe('dynamics adapter through the dispatcher (shipped mapping, switched on)', () => {
  const h = dispatchHarness('dynamics', shippedMappings(), (services) => dynamics.createAdapter!(env, services));
  let clock: TestClock;
  let ledger: TestLedger;
  let memberId: string;
  beforeEach(() => void ({ clock, ledger, memberId } = h));
  const { dispatcher, deliveries, eventsOf } = h;

  it('a 429 with Retry-After: 7 is sent again exactly 7 s later, and delivered', async () => {
    tokenEndpoint();
    const patches = contactsEndpoint(dataverseError(429, 'service-protection-429', { 'Retry-After': '7' }), updated);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    expect(await d.runOnce()).toEqual({ routed: 1, attempted: 1 });
    clock.advance(6_999);
    expect((await d.runOnce()).attempted).toBe(0);
    clock.advance(1);
    expect((await d.runOnce()).attempted).toBe(1);
    expect(patches).toHaveLength(2);
    expect(patches[1]!.url).toBe(`${ORG}/api/data/v9.2/contacts(emailaddress1='ann.lee@example.com')`);
    expect(JSON.parse(patches[1]!.body)).toEqual({ new_loyaltypoints: 40 });
    expect((await deliveries())[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a 400 is dead-lettered at once with Dataverse\'s reason, and delivery.failed says so', async () => {
    tokenEndpoint();
    const patches = contactsEndpoint(dataverseError(400, 'bad-request-400'));
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    await d.runOnce();
    clock.advance(24 * 3_600_000);
    await d.runOnce();
    expect(patches).toHaveLength(1);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: 400 });
    expect(delivery!.lastError).toBe("dynamics: HTTP 400 Invalid property 'new_loyaltypoints' was found in entity 'Microsoft.Dynamics.CRM.contact'. (0x80060888)");
    const [failed] = await eventsOf('delivery.failed');
    expect(JSON.parse(failed!.data)).toMatchObject({ deliveryId: delivery!.id, adapter: 'dynamics', attempts: 1, statusCode: 400, error: delivery!.lastError });
  });
});
