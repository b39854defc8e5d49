/**
 * The `klaviyo` adapter against msw standing in for a.klaviyo.com: each request's endpoint,
 * headers (Klaviyo-API-Key, the pinned revision, JSON:API media types) and body, field by field
 * and against Klaviyo's own OpenAPI document; Klaviyo's published rate limits kept by deferring;
 * 429 and 5xx retried, other refusals final with Klaviyo's reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus } from '../../core/connectors/definition.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, sampleEvent } from '../../core/mappings/index.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import klaviyo from '../../connectors/klaviyo/index.js';
import { createKlaviyoAdapter } from '../../connectors/klaviyo/adapter.js';
import { klaviyoOptions, type KlaviyoOptions } from '../../connectors/klaviyo/options.js';
import { loadKlaviyoOperation } from './klaviyo-openapi.js';

const API = 'http://klaviyo.test';
const KEY = 'pk_0123456789abcdef0123456789abcdef01';
const NOW = Date.UTC(2026, 11, 6, 9, 30);

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/klaviyo/${name}`, import.meta.url), 'utf8'));
const createEvent = loadKlaviyoOperation('openapi-create_event.json', '/api/events');
const profileImport = loadKlaviyoOperation('openapi-create_or_update_profile.json', '/api/profile-import');

const ann = { id: 'mem_01ANN', email: 'ann@example.com', phone: '+14155550123', consentEmail: false, consentSms: false, firstName: 'Ann', lastName: 'Lee' };

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: 'dlv_01KLAVIYO', attempt: 1, member: ann, timeZone: 'UTC', now: NOW, signal: new AbortController().signal, ...overrides };
}

function adapter(apiUrl: string | undefined = API): OutboundAdapter<KlaviyoOptions> {
  return createKlaviyoAdapter({ apiKey: KEY, apiUrl });
}

interface Captured {
  method: string;
  url: string;
  headers: Headers;
  body: unknown;
}

/** Klaviyo at `path` answering with `answer`; every request recorded. */
function klaviyoAt(path: '/api/events' | '/api/profile-import', answer: () => Response, base = API): Captured[] {
  const seen: Captured[] = [];
  server.use(
    http.post(`${base}${path}`, async ({ request }) => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: await request.json() });
      return answer();
    }),
  );
  return seen;
}

const accepted = () => new HttpResponse(null, { status: 202 });
const profileSaved = (status = 200) => HttpResponse.json(fixture('profile_import.response.200.json') as Record<string, unknown>, { status, headers: { 'content-type': 'application/vnd.api+json' } });
const klaviyoError = (status: number, file: string, headers: Record<string, string> = {}) =>
  HttpResponse.json(fixture(file) as Record<string, unknown>, { status, headers: { 'content-type': 'application/vnd.api+json', ...headers } });

const earned: KlaviyoOptions = {
  action: 'event',
  metric: 'Loyalty points earned',
  time: '2026-12-06T09:29:58.120Z',
  properties: { points: '250', balance: '5250', reason: '', kind: 'earn', order: '007', vip: true },
};
const balance: KlaviyoOptions = { action: 'profile', properties: { loyalty_points: '5250' } };

function expectKlaviyoHeaders(headers: Headers) {
  expect(headers.get('authorization')).toBe(`Klaviyo-API-Key ${KEY}`);
  expect(headers.get('revision')).toBe('2026-07-15');
  expect(headers.get('content-type')).toBe('application/vnd.api+json');
  expect(headers.get('accept')).toBe('application/vnd.api+json');
}

