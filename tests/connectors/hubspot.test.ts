/**
 * The `hubspot` adapter against msw standing in for api.hubapi.com: every request's endpoint,
 * `Authorization: Bearer`, and body; the property group and properties created once; 429 (with
 * HubSpot's rate-limit headers) and 5xx retried, other refusals final with HubSpot's message.
 */
import { http, HttpResponse, type DefaultBodyType, type StrictRequest } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adapterDescriptors } from '../../core/mappings/index.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import type { Store } from '../../core/storage/store.js';
import hubspot from '../../connectors/hubspot/index.js';
import { createHubSpotAdapter } from '../../connectors/hubspot/adapter.js';
import { hubspotOptions, type HubSpotOptions } from '../../connectors/hubspot/options.js';

const API = 'http://hubspot.test';
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const BEARER = `Bearer ${TOKEN}`;
const NOW = Date.UTC(2025, 5, 2, 9, 30);

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ann = { id: 'mem_ann', email: 'ann@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: 'dlv_01HUBSPOT', attempt: 1, member: ann, timeZone: 'UTC', now: NOW, signal: new AbortController().signal, ...overrides };
}

/** An adapter whose members have these aliases (what the hub's store would say). */
function adapter(aliases: Record<string, string[]> = { mem_ann: ['email:ann@example.com', 'hubspot:151'] }): OutboundAdapter<HubSpotOptions> {
  return createHubSpotAdapter({ accessToken: TOKEN, apiUrl: API, aliasesOf: async (id) => aliases[id] ?? [] });
}

interface Captured {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

const seen: Captured[] = [];
afterEach(() => {
  seen.length = 0;
});

/** Records the request; returns its JSON body. */
async function capture(request: StrictRequest<DefaultBodyType>): Promise<unknown> {
  const text = await request.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  seen.push({ method: request.method, url: request.url, authorization: request.headers.get('authorization'), body });
  return body;
}

const GROUPS = `${API}/crm/v3/properties/contacts/groups`;
const PROPERTIES = `${API}/crm/v3/properties/contacts`;
const BATCH_UPDATE = `${API}/crm/v3/objects/contacts/batch/update`;
const BY_EMAIL = `${API}/crm/v3/objects/contacts/:email`;

const object = (id: string, properties: Record<string, string>) => ({ id, properties, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-06-02T09:30:00Z', archived: false });
const updated = (ids: string[], headers: Record<string, string> = {}) =>
  HttpResponse.json({ status: 'COMPLETE', results: ids.map((id) => object(id, {})), startedAt: '2025-06-02T09:30:00Z', completedAt: '2025-06-02T09:30:01Z' }, { headers });
const hubspotError = (status: number, category: string, message: string, headers: Record<string, string> = {}) =>
  HttpResponse.json({ status: 'error', message, correlationId: 'c0ffee00-1234', category }, { status, headers });

/** HubSpot with the properties in place (409 on every create) and this answer to updates. */
function hubspotWith(update: () => Response, byEmail: () => Response = () => HttpResponse.json(object('151', {}))) {
  server.use(
    http.post(GROUPS, async ({ request }) => {
      await capture(request);
      return hubspotError(409, 'OBJECT_ALREADY_EXISTS', 'A property group named \'loyalty\' already exists.');
    }),
    http.post(PROPERTIES, async ({ request }) => {
      await capture(request);
      return hubspotError(409, 'OBJECT_ALREADY_EXISTS', 'Property already exists');
    }),
    http.post(BATCH_UPDATE, async ({ request }) => {
      await capture(request);
      return update();
    }),
    http.patch(BY_EMAIL, async ({ request }) => {
      await capture(request);
      return byEmail();
    }),
  );
}

const updates = () => seen.filter((r) => !r.url.includes('/properties/'));
const points = (value: string): HubSpotOptions => ({ properties: { loyalty_points: value } });

describe('hubspot adapter: the requests', () => {
  it('first creates the Loyalty group and its three properties, then writes the member\'s contact with one batch update', async () => {
    server.use(
      http.post(GROUPS, async ({ request }) => {
        await capture(request);
        return HttpResponse.json({ name: 'loyalty', label: 'Loyalty', displayOrder: -1, archived: false }, { status: 201 });
      }),
      http.post(PROPERTIES, async ({ request }) => {
        const body = (await capture(request)) as { name: string };
        return HttpResponse.json({ name: body.name, label: body.name, type: 'number', fieldType: 'number', groupName: 'loyalty', description: '', options: [] }, { status: 201 });
      }),
      http.post(BATCH_UPDATE, async ({ request }) => {
        await capture(request);
        return updated(['151']);
      }),
    );
    const hub = adapter();
    const outcome = await hub.send({ properties: { loyalty_points: '1050', loyalty_tier: 'Silver' } }, context());
    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: '151' });

    const created = { groupName: 'loyalty', formField: false, hasUniqueValue: false };
    expect(seen).toEqual([
      { method: 'POST', url: GROUPS, authorization: BEARER, body: { name: 'loyalty', label: 'Loyalty', displayOrder: -1 } },
      {
        method: 'POST',
        url: PROPERTIES,
        authorization: BEARER,
        body: { name: 'loyalty_points', label: 'Loyalty points', type: 'number', fieldType: 'number', description: 'Spendable loyalty points (Loyalty Hub).', ...created },
      },
      {
        method: 'POST',
        url: PROPERTIES,
        authorization: BEARER,
        body: { name: 'loyalty_tier', label: 'Loyalty tier', type: 'string', fieldType: 'text', description: 'Current loyalty tier (Loyalty Hub).', ...created },
      },
      {
        method: 'POST',
        url: PROPERTIES,
        authorization: BEARER,
        body: {
          name: 'loyalty_points_expiring',
          label: 'Loyalty points expiring',
          type: 'number',
          fieldType: 'number',
          description: 'Loyalty points about to expire, as of the last expiry reminder (Loyalty Hub).',
          ...created,
        },
      },
      { method: 'POST', url: BATCH_UPDATE, authorization: BEARER, body: { inputs: [{ id: '151', properties: { loyalty_points: '1050', loyalty_tier: 'Silver' } }] } },
    ]);

    // Once per process: the next send is the update alone.
    seen.length = 0;
    expect(await hub.send(points('1100'), context())).toMatchObject({ status: 'delivered' });
    expect(seen).toEqual([{ method: 'POST', url: BATCH_UPDATE, authorization: BEARER, body: { inputs: [{ id: '151', properties: { loyalty_points: '1100' } }] } }]);
  });

  it('takes "already exists" (409) for the group and the properties as done', async () => {
    hubspotWith(() => updated(['151']));
    expect(await adapter().send(points('50'), context())).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: '151' });
    expect(seen.map((r) => r.url)).toEqual([GROUPS, PROPERTIES, PROPERTIES, PROPERTIES, BATCH_UPDATE]);
  });

