/**
 * The `sfmc` adapter against Marketing Cloud's documented shapes (tests/fixtures/platform-samples/sfmc),
 * msw at the network edge: the v2 token request and its caching, the journey entry event
 * (`POST /interaction/v1/events`) field by field for the shipped points.earned and tier.upgraded
 * mappings, and — through a real dispatcher — a 429 retried after its Retry-After and a 400
 * dead-lettered with Marketing Cloud's reason and `delivery.failed`.
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
import sfmc from '../../connectors/sfmc/index.js';
import { createSfmcAdapter, sfmcBaseUrls } from '../../connectors/sfmc/adapter.js';
import { sfmcOptions, type SfmcOptions } from '../../connectors/sfmc/options.js';
import { TOKEN_MARGIN_MS } from '../../connectors/sfmc/token.js';
import { type TestLedger } from '../helpers/ledger-writes.js';
import { type TestClock } from '../helpers/test-store.js';

const SUB = 'mc563885gzs27c5t9-63k636ttgm';
const TOKEN_URL = `https://${SUB}.auth.marketingcloudapis.com/v2/token`;
const EVENTS_URL = `https://${SUB}.rest.marketingcloudapis.com/interaction/v1/events`;
const env = { SFMC_SUBDOMAIN: SUB, SFMC_CLIENT_ID: '7ur0rbe5xn5xyjq1nsbxi3wz', SFMC_CLIENT_SECRET: 'dTlxK3Rlc3RzZWNyZXQtdG9rZW4', SFMC_ACCOUNT_ID: '12345678', SFMC_JWT_SECRET: 'jwt-signing-secret' };

const fixture = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/platform-samples/sfmc/${name}.json`, import.meta.url)), 'utf8')) as Record<string, unknown>;
const TOKEN = fixture('token-response');
const ACCESS_TOKEN = TOKEN.access_token as string;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Captured {
  url: string;
  headers: Headers;
  body: unknown;
}

/** The token endpoint answers from `script` in order (the last repeats); every request recorded. */
function tokenEndpoint(url = TOKEN_URL, ...script: (() => Response)[]): Captured[] {
  const seen: Captured[] = [];
  const answers = script.length ? script : [() => HttpResponse.json(TOKEN)];
  server.use(
    http.post(url, async ({ request }) => {
      seen.push({ url: request.url, headers: request.headers, body: await request.json() });
      return answers[Math.min(seen.length - 1, answers.length - 1)]!();
    }),
  );
  return seen;
}

function eventsEndpoint(url = EVENTS_URL, ...script: (() => Response)[]): Captured[] {
  const seen: Captured[] = [];
  const answers = script.length ? script : [created];
  server.use(
    http.post(url, async ({ request }) => {
      seen.push({ url: request.url, headers: request.headers, body: await request.json() });
      return answers[Math.min(seen.length - 1, answers.length - 1)]!();
    }),
  );
  return seen;
}

const created = () => HttpResponse.json(fixture('entry-event-response'), { status: 201 });
const refused = () => HttpResponse.json(fixture('error-response'), { status: 400 });

const ann = { id: 'mem_1', email: 'ann.lee@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: 'dlv_01HZX3K9:mapping:sfmc-journey-entry-points-earned#0', attempt: 1, member: ann, timeZone: 'UTC', now: Date.UTC(2026, 0, 15, 12), signal: new AbortController().signal, ...overrides };
}

function adapter(aliases: string[] = [], overrides: Partial<Parameters<typeof createSfmcAdapter>[0]> = {}): OutboundAdapter<SfmcOptions> {
  return createSfmcAdapter({ subdomain: SUB, clientId: env.SFMC_CLIENT_ID, clientSecret: env.SFMC_CLIENT_SECRET, accountId: env.SFMC_ACCOUNT_ID, aliasesOf: () => Promise.resolve(aliases), ...overrides });
}

const options = (o: Partial<SfmcOptions> & Pick<SfmcOptions, 'eventDefinitionKey'>): SfmcOptions => sfmcOptions.parse(o);