describe('klaviyo adapter: the requests', () => {
  it('records an event with POST /api/events: metric by name, profile by e-mail and the member id as external_id, unique_id the idempotency key', async () => {
    const seen = klaviyoAt('/api/events', accepted);
    expect(await adapter().send(earned, context())).toEqual({ status: 'delivered', statusCode: 202 });

    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe(`${API}/api/events`);
    expectKlaviyoHeaders(req!.headers);
    expect(req!.body).toEqual({
      data: {
        type: 'event',
        attributes: {
          // Plain numbers as numbers; "007" stays text; the empty reason is left out.
          properties: { points: 250, balance: 5250, kind: 'earn', order: '007', vip: true },
          time: '2026-12-06T09:29:58.120Z',
          unique_id: 'dlv_01KLAVIYO',
          metric: { data: { type: 'metric', attributes: { name: 'Loyalty points earned' } } },
          profile: { data: { type: 'profile', attributes: { email: 'ann@example.com', external_id: 'mem_01ANN' } } },
        },
      },
    });
    expect(createEvent.contentType).toBe('application/vnd.api+json');
    expect(createEvent.check(req!.body)).toEqual([]);
  });

  it('checks against the same OpenAPI document that its own example conforms and a stray field does not', () => {
    expect(createEvent.check(fixture('create_event.request.json'))).toEqual([]);
    expect(profileImport.check(fixture('profile_import.request.json'))).toEqual([]);
    expect(createEvent.check({ data: { type: 'event', attributes: { properties: {}, uniqueId: 'x', metric: { data: { type: 'metric', attributes: { name: 'X' } } } } } })).toEqual([
      '/data/attributes/profile: required',
      '/data/attributes/uniqueId: not in Klaviyo\'s schema',
    ]);
  });

  it('sends the same unique_id on every attempt of one delivery, so Klaviyo records the event once', async () => {
    const seen = klaviyoAt('/api/events', accepted);
    const a = adapter();
    await a.send(earned, context({ attempt: 1 }));
    await a.send(earned, context({ attempt: 2, now: NOW + 5000 }));
    expect(seen.map((r) => (r.body as { data: { attributes: { unique_id: string } } }).data.attributes.unique_id)).toEqual(['dlv_01KLAVIYO', 'dlv_01KLAVIYO']);
    expect(seen[0]!.body).toEqual(seen[1]!.body);
  });

  it('sends value and its currency when the mapping gives a money amount, and no time when it gives none', async () => {
    const seen = klaviyoAt('/api/events', accepted);
    await adapter().send({ action: 'event', metric: 'Loyalty reward redeemed', value: '12.50', valueCurrency: 'usd' }, context());
    await adapter().send({ action: 'event', metric: 'Loyalty reward redeemed', value: ' ', valueCurrency: 'USD', time: '' }, context());
    const attributes = seen.map((r) => (r.body as { data: { attributes: Record<string, unknown> } }).data.attributes);
    expect(attributes[0]).toMatchObject({ properties: {}, value: 12.5, value_currency: 'USD' });
    expect(attributes[1]).not.toHaveProperty('value');
    expect(attributes[1]).not.toHaveProperty('value_currency');
    expect(attributes[1]).not.toHaveProperty('time');
    for (const r of seen) expect(createEvent.check(r.body)).toEqual([]);
  });

  it('writes profile properties with POST /api/profile-import (an upsert), never a subscription', async () => {
    const seen = klaviyoAt('/api/profile-import', () => profileSaved(200));
    const outcome = await adapter().send(
      { action: 'profile', properties: { loyalty_points: '5250', loyalty_tier: '', loyalty_points_expiring: ' 120 ', loyalty_next_expiry: '2026-12-20T00:00:00.000Z' } },
      context(),
    );
    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: '01GDDKASAP8TKDDA2GRZDSVP4H' });

    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.url).toBe(`${API}/api/profile-import`);
    expectKlaviyoHeaders(req!.headers);
    expect(req!.body).toEqual({
      data: {
        type: 'profile',
        attributes: {
          email: 'ann@example.com',
          external_id: 'mem_01ANN',
          // The empty tier is not written: the profile keeps the tier it has.
          properties: { loyalty_points: 5250, loyalty_points_expiring: 120, loyalty_next_expiry: '2026-12-20T00:00:00.000Z' },
        },
      },
    });
    expect(JSON.stringify(req!.body)).not.toMatch(/subscri/);
    expect(profileImport.check(req!.body)).toEqual([]);
  });

  it('takes 201 (a profile created) as delivered too, and sends nothing when every property rendered empty', async () => {
    const seen = klaviyoAt('/api/profile-import', () => profileSaved(201));
    expect(await adapter().send(balance, context())).toMatchObject({ status: 'delivered', statusCode: 201 });
    expect(await adapter().send({ action: 'profile', properties: { loyalty_tier: ' ' } }, context())).toEqual({
      status: 'skipped',
      reason: 'klaviyo: every profile property rendered empty; nothing to write',
    });
    expect(seen).toHaveLength(1);
  });

  it('uses the e-mail and external id the mapping gives; externalId "" sends none', async () => {
    const seen = klaviyoAt('/api/profile-import', () => profileSaved());
    await adapter().send({ ...balance, email: ' vip@shop.example ' }, context());
    await adapter().send({ ...balance, externalId: '' }, context());
    await adapter().send({ ...balance, externalId: 'shopify:7012345678' }, context());
    expect(seen.map((r) => (r.body as { data: { attributes: Record<string, unknown> } }).data.attributes)).toEqual([
      { email: 'vip@shop.example', external_id: 'mem_01ANN', properties: { loyalty_points: 5250 } },
      { email: 'ann@example.com', properties: { loyalty_points: 5250 } },
      { email: 'ann@example.com', external_id: 'shopify:7012345678', properties: { loyalty_points: 5250 } },
    ]);
  });

  it('skips, without calling Klaviyo, a member without e-mail, an e-mail that renders empty, and a member without consent when the mapping requires it', async () => {
    const seen = klaviyoAt('/api/events', accepted);
    const a = adapter();
    expect(await a.send(earned, context({ member: { ...ann, email: null } }))).toEqual({ status: 'skipped', reason: 'klaviyo: the member has no e-mail address to find their Klaviyo profile by' });
    expect(await a.send({ ...earned, email: '' }, context())).toEqual({ status: 'skipped', reason: 'klaviyo: the e-mail to find the Klaviyo profile by rendered empty' });
    expect(await a.send(earned, context({ member: null }))).toEqual({ status: 'skipped', reason: 'klaviyo: the event concerns no member, and the action gives no email' });
    expect(await a.send({ ...earned, requireEmailConsent: true }, context())).toEqual({
      status: 'skipped',
      reason: 'klaviyo: the member has not agreed to receive e-mail (requireEmailConsent)',
    });
    expect(seen).toEqual([]);
    expect(await a.send({ ...earned, requireEmailConsent: true }, context({ member: { ...ann, consentEmail: true } }))).toMatchObject({ status: 'delivered' });
  });

  it('calls https://a.klaviyo.com without KLAVIYO_API_URL, and the URL given with it', async () => {
    const production = klaviyoAt('/api/events', accepted, 'https://a.klaviyo.com');
    expect(await klaviyo.createAdapter!({ KLAVIYO_API_KEY: KEY }).send(earned, context())).toMatchObject({ status: 'delivered' });
    expect(production).toHaveLength(1);
    const proxied = klaviyoAt('/api/events', accepted, 'http://proxy.test/klaviyo');
    expect(await klaviyo.createAdapter!({ KLAVIYO_API_KEY: KEY, KLAVIYO_API_URL: 'http://proxy.test/klaviyo/' }).send(earned, context())).toMatchObject({ status: 'delivered' });
    expect(proxied.map((r) => r.url)).toEqual(['http://proxy.test/klaviyo/api/events']);
  });
});