  it('writes every HubSpot contact the member came from in the same batch', async () => {
    hubspotWith(() => updated(['151', '152']));
    const outcome = await adapter({ mem_ann: ['hubspot:151', 'shopify:77', 'hubspot:152'] }).send(points('80'), context());
    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: '151,152' });
    expect(updates()).toEqual([
      { method: 'POST', url: BATCH_UPDATE, authorization: BEARER, body: { inputs: [{ id: '151', properties: { loyalty_points: '80' } }, { id: '152', properties: { loyalty_points: '80' } }] } },
    ]);
  });

  it('finds a member without a HubSpot alias by their e-mail (the batch endpoint takes no e-mail)', async () => {
    hubspotWith(() => updated([]));
    const outcome = await adapter({ mem_ann: ['email:ann@example.com', 'shopify:77'] }).send(points('120'), context());
    expect(outcome).toEqual({ status: 'delivered', statusCode: 200 });
    expect(updates()).toEqual([
      { method: 'PATCH', url: `${API}/crm/v3/objects/contacts/ann%40example.com?idProperty=email`, authorization: BEARER, body: { properties: { loyalty_points: '120' } } },
    ]);
  });

  it('writes the contact the options name: an e-mail address, or a record ID', async () => {
    hubspotWith(() => updated(['901']));
    await adapter().send({ properties: { loyalty_tier: 'Gold' }, email: 'vip-desk@shop.example' }, context());
    await adapter().send({ properties: { loyalty_tier: 'Gold' }, contactId: ' 901 ' }, context({ member: null }));
    expect(updates()).toEqual([
      { method: 'PATCH', url: `${API}/crm/v3/objects/contacts/vip-desk%40shop.example?idProperty=email`, authorization: BEARER, body: { properties: { loyalty_tier: 'Gold' } } },
      { method: 'POST', url: BATCH_UPDATE, authorization: BEARER, body: { inputs: [{ id: '901', properties: { loyalty_tier: 'Gold' } }] } },
    ]);
  });

  it('leaves out a property whose value rendered empty, and sends nothing when all did', async () => {
    hubspotWith(() => updated(['151']));
    await adapter().send({ properties: { loyalty_points: ' 300 ', loyalty_tier: '', loyalty_points_expiring: '  ' } }, context());
    expect(updates().map((r) => r.body)).toEqual([{ inputs: [{ id: '151', properties: { loyalty_points: '300' } }] }]);

    seen.length = 0;
    expect(await adapter().send({ properties: { loyalty_tier: '' } }, context())).toEqual({ status: 'skipped', reason: 'hubspot: every property value rendered empty; nothing to write' });
    expect(seen).toEqual([]);
  });
});