/** The shipped mapping file with its switch turned on. */
const MAPPING_FILE = fileURLToPath(new URL('../../mappings/sfmc-journey-entry.yaml', import.meta.url));
function shippedMappings(): Mapping[] {
  return switchedOn(MAPPING_FILE, [sfmc]);
}

describe('sfmc adapter: the requests', () => {
  it('points.earned (shipped mapping): one v2 token, then the entry event with ContactKey, EventDefinitionKey and Data', async () => {
    const tokens = tokenEndpoint();
    const events = eventsEndpoint();
    const [action, ...more] = mappingActionsFor(shippedMappings(), sampleEvent('points.earned'), { member: ann });
    expect(more).toEqual([]);
    const outcome = await adapter().send(sfmcOptions.parse(action!.options), context());

    expect(outcome).toEqual({ status: 'delivered', statusCode: 201, providerMessageId: 'a4c2a2a0-1f06-4e1b-9b6f-0d4c5a1e7f21' });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.headers.get('content-type')).toBe('application/json');
    // The documented token request, with our variables (tests/fixtures/platform-samples/sfmc/token-request.json).
    expect(tokens[0]!.body).toEqual(fixture('token-request'));
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.url).toBe(EVENTS_URL);
    expect(event!.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(event!.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(event!.body).toEqual({
      ContactKey: 'ann.lee@example.com',
      EventDefinitionKey: 'APIEvent-loyalty-points-earned',
      Data: { EmailAddress: 'ann.lee@example.com', FirstName: 'Ann', Points: '250', Balance: '5250' },
    });
  });

  it('tier.upgraded (shipped mapping): the entry event with the new and the previous tier', async () => {
    tokenEndpoint();
    const events = eventsEndpoint();
    const [action, ...more] = mappingActionsFor(shippedMappings(), sampleEvent('tier.upgraded'), { member: ann });
    expect(more).toEqual([]);
    expect((await adapter().send(sfmcOptions.parse(action!.options), context())).status).toBe('delivered');
    expect(events[0]!.body).toEqual({
      ContactKey: 'ann.lee@example.com',
      EventDefinitionKey: 'APIEvent-loyalty-tier-upgraded',
      Data: { EmailAddress: 'ann.lee@example.com', FirstName: 'Ann', Tier: 'Gold', PreviousTier: 'Silver' },
    });
  });

  it('sends Salesforce\'s own documented example request as documented', async () => {
    tokenEndpoint();
    const events = eventsEndpoint();
    await adapter().send(options({ eventDefinitionKey: 'AcmeBank-AccountAccessed', contactKey: 'ID601', data: { accountNumber: '123456', patronName: 'John Smith' } }), context());
    expect(events[0]!.body).toEqual(fixture('entry-event-request'));
  });

  it('keeps the token until expires_in minus a margin, then fetches a new one', async () => {
    const tokens = tokenEndpoint();
    const events = eventsEndpoint();
    const a = adapter();
    const o = options({ eventDefinitionKey: 'APIEvent-1', contactKey: 'C1' });
    const t0 = context().now;
    await a.send(o, context({ now: t0 }));
    await a.send(o, context({ now: t0 + 1079_000 - TOKEN_MARGIN_MS - 1 }));
    expect(tokens).toHaveLength(1);
    await a.send(o, context({ now: t0 + 1079_000 - TOKEN_MARGIN_MS }));
    expect(tokens).toHaveLength(2);
    expect(events).toHaveLength(3);
  });

  it('asks for one token when several sends start together', async () => {
    const tokens = tokenEndpoint();
    eventsEndpoint();
    const a = adapter();
    const o = options({ eventDefinitionKey: 'APIEvent-1', contactKey: 'C1' });
    const outcomes = await Promise.all([a.send(o, context()), a.send(o, context()), a.send(o, context())]);
    expect(outcomes.map((x) => x.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(tokens).toHaveLength(1);
  });

  it('drops a token the REST API refuses (401), fetches a new one and sends the event once more', async () => {
    const tokens = tokenEndpoint(TOKEN_URL, () => HttpResponse.json({ ...TOKEN, access_token: 'revoked' }), () => HttpResponse.json(TOKEN));
    const events = eventsEndpoint(EVENTS_URL, () => HttpResponse.json({ message: 'Not Authorized', errorcode: 0, documentation: '' }, { status: 401 }), created);
    const outcome = await adapter().send(options({ eventDefinitionKey: 'APIEvent-1', contactKey: 'C1' }), context());
    expect(outcome.status).toBe('delivered');
    expect(tokens).toHaveLength(2);
    expect(events.map((e) => e.headers.get('authorization'))).toEqual(['Bearer revoked', `Bearer ${ACCESS_TOKEN}`]);
  });

  it('writes the delivery id into the field deliveryIdField names, the same on every attempt', async () => {
    tokenEndpoint();
    const events = eventsEndpoint();
    const o = options({ eventDefinitionKey: 'APIEvent-1', contactKey: 'C1', data: { Points: '5' }, deliveryIdField: 'LoyaltyDeliveryId' });
    await adapter().send(o, context({ attempt: 1 }));
    await adapter().send(o, context({ attempt: 2 }));
    expect(events.map((e) => e.body)).toEqual([
      { ContactKey: 'C1', EventDefinitionKey: 'APIEvent-1', Data: { Points: '5', LoyaltyDeliveryId: context().idempotencyKey } },
      { ContactKey: 'C1', EventDefinitionKey: 'APIEvent-1', Data: { Points: '5', LoyaltyDeliveryId: context().idempotencyKey } },
    ]);
  });

  it('without contactKey enters the member\'s own contact (sfmc: alias), and skips a member without one', async () => {
    tokenEndpoint();
    const events = eventsEndpoint();
    const o = options({ eventDefinitionKey: 'APIEvent-1' });
    expect((await adapter(['email:ann.lee@example.com', 'sfmc:0034x00001KqLp2AAF']).send(o, context())).status).toBe('delivered');
    expect(events[0]!.body).toMatchObject({ ContactKey: '0034x00001KqLp2AAF' });
    expect(await adapter(['shopify:7']).send(o, context())).toEqual({
      status: 'skipped',
      reason: 'sfmc: the member has no Marketing Cloud contact (no sfmc: alias); give contactKey, e.g. "{{ member.email }}"',
    });
    expect(events).toHaveLength(1);
  });

  it('skips a member who does not accept marketing e-mail, unless requireEmailConsent is false', async () => {
    tokenEndpoint();
    const events = eventsEndpoint();
    const noConsent = context({ member: { ...ann, consentEmail: false } });
    expect(await adapter().send(options({ eventDefinitionKey: 'APIEvent-1', contactKey: 'C1' }), noConsent)).toEqual({
      status: 'skipped',
      reason: 'sfmc: the member does not accept marketing e-mail (requireEmailConsent)',
    });
    expect(events).toHaveLength(0);
    expect((await adapter().send(options({ eventDefinitionKey: 'APIEvent-1', contactKey: 'C1', requireEmailConsent: false }), noConsent)).status).toBe('delivered');
  });

  it('honours SFMC_AUTH_URL and SFMC_REST_URL', async () => {
    const tokens = tokenEndpoint('http://sfmc-auth.test/v2/token');
    const events = eventsEndpoint('http://sfmc-rest.test/interaction/v1/events');
    const a = sfmc.createAdapter!({ ...env, SFMC_AUTH_URL: 'http://sfmc-auth.test/', SFMC_REST_URL: 'http://sfmc-rest.test' }, { store: {} as Store, commit: (() => {}) as never, state: undefined as never });
    expect((await a.send(options({ eventDefinitionKey: 'APIEvent-1', contactKey: 'C1' }), context())).status).toBe('delivered');
    expect([tokens.length, events.length]).toEqual([1, 1]);
  });

  it('reads SFMC_SUBDOMAIN however it is pasted', () => {
    const expected = { auth: `https://${SUB}.auth.marketingcloudapis.com`, rest: `https://${SUB}.rest.marketingcloudapis.com` };
    expect(sfmcBaseUrls({ subdomain: SUB })).toEqual(expected);
    expect(sfmcBaseUrls({ subdomain: `https://${SUB}.auth.marketingcloudapis.com/` })).toEqual(expected);
    expect(sfmcBaseUrls({ subdomain: `${SUB}.rest.marketingcloudapis.com` })).toEqual(expected);
  });
});

describe('sfmc adapter: answers', () => {
  const o = options({ eventDefinitionKey: 'APIEvent-loyalty-points-earned', contactKey: 'C1' });

  it('400 (an event definition Marketing Cloud does not have) is final, with its message and errorcode', async () => {
    tokenEndpoint();
    eventsEndpoint(EVENTS_URL, refused);
    expect(await adapter().send(o, context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: "sfmc: HTTP 400 Event definition with key 'APIEvent-loyalty-points-earned' was not found. (errorcode 30000)",
    });
  });

  it('masks an e-mail address Marketing Cloud quotes in its reason (the contact key)', async () => {
    tokenEndpoint();
    eventsEndpoint(EVENTS_URL, () => HttpResponse.json({ message: 'Contact ann.lee@example.com is not active', errorcode: 30000, documentation: '' }, { status: 400 }));
    expect(await adapter().send(o, context())).toMatchObject({ status: 'permanent', error: 'sfmc: HTTP 400 Contact a***@e***.com is not active (errorcode 30000)' });
  });

  it('429 is retried after Retry-After, and holds the sends that follow until then without calling', async () => {
    tokenEndpoint();
    const events = eventsEndpoint(EVENTS_URL, () => HttpResponse.json({ message: 'Too Many Requests', errorcode: 0 }, { status: 429, headers: { 'Retry-After': '7' } }), created);
    const a = adapter();
    const now = context().now;
    expect(await a.send(o, context({ now }))).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 7000 });
    expect(await a.send(o, context({ now: now + 1000 }))).toMatchObject({ status: 'deferred', until: now + 7000 });
    expect(events).toHaveLength(1);
    expect((await a.send(o, context({ now: now + 7000 }))).status).toBe('delivered');
  });

  it('5xx and an unreachable host are retried', async () => {
    tokenEndpoint();
    eventsEndpoint(EVENTS_URL, () => HttpResponse.json({ message: 'An error occurred', errorcode: 0 }, { status: 500 }), () => HttpResponse.error());
    const a = adapter();
    expect(await a.send(o, context())).toMatchObject({ status: 'retry', statusCode: 500, error: 'sfmc: HTTP 500 An error occurred (errorcode 0)' });
    expect(await a.send(o, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^sfmc: request failed/) });
  });

  it('a client the token endpoint refuses is final and says which variables to check; its 5xx is retried', async () => {
    tokenEndpoint(TOKEN_URL, () => HttpResponse.json(fixture('token-error-response'), { status: 401 }));
    const events = eventsEndpoint();
    const outcome = await adapter().send(o, context());
    expect(outcome).toMatchObject({ status: 'permanent', statusCode: 401 });
    expect(outcome.status === 'permanent' && outcome.error).toMatch(/^sfmc: token endpoint answered HTTP 401 invalid_client: Client authentication failed.*\(check SFMC_CLIENT_ID, SFMC_CLIENT_SECRET and SFMC_ACCOUNT_ID\)$/);
    expect(events).toHaveLength(0);

    tokenEndpoint(TOKEN_URL, () => new HttpResponse('upstream', { status: 503, headers: { 'Retry-After': '3' } }));
    expect(await adapter().send(o, context())).toMatchObject({ status: 'retry', statusCode: 503, retryAfterMs: 3000 });
  });

  it('answers retry without calling when the delivery is already aborted', async () => {
    const tokens = tokenEndpoint();
    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(o, context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'sfmc: aborted' });
    expect(tokens).toHaveLength(0);
  });
});