describe('klaviyo adapter: rate limits', () => {
  it('keeps the profile-import burst limit (75 per second) by deferring the 76th send to when the window frees, without calling Klaviyo', async () => {
    const seen = klaviyoAt('/api/profile-import', () => profileSaved());
    const a = adapter();
    for (let i = 0; i < 75; i++) expect((await a.send(balance, context({ now: NOW + i }))).status).toBe('delivered');
    expect(await a.send(balance, context({ now: NOW + 100 }))).toEqual({ status: 'deferred', until: NOW + 1000, reason: 'klaviyo: Klaviyo (profile-import) allows 75 requests per second' });
    expect(seen).toHaveLength(75);
    // Each endpoint has its own limits: events still go.
    klaviyoAt('/api/events', accepted);
    expect(await a.send(earned, context({ now: NOW + 100 }))).toMatchObject({ status: 'delivered' });
    expect(await a.send(balance, context({ now: NOW + 1000 }))).toMatchObject({ status: 'delivered' });
  });

  it('keeps the events burst limit (350 per second)', async () => {
    const seen = klaviyoAt('/api/events', accepted);
    const a = adapter();
    for (let i = 0; i < 350; i++) await a.send(earned, context({ now: NOW }));
    expect(await a.send(earned, context({ now: NOW + 999 }))).toEqual({ status: 'deferred', until: NOW + 1000, reason: 'klaviyo: Klaviyo (events) allows 350 requests per second' });
    expect(seen).toHaveLength(350);
  });

  it('answers a 429 with retry after Retry-After, and holds that endpoint\'s sends until then without calling Klaviyo', async () => {
    const seen = klaviyoAt('/api/events', () => klaviyoError(429, 'error_429_throttled.json', { 'Retry-After': '7' }));
    const a = adapter();
    expect(await a.send(earned, context())).toEqual({
      status: 'retry',
      statusCode: 429,
      retryAfterMs: 7000,
      error: 'klaviyo: HTTP 429 throttled: Request was throttled. Expected available in 7 seconds. (/data/)',
    });
    expect(await a.send(earned, context({ now: NOW + 6999 }))).toEqual({ status: 'deferred', until: NOW + 7000, reason: 'klaviyo: Klaviyo answered 429 Too Many Requests' });
    expect(seen).toHaveLength(1);
    server.resetHandlers();
    const after = klaviyoAt('/api/events', accepted);
    expect(await a.send(earned, context({ now: NOW + 7000 }))).toMatchObject({ status: 'delivered' });
    expect(after).toHaveLength(1);
  });

  it('without Retry-After, leaves the wait to the retry schedule and holds the endpoint for Klaviyo\'s one-second burst window', async () => {
    klaviyoAt('/api/profile-import', () => new HttpResponse(null, { status: 429 }));
    const a = adapter();
    expect(await a.send(balance, context())).toEqual({ status: 'retry', statusCode: 429, error: 'klaviyo: HTTP 429' });
    expect(await a.send(balance, context({ now: NOW + 500 }))).toMatchObject({ status: 'deferred', until: NOW + 1000 });
  });
});