describe('hubspot adapter: contacts HubSpot does not have', () => {
  it('skips (no failure, no retry) a member who is not in HubSpot by e-mail', async () => {
    hubspotWith(
      () => updated([]),
      () => hubspotError(404, 'OBJECT_NOT_FOUND', 'resource not found'),
    );
    const outcome = await adapter({ mem_ann: [] }).send(points('10'), context());
    expect(outcome).toEqual({ status: 'skipped', reason: 'hubspot: no HubSpot contact has the e-mail a***@e***.com' });
  });

  it('skips a member with neither a HubSpot alias nor an e-mail, without calling HubSpot', async () => {
    const outcome = await adapter({ mem_ann: [] }).send(points('10'), context({ member: { ...ann, email: null } }));
    expect(outcome).toEqual({ status: 'skipped', reason: 'hubspot: the member has no HubSpot contact: no hubspot: alias and no e-mail address' });
    expect(seen).toEqual([]);
  });

  it('skips a deleted contact; with two contacts, the one that still exists is written', async () => {
    hubspotWith(() => hubspotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.'));
    expect(await adapter().send(points('10'), context())).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/contact 151 does not exist in HubSpot/) });

    // A 207 Multi-Status: one input updated, the other unknown.
    server.resetHandlers();
    seen.length = 0;
    hubspotWith(() =>
      HttpResponse.json(
        {
          status: 'COMPLETE',
          results: [object('152', {})],
          numErrors: 1,
          errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist.', context: { ids: ['151'] }, links: {}, errors: [] }],
          startedAt: '2025-06-02T09:30:00Z',
          completedAt: '2025-06-02T09:30:01Z',
        },
        { status: 207 },
      ),
    );
    expect(await adapter({ mem_ann: ['hubspot:151', 'hubspot:152'] }).send(points('10'), context())).toEqual({ status: 'delivered', statusCode: 207, providerMessageId: '152' });
  });

  it('when a whole batch of two is refused as not found, writes each contact on its own', async () => {
    hubspotWith(() => updated(['152']));
    server.use(
      http.post(BATCH_UPDATE, async ({ request }) => {
        const body = (await capture(request)) as { inputs: { id: string }[] };
        return body.inputs.some((i) => i.id === '151') ? hubspotError(404, 'OBJECT_NOT_FOUND', 'Object not found') : updated(['152']);
      }),
    );
    const outcome = await adapter({ mem_ann: ['hubspot:151', 'hubspot:152'] }).send(points('10'), context());
    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: '152' });
    expect(updates().map((r) => (r.body as { inputs: { id: string }[] }).inputs.map((i) => i.id))).toEqual([['151', '152'], ['151'], ['152']]);
  });
});