describe('sfmc adapter: options and variables', () => {
  it('refuses what Marketing Cloud would: no key, a period in the key, a typo, a reserved field', () => {
    expect(sfmcOptions.safeParse({ eventDefinitionKey: 'APIEvent-1' }).success).toBe(true);
    expect(sfmcOptions.safeParse({}).success).toBe(false);
    expect(sfmcOptions.safeParse({ eventDefinitionKey: 'APIEvent.1' }).success).toBe(false);
    expect(sfmcOptions.safeParse({ eventDefinitionKey: 'APIEvent-1', contactkey: 'x' }).success).toBe(false);
    expect(sfmcOptions.safeParse({ eventDefinitionKey: 'APIEvent-1', data: { eventInstanceId: 'x' } }).success).toBe(false);
    expect(sfmcOptions.parse({ eventDefinitionKey: 'APIEvent-1' })).toEqual({ eventDefinitionKey: 'APIEvent-1', data: {}, requireEmailConsent: true });
  });

  it('mappings check names the file, line and reason of a refused action', () => {
    const text = ['- name: sfmc-bad', '  on: points.earned', '  send:', '    adapter: sfmc', '    eventDefinitionKey: "APIEvent.loyalty"', ''].join('\n');
    const { adapters } = adapterDescriptors([sfmc], {});
    const { problems } = loadMappingFile('/mappings/sfmc-bad.yaml', adapters, text);
    expect(problems).toEqual([{ file: '/mappings/sfmc-bad.yaml', line: 5, path: '[0].send.eventDefinitionKey', reason: 'sfmc: an Event Definition Key contains no period' }]);
  });

  it('is described without secrets, as mappings check does', () => {
    const { adapters, unavailable } = adapterDescriptors([sfmc], {});
    expect(unavailable).toEqual([]);
    expect(adapters.get('sfmc')?.options).toBe(sfmcOptions);
  });

  it('is disabled until subdomain, client and JWT secret are set; secrets are marked', () => {
    expect(connectorStatus(sfmc, {})).toMatchObject({ enabled: false, missing: ['SFMC_SUBDOMAIN', 'SFMC_CLIENT_ID', 'SFMC_CLIENT_SECRET', 'SFMC_JWT_SECRET'] });
    expect(connectorStatus(sfmc, env)).toMatchObject({ enabled: true, missing: [] });
    expect(sfmc.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['SFMC_CLIENT_SECRET', 'SFMC_JWT_SECRET']);
  });
});