describe('klaviyo adapter: retries and refusals', () => {
  it('is final on a 400, with Klaviyo\'s reason and the field it names', async () => {
    klaviyoAt('/api/events', () => klaviyoError(400, 'error_400_invalid_email.json'));
    expect(await adapter().send(earned, context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: 'klaviyo: HTTP 400 invalid: Invalid email address (/data/attributes/email)',
    });
  });

  it('is final on a 409 (the e-mail and the external id name two profiles), saying what to change', async () => {
    klaviyoAt('/api/profile-import', () => klaviyoError(409, 'error_409_duplicate_profile.json'));
    expect(await adapter().send(balance, context())).toEqual({
      status: 'permanent',
      statusCode: 409,
      error:
        'klaviyo: HTTP 409 duplicate_profile: A profile already exists with one of these identifiers. (/data/attributes) ' +
        '(the e-mail and the external_id belong to different Klaviyo profiles: see externalId in docs/connectors/klaviyo.md)',
    });
  });

  it('masks an e-mail address quoted back in Klaviyo\'s reason', async () => {
    // Constructed: a detail that quotes the address, to show it never reaches the delivery's error in clear.
    klaviyoAt('/api/events', () => HttpResponse.json({ errors: [{ id: 'e1', status: 400, code: 'invalid', title: 'Invalid input.', detail: 'ann@example.com is not allowed' }] }, { status: 400 }));
    expect(await adapter().send(earned, context())).toEqual({ status: 'permanent', statusCode: 400, error: 'klaviyo: HTTP 400 invalid: a***@e***.com is not allowed' });
  });

  it('is final on a refused key, saying which variable to fix', async () => {
    klaviyoAt('/api/events', () =>
      HttpResponse.json({ errors: [{ id: 'e2', status: 401, code: 'not_authenticated', title: 'Authentication credentials were not provided.', detail: 'Missing or invalid private key.' }] }, { status: 401 }),
    );
    expect(await adapter().send(earned, context())).toMatchObject({ status: 'permanent', statusCode: 401, error: expect.stringMatching(/Missing or invalid private key\..*KLAVIYO_API_KEY/) });
  });

  it.each([
    [500, {}, undefined],
    [503, { 'Retry-After': '120' }, 120_000],
  ])('answers HTTP %i with retry (honouring Retry-After)', async (status, headers, retryAfterMs) => {
    klaviyoAt('/api/events', () => HttpResponse.json({ errors: [{ id: 'e3', status, code: 'error', title: 'A server error occurred.', detail: 'Internal error' }] }, { status, headers }));
    expect(await adapter().send(earned, context())).toEqual({
      status: 'retry',
      statusCode: status,
      ...(retryAfterMs ? { retryAfterMs } : {}),
      error: `klaviyo: HTTP ${status} error: Internal error`,
    });
  });

  it('retries a gateway\'s HTML page by its status, a network error, and a delivery whose time is up', async () => {
    klaviyoAt('/api/events', () => new HttpResponse('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    expect(await adapter().send(earned, context())).toEqual({ status: 'retry', statusCode: 502, error: 'klaviyo: HTTP 502' });

    server.resetHandlers();
    klaviyoAt('/api/events', () => HttpResponse.error());
    expect(await adapter().send(earned, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^klaviyo: request failed/) });

    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(earned, context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'klaviyo: aborted' });
  });
});