describe('hubspot adapter: retries and refusals', () => {
  it('answers a 429 with retry after Retry-After, and defers the sends that follow until then, without calling HubSpot', async () => {
    hubspotWith(() => hubspotError(429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', { 'retry-after': '3' }));
    const hub = adapter();
    expect(await hub.send(points('10'), context())).toEqual({
      status: 'retry',
      statusCode: 429,
      retryAfterMs: 3000,
      error: 'hubspot: HTTP 429 rate limited: You have reached your ten_secondly_rolling limit.',
    });
    seen.length = 0;
    expect(await hub.send(points('20'), context({ now: NOW + 1000 }))).toEqual({ status: 'deferred', until: NOW + 3000, reason: 'hubspot: rate limit reached; waiting until 2025-06-02T09:30:03.000Z' });
    expect(seen).toEqual([]);

    // The window has passed: HubSpot is asked again.
    server.resetHandlers();
    hubspotWith(() => updated(['151']));
    expect(await hub.send(points('20'), context({ now: NOW + 3000 }))).toMatchObject({ status: 'delivered' });
    expect(updates()).toHaveLength(1);
  });

  it('without Retry-After, waits out HubSpot\'s window (X-HubSpot-RateLimit-Interval-Milliseconds), or an hour once the daily quota is spent', async () => {
    hubspotWith(() =>
      hubspotError(429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', {
        'x-hubspot-ratelimit-interval-milliseconds': '10000',
        'x-hubspot-ratelimit-max': '190',
        'x-hubspot-ratelimit-remaining': '0',
      }),
    );
    expect(await adapter().send(points('10'), context())).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 10_000 });

    server.resetHandlers();
    hubspotWith(() => hubspotError(429, 'RATE_LIMITS', 'You have reached your daily limit.', { 'x-hubspot-ratelimit-daily': '250000', 'x-hubspot-ratelimit-daily-remaining': '0' }));
    expect(await adapter().send(points('10'), context())).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 3_600_000 });
  });

  it('stays away for the rest of the window after an answer that said no request remains in it', async () => {
    hubspotWith(() => updated(['151'], { 'x-hubspot-ratelimit-interval-milliseconds': '10000', 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-max': '100' }));
    const hub = adapter();
    expect(await hub.send(points('10'), context())).toMatchObject({ status: 'delivered' });
    seen.length = 0;
    expect(await hub.send(points('11'), context({ now: NOW + 2000 }))).toEqual({ status: 'deferred', until: NOW + 10_000, reason: expect.stringMatching(/rate limit reached/) });
    expect(seen).toEqual([]);
  });

  it.each([
    [500, {}, undefined],
    [502, {}, undefined],
    [503, { 'retry-after': '120' }, 120_000],
  ])('answers HTTP %i with retry (honouring Retry-After)', async (status, headers, retryAfterMs) => {
    hubspotWith(() => hubspotError(status, 'INTERNAL_ERROR', 'Something went wrong', headers));
    const outcome = await adapter().send(points('10'), context());
    expect(outcome).toEqual({ status: 'retry', statusCode: status, ...(retryAfterMs ? { retryAfterMs } : {}), error: `hubspot: HTTP ${status} INTERNAL_ERROR: Something went wrong (correlationId c0ffee00-1234)` });
  });

  it('answers a gateway\'s HTML error page with retry, by its status', async () => {
    hubspotWith(() => new HttpResponse('<html><body>Bad gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    expect(await adapter().send(points('10'), context())).toMatchObject({ status: 'retry', statusCode: 502 });
  });

  it('retries when HubSpot cannot be reached, and when the delivery\'s time is up', async () => {
    hubspotWith(() => HttpResponse.error());
    expect(await adapter().send(points('10'), context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^hubspot: request to HubSpot failed/) });

    const controller = new AbortController();
    server.resetHandlers();
    server.use(http.post(GROUPS, () => new Promise<Response>(() => controller.abort())));
    expect(await adapter().send(points('10'), context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'hubspot: aborted' });
  });

  it('is final on a value HubSpot refuses (400), with HubSpot\'s message', async () => {
    hubspotWith(() =>
      hubspotError(400, 'VALIDATION_ERROR', 'Property values were not valid: [{"isValid":false,"message":"1,050 was not a valid number.","error":"INVALID_INTEGER","name":"loyalty_points"}]'),
    );
    expect(await adapter().send(points('10'), context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error:
        'hubspot: HTTP 400 VALIDATION_ERROR: Property values were not valid: [{"isValid":false,"message":"1,050 was not a valid number.","error":"INVALID_INTEGER","name":"loyalty_points"}] (correlationId c0ffee00-1234)',
    });
  });

  it('is final on a token HubSpot refuses (401), saying which variable to fix', async () => {
    hubspotWith(() => hubspotError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.'));
    expect(await adapter().send(points('10'), context())).toMatchObject({ status: 'permanent', statusCode: 401, error: expect.stringMatching(/INVALID_AUTHENTICATION.*HUBSPOT_ACCESS_TOKEN/) });
  });

  it('goes on when HubSpot refuses to create the properties (a missing scope), and says so if the update then lacks them', async () => {
    server.use(
      http.post(GROUPS, async ({ request }) => {
        await capture(request);
        return hubspotError(403, 'MISSING_SCOPES', 'This app hasn\'t been granted all required scopes to make this call.');
      }),
      http.post(PROPERTIES, async ({ request }) => {
        await capture(request);
        return hubspotError(403, 'MISSING_SCOPES', 'This app hasn\'t been granted all required scopes to make this call.');
      }),
      http.post(BATCH_UPDATE, async ({ request }) => {
        await capture(request);
        return hubspotError(400, 'VALIDATION_ERROR', 'Property values were not valid: [{"isValid":false,"message":"Property \\"loyalty_points\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"loyalty_points"}]');
      }),
    );
    const outcome = await adapter().send(points('10'), context());
    expect(outcome).toMatchObject({ status: 'permanent', statusCode: 400 });
    expect((outcome as { error: string }).error).toMatch(/PROPERTY_DOESNT_EXIST.*HubSpot refused to create the loyalty properties \(property group loyalty: HTTP 403 MISSING_SCOPES/);
    expect(seen.map((r) => r.url)).toEqual([GROUPS, PROPERTIES, PROPERTIES, PROPERTIES, BATCH_UPDATE]);
  });

  it('tries the property creation again on the next send when HubSpot could not answer it', async () => {
    let groupAnswers = [() => hubspotError(503, 'INTERNAL_ERROR', 'unavailable'), () => HttpResponse.json({ name: 'loyalty' }, { status: 201 })];
    hubspotWith(() => updated(['151']));
    server.use(
      http.post(GROUPS, async ({ request }) => {
        await capture(request);
        const [next, ...rest] = groupAnswers;
        groupAnswers = rest.length ? rest : groupAnswers;
        return next!();
      }),
    );
    const hub = adapter();
    expect(await hub.send(points('10'), context())).toMatchObject({ status: 'retry', statusCode: 503 });
    expect(seen.map((r) => r.url)).toEqual([GROUPS]);
    seen.length = 0;
    expect(await hub.send(points('10'), context())).toMatchObject({ status: 'delivered' });
    expect(seen.map((r) => r.url)).toEqual([GROUPS, PROPERTIES, PROPERTIES, PROPERTIES, BATCH_UPDATE]);
  });

  it('without HUBSPOT_ACCESS_TOKEN, records every send as skipped and calls nothing', async () => {
    const withoutToken = createHubSpotAdapter({ accessToken: undefined, apiUrl: API, aliasesOf: async () => ['hubspot:151'] });
    expect(await withoutToken.send(points('10'), context())).toEqual({ status: 'skipped', reason: 'hubspot: HUBSPOT_ACCESS_TOKEN is not set, so contacts are not updated' });
    expect(seen).toEqual([]);
  });
});

describe('hubspot adapter: options', () => {
  it('refuses at mappings check what HubSpot would refuse: a number property that is not a number, a typo, nothing to write', () => {
    const ok = (o: unknown) => hubspotOptions.safeParse(o).success;
    expect(ok({ properties: { loyalty_points: '5250', loyalty_tier: 'Gold', loyalty_points_expiring: '' } })).toBe(true);
    expect(ok({ properties: { loyalty_points: '5250 points' } })).toBe(false);
    expect(ok({ properties: { loyalty_point: '5250' } })).toBe(false);
    expect(ok({ properties: {} })).toBe(false);
    expect(ok({ properties: { loyalty_tier: 'Gold' }, contactId: 'ann' })).toBe(false);
  });

  it('is described without secrets, as mappings check does (its store is not touched when building)', async () => {
    const { adapters, unavailable } = adapterDescriptors([hubspot], {});
    expect(unavailable).toEqual([]);
    expect(adapters.get('hubspot')?.options).toBe(hubspotOptions);
    // And a real one reads the member's aliases from the store only when sending.
    const store = { db: undefined } as unknown as Store;
    expect(hubspot.createAdapter({ HUBSPOT_CLIENT_SECRET: 's' }, { store, commit: undefined as never, state: undefined as never }).name).toBe('hubspot');
  });
});