describe('sfmc adapter through the dispatcher (shipped mapping, switched on)', () => {
  const h = dispatchHarness('sfmc', shippedMappings(), (services) => sfmc.createAdapter!(env, services));
  let clock: TestClock;
  let ledger: TestLedger;
  let memberId: string;
  beforeEach(() => void ({ clock, ledger, memberId } = h));
  const { dispatcher, deliveries, eventsOf } = h;

  it('a 429 with Retry-After: 7 is sent again exactly 7 s later, and delivered', async () => {
    tokenEndpoint();
    const events = eventsEndpoint(EVENTS_URL, () => HttpResponse.json({ message: 'Too Many Requests', errorcode: 0 }, { status: 429, headers: { 'Retry-After': '7' } }), created);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    expect(await d.runOnce()).toEqual({ routed: 1, attempted: 1 });
    clock.advance(6_999);
    expect((await d.runOnce()).attempted).toBe(0);
    clock.advance(1);
    expect((await d.runOnce()).attempted).toBe(1);
    expect(events).toHaveLength(2);
    expect(events[1]!.body).toEqual({ ContactKey: 'ann.lee@example.com', EventDefinitionKey: 'APIEvent-loyalty-points-earned', Data: { EmailAddress: 'ann.lee@example.com', FirstName: 'Ann', Points: '40', Balance: '40' } });
    expect((await deliveries())[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a 400 is dead-lettered at once with Marketing Cloud\'s reason, and delivery.failed says so', async () => {
    tokenEndpoint();
    const events = eventsEndpoint(EVENTS_URL, refused);
    await ledger.earn({ memberId, points: 40, idempotencyKey: 'e1', why: { source: 'api' } });
    const d = dispatcher();
    await d.runOnce();
    clock.advance(24 * 3_600_000);
    await d.runOnce();
    expect(events).toHaveLength(1);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: 400 });
    expect(delivery!.lastError).toBe("sfmc: HTTP 400 Event definition with key 'APIEvent-loyalty-points-earned' was not found. (errorcode 30000)");
    const [failed] = await eventsOf('delivery.failed');
    expect(JSON.parse(failed!.data)).toMatchObject({ deliveryId: delivery!.id, adapter: 'sfmc', attempts: 1, statusCode: 400, error: delivery!.lastError });
  });
});