describe('klaviyo options and connector', () => {
  it('refuses at mappings check what Klaviyo would refuse, and typos', () => {
    const ok = (o: unknown) => klaviyoOptions.safeParse(o).success;
    expect(ok(earned)).toBe(true);
    expect(ok(balance)).toBe(true);
    expect(ok({ action: 'event' })).toBe(false); // no metric
    expect(ok({ action: 'event', metric: 'x'.repeat(128) })).toBe(false);
    expect(ok({ action: 'event', metric: 'X', time: 'yesterday' })).toBe(false);
    expect(ok({ action: 'event', metric: 'X', value: '12,50' })).toBe(false);
    expect(ok({ action: 'event', metric: 'X', metrc: 'Y' })).toBe(false);
    expect(ok({ action: 'profile', properties: {} })).toBe(false);
    expect(ok({ action: 'profile', properties: { $email: 'x' } })).toBe(false);
    expect(ok({ action: 'profile', metric: 'X', properties: { a: '1' } })).toBe(false);
    expect(ok({ action: 'subscribe', properties: { a: '1' } })).toBe(false);
    expect(ok({ metric: 'X' })).toBe(false);
  });

  it('reports a mistake in a mapping file with its file, line and reason, as mappings check does', async () => {
    const { adapters } = adapterDescriptors([klaviyo], {});
    const file = join(import.meta.dirname, 'klaviyo-broken.yaml');
    const text = [
      'name: klaviyo-broken',
      'on: points.earned',
      'send:',
      '  adapter: klaviyo',
      '  action: event',
      '  metric: Loyalty points earned',
      '  tme: "{{ event.occurredAt }}"',
      '',
      '',
    ].join('\n');
    const wrongAction = text.replace('action: event', 'action: track').replace('  tme: "{{ event.occurredAt }}"\n', '');
    expect(loadMappingFile(file, adapters, text).problems).toEqual([{ file, line: 7, path: 'send.tme', reason: 'klaviyo has no option "tme"' }]);
    expect(loadMappingFile(file, adapters, wrongAction).problems).toEqual([
      { file, line: 5, path: 'send.action', reason: 'klaviyo: action must be "event" (a Klaviyo metric event) or "profile" (profile properties)' },
    ]);
  });

  it('is disabled until KLAVIYO_API_KEY is set, which is its only secret, and is described without it', () => {
    expect(connectorStatus(klaviyo, {})).toEqual({ name: 'klaviyo', title: 'Klaviyo', directions: ['outbound'], enabled: false, missing: ['KLAVIYO_API_KEY'] });
    expect(connectorStatus(klaviyo, { KLAVIYO_API_KEY: KEY })).toMatchObject({ enabled: true });
    expect(klaviyo.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['KLAVIYO_API_KEY']);
    const { adapters, unavailable } = adapterDescriptors([klaviyo], {});
    expect(unavailable).toEqual([]);
    expect(adapters.get('klaviyo')?.options).toBe(klaviyoOptions);
    expect(klaviyo.createAdapter!({ KLAVIYO_API_KEY: KEY }).options).toBe(klaviyoOptions);
  });
});

describe('the shipped Klaviyo mappings', () => {
  const { adapters } = adapterDescriptors([klaviyo], {});
  const shipped = (file: string, switchedOn: boolean) => {
    const path = join(import.meta.dirname, '../../mappings', file);
    const text = readFileSync(path, 'utf8');
    const loaded = loadMappingFile(path, adapters, switchedOn ? text.replace(/"false"( # SWITCH)/, '"true"$1') : text);
    expect(loaded.problems).toEqual([]);
    return loaded.mappings;
  };
  const member = { id: 'mem_01ANN', email: 'ann@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };

  it('send nothing as shipped: one SWITCH line per file turns them on', () => {
    for (const file of ['klaviyo-loyalty-events.yaml', 'klaviyo-profile-sync.yaml']) {
      const off = shipped(file, false);
      expect(off).toHaveLength(8);
      for (const m of off) expect(mappingActionsFor([m], sampleEvent(m.on), { member })).toEqual([]);
      const on = shipped(file, true);
      for (const m of on) expect(mappingActionsFor([m], sampleEvent(m.on), { member })).toHaveLength(1);
    }
  });

  it('keep the expiring points and the next expiry on the profile with each expiry reminder', () => {
    const profile = shipped('klaviyo-profile-sync.yaml', true);
    expect(mappingActionsFor(profile, sampleEvent('points.expiring'), { member })).toEqual([
      {
        mapping: 'klaviyo-profile-sync-points-expiring',
        index: 0,
        adapter: 'klaviyo',
        options: { action: 'profile', properties: { loyalty_points: '5250', loyalty_points_expiring: '120', loyalty_next_expiry: '2025-06-15T00:00:00.000Z' } },
      },
    ]);
    const events = shipped('klaviyo-loyalty-events.yaml', true);
    expect(mappingActionsFor(events, sampleEvent('points.expiring'), { member })[0]!.options).toEqual({
      action: 'event',
      metric: 'Loyalty points expiring',
      time: '2025-06-01T14:30:00.000Z',
      properties: { points: '120', expires_at: '2025-06-15T00:00:00.000Z', days: '14', balance: '5250', loyalty_event_id: 'evt_sample_points_expiring' },
    });
  });
});
