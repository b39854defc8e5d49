/**
 * The `intercom` adapter against msw standing in for api.intercom.io: every request's endpoint,
 * `Authorization: Bearer`, the pinned `Intercom-Version`, and body, field by field, as Intercom's
 * OpenAPI description documents them (tests/fixtures/platform-samples/intercom/README.md); the
 * loyalty data attributes created once; a 429 (with Intercom's rate-limit headers) and 5xx
 * retried, other refusals final with Intercom's own message; users Intercom does not know skipped.
 */
import { readFileSync } from 'node:fs';
import { http, HttpResponse, type DefaultBodyType, type StrictRequest } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus } from '../../core/connectors/definition.js';
import { adapterDescriptors, loadMappingFile } from '../../core/mappings/index.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import { createRateLimiter } from '../../core/outbound/rate-limit.js';
import intercom from '../../connectors/intercom/index.js';
import { createIntercomAdapter } from '../../connectors/intercom/adapter.js';
import { intercomBaseUrl } from '../../connectors/intercom/api.js';
import { intercomOptions, type IntercomOptions } from '../../connectors/intercom/options.js';

const API = 'http://intercom.test';
const TOKEN = 'dG9rOmFiY2RlZl8xMjM0NTY3ODkwOjE6MA==';
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const OCCURRED = '2026-01-15T11:59:58.250Z';
const OCCURRED_S = Math.floor(Date.parse(OCCURRED) / 1000);

const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/intercom/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const ONE_USER = sample('contacts_search_one_user.json');
const CONTACT_ID = '6762f0df1bb69f9f2193bb84';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ann = { id: 'mem_ann', email: 'ann@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: 'dlv_01INTERCOM', attempt: 1, member: ann, timeZone: 'UTC', now: NOW, signal: new AbortController().signal, ...overrides };
}

function adapter(apiUrl = API): OutboundAdapter<IntercomOptions> {
  return createIntercomAdapter({ accessToken: TOKEN, apiUrl });
}

interface Captured {
  method: string;
  url: string;
  authorization: string | null;
  version: string | null;
  contentType: string | null;
  body: unknown;
}

const seen: Captured[] = [];
afterEach(() => {
  seen.length = 0;
});

async function capture(request: StrictRequest<DefaultBodyType>): Promise<void> {
  const text = await request.text();
  seen.push({
    method: request.method,
    url: request.url,
    authorization: request.headers.get('authorization'),
    version: request.headers.get('intercom-version'),
    contentType: request.headers.get('content-type'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
  });
}

const EVENTS = `${API}/events`;
const DATA_ATTRIBUTES = `${API}/data_attributes`;
const SEARCH = `${API}/contacts/search`;
const CONTACT = `${API}/contacts/:id`;

const accepted = () => new HttpResponse(null, { status: 202 });
const error = (name: string, status: number, headers: Record<string, string> = {}) => HttpResponse.json(sample(name), { status, headers });

/** Intercom with the attributes in place (already exists) and these answers. */
function intercomWith(answers: { event?: () => Response; search?: () => Response; update?: () => Response; attribute?: () => Response } = {}) {
  server.use(
    http.post(DATA_ATTRIBUTES, async ({ request }) => {
      await capture(request);
      return (answers.attribute ?? (() => error('data_attribute_already_exists.json', 400)))();
    }),
    http.post(SEARCH, async ({ request }) => {
      await capture(request);
      return (answers.search ?? (() => HttpResponse.json(ONE_USER)))();
    }),
    http.put(CONTACT, async ({ request }) => {
      await capture(request);
      return (answers.update ?? (() => HttpResponse.json(sample('contact_updated.json'))))();
    }),
    http.post(EVENTS, async ({ request }) => {
      await capture(request);
      return (answers.event ?? accepted)();
    }),
  );
}

const earned: IntercomOptions = {
  event: { name: 'earned-points', occurredAt: OCCURRED, metadata: { points: '250', balance: '5250', reason: '' } },
};
const tier: IntercomOptions = { attributes: { loyalty_tier: 'Gold' } };
const headersOk = (r: Captured) => {
  expect(r.authorization).toBe(`Bearer ${TOKEN}`);
  expect(r.version).toBe('2.14');
  expect(r.contentType).toBe('application/json');
};

describe('intercom adapter: the requests', () => {
  it('submits a data event: POST /events with the name, the loyalty event\'s time in seconds, the member\'s e-mail and flat metadata', async () => {
    intercomWith();
    expect(await adapter().send(earned, context())).toEqual({ status: 'delivered', statusCode: 202 });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    headersOk(req!);
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe(EVENTS);
    // create_data_event_request: event_name, created_at (Unix seconds), one identifier, metadata — the keys of the documented example.
    expect(Object.keys(sample('create_data_event_request.json')).sort()).toEqual(['created_at', 'event_name', 'metadata', 'user_id']);
    expect(req!.body).toEqual({ event_name: 'earned-points', created_at: OCCURRED_S, email: 'ann@example.com', metadata: { points: 250, balance: 5250 } });
  });

  it('names the user by user_id when the action gives userId', async () => {
    intercomWith();
    await adapter().send({ ...earned, userId: ' mem_ann ' }, context());
    expect(seen[0]!.body).toEqual({ event_name: 'earned-points', created_at: OCCURRED_S, user_id: 'mem_ann', metadata: { points: 250, balance: 5250 } });
  });

  it('sends the same event on every attempt of one delivery, whenever it is sent (Intercom keeps one per user, name and second)', async () => {
    intercomWith();
    const a = adapter();
    await a.send(earned, context({ attempt: 1 }));
    await a.send(earned, context({ attempt: 2, now: NOW + 3_600_000 }));
    expect(seen).toHaveLength(2);
    expect(seen[1]!.body).toEqual(seen[0]!.body);
  });

  it('types metadata as Intercom does: numbers as numbers, a _date key as Unix seconds, text as text, empty left out', async () => {
    intercomWith();
    await adapter().send(
      { event: { name: 'points-expiring', occurredAt: OCCURRED, metadata: { points: '120', expires_date: '2026-02-01T00:00:00.000Z', order: '00123', note: 'spring sale', none: ' ', ratio: 1.5 } } },
      context(),
    );
    expect((seen[0]!.body as { metadata: unknown }).metadata).toEqual({ points: 120, expires_date: 1769904000, order: '00123', note: 'spring sale', ratio: 1.5 });
  });

  it('writes attributes: creates the three data attributes once, finds the user by e-mail, then PUT /contacts/{id} with custom_attributes', async () => {
    server.use(
      http.post(DATA_ATTRIBUTES, async ({ request }) => {
        await capture(request);
        return HttpResponse.json(sample('data_attribute_created.json'));
      }),
      http.post(SEARCH, async ({ request }) => {
        await capture(request);
        return HttpResponse.json(ONE_USER);
      }),
      http.put(CONTACT, async ({ request }) => {
        await capture(request);
        return HttpResponse.json(sample('contact_updated.json'));
      }),
    );
    const a = adapter();
    expect(await a.send({ attributes: { loyalty_points: '5250', loyalty_tier: '' } }, context())).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: CONTACT_ID });
    for (const r of seen) headersOk(r);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${DATA_ATTRIBUTES}`,
      `POST ${DATA_ATTRIBUTES}`,
      `POST ${DATA_ATTRIBUTES}`,
      `POST ${SEARCH}`,
      `PUT ${API}/contacts/${CONTACT_ID}`,
    ]);
    // create_data_attribute_request: name, model, data_type (+ description), as in the documented example.
    expect(Object.keys(sample('create_data_attribute_request.json')).sort()).toEqual(['data_type', 'model', 'name']);
    expect(seen.slice(0, 3).map((r) => r.body)).toEqual([
      { name: 'loyalty_points', model: 'contact', data_type: 'integer', description: 'Spendable loyalty points (Loyalty Hub).' },
      { name: 'loyalty_tier', model: 'contact', data_type: 'string', description: 'Current loyalty tier (Loyalty Hub).' },
      { name: 'loyalty_points_expiring', model: 'contact', data_type: 'integer', description: 'Loyalty points about to expire, as of the last expiry reminder (Loyalty Hub).' },
    ]);
    // search_request: query (operator + value list of single filters) and pagination, as documented.
    expect(Object.keys(sample('contacts_search_request.json')).sort()).toEqual(['pagination', 'query']);
    expect(seen[3]!.body).toEqual({
      query: {
        operator: 'AND',
        value: [
          { field: 'email', operator: '=', value: 'ann@example.com' },
          { field: 'role', operator: '=', value: 'user' },
        ],
      },
      pagination: { per_page: 10 },
    });
    expect(seen[4]!.body).toEqual({ custom_attributes: { loyalty_points: 5250 } });

    // Once per process: the next write goes straight to the user.
    seen.length = 0;
    await a.send(tier, context());
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${SEARCH}`, `PUT ${API}/contacts/${CONTACT_ID}`]);
    expect(seen[1]!.body).toEqual({ custom_attributes: { loyalty_tier: 'Gold' } });
  });

  it('takes "already exists" for success, and finds the user by external_id when the action gives userId', async () => {
    intercomWith();
    expect(await adapter().send({ ...tier, userId: '70' }, context())).toMatchObject({ status: 'delivered' });
    expect(seen.filter((r) => r.url === DATA_ATTRIBUTES)).toHaveLength(3);
    const search = seen.find((r) => r.url === SEARCH)!;
    expect((search.body as { query: { value: unknown[] } }).query.value[0]).toEqual({ field: 'external_id', operator: '=', value: '70' });
  });

  it('with both, writes the attributes before the event, so the message it triggers shows the new values', async () => {
    intercomWith();
    const outcome = await adapter().send({ ...earned, attributes: { loyalty_points: '5250' } }, context());
    expect(outcome).toEqual({ status: 'delivered', statusCode: 202, providerMessageId: CONTACT_ID });
    expect(seen.slice(3).map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${SEARCH}`, `PUT ${API}/contacts/${CONTACT_ID}`, `POST ${EVENTS}`]);
  });

  it('honours INTERCOM_API_URL (the EU and Australian hosts), defaulting to the US host', async () => {
    server.use(
      http.post('https://api.eu.intercom.io/events', async ({ request }) => {
        await capture(request);
        return accepted();
      }),
    );
    expect(await adapter('https://api.eu.intercom.io/').send(earned, context())).toMatchObject({ status: 'delivered' });
    expect(seen[0]!.url).toBe('https://api.eu.intercom.io/events');
    expect(intercomBaseUrl(undefined)).toBe('https://api.intercom.io');
    expect(intercomBaseUrl(' https://api.au.intercom.io/ ')).toBe('https://api.au.intercom.io');
  });
});

describe('intercom adapter: users Intercom does not know', () => {
  it('skips an event about a user Intercom answers 404 for, with Intercom\'s words and the address masked', async () => {
    intercomWith({ event: () => error('events_404_user_not_found.json', 404) });
    expect(await adapter().send(earned, context())).toEqual({ status: 'skipped', reason: 'intercom: no Intercom user has the e-mail a***@e***.com (User Not Found)' });
  });

  it('skips attributes when no user has the address (never creates one)', async () => {
    intercomWith({ search: () => HttpResponse.json(sample('contacts_search_empty.json')) });
    expect(await adapter().send({ ...earned, attributes: { loyalty_points: '1' } }, context())).toEqual({
      status: 'skipped',
      reason: 'intercom: no Intercom user has the e-mail a***@e***.com',
    });
    expect(seen.map((r) => r.method)).not.toContain('PUT');
    expect(seen.map((r) => r.url)).not.toContain(EVENTS);
  });

  it('skips attributes when the user found is gone by the time of the update (merged or deleted: 404)', async () => {
    intercomWith({ update: () => HttpResponse.json({ type: 'error.list', request_id: 'n-1', errors: [{ code: 'not_found', message: 'User Not Found' }] }, { status: 404 }) });
    expect(await adapter().send(tier, context())).toEqual({ status: 'skipped', reason: 'intercom: no Intercom user has the e-mail a***@e***.com' });
  });

  it('skips without calling when there is nobody to name: no member, no e-mail, or an identifier that rendered empty', async () => {
    intercomWith();
    expect(await adapter().send(earned, context({ member: null }))).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no member/) });
    expect(await adapter().send(earned, context({ member: { ...ann, email: null } }))).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no e-mail/) });
    expect(await adapter().send({ ...earned, userId: ' ' }, context())).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/user ID .* rendered empty/) });
    expect(await adapter().send({ attributes: { loyalty_tier: '' } }, context())).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/rendered empty/) });
    expect(seen).toEqual([]);
  });
});

describe('intercom adapter: answers', () => {
  it('a 429 is retried after X-RateLimit-Reset, and holds the following sends back until then', async () => {
    const reset = Math.floor(NOW / 1000) + 7;
    intercomWith({ event: () => error('error_429_rate_limit_exceeded.json', 429, { 'x-ratelimit-limit': '167', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }) });
    const a = adapter();
    expect(await a.send(earned, context())).toEqual({
      status: 'retry',
      statusCode: 429,
      retryAfterMs: 7000,
      error: 'intercom: HTTP 429 rate_limit_exceeded: Exceeded rate limit of 167 in 10_seconds (request_id b68959ea-6328-4f70-83cb-e7913dba1542)',
    });
    seen.length = 0;
    expect(await a.send(earned, context({ now: NOW + 2000 }))).toEqual({ status: 'deferred', until: NOW + 7000, reason: expect.stringMatching(/^intercom: Intercom/) });
    expect(seen).toEqual([]);
  });

  it('a 429 with Retry-After waits exactly that', async () => {
    intercomWith({ event: () => error('error_429_rate_limit_exceeded.json', 429, { 'retry-after': '7' }) });
    expect(await adapter().send(earned, context())).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 7000 });
  });

  it('an answer saying the window is spent defers the next send to X-RateLimit-Reset without calling', async () => {
    const reset = Math.floor(NOW / 1000) + 4;
    intercomWith({ event: () => new HttpResponse(null, { status: 202, headers: { 'x-ratelimit-limit': '1666', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } }) });
    const a = adapter();
    expect(await a.send(earned, context())).toMatchObject({ status: 'delivered' });
    seen.length = 0;
    expect(await a.send(earned, context({ now: NOW + 1000 }))).toEqual({ status: 'deferred', until: reset * 1000, reason: expect.stringMatching(/rate-limit window/) });
    expect(seen).toEqual([]);
  });

  it('keeps Intercom\'s published limit: 1,666 requests in any 10 seconds, then defers', async () => {
    intercomWith();
    const a = createIntercomAdapter({ accessToken: TOKEN, apiUrl: API }, createRateLimiter('Intercom', [{ requests: 2, perMs: 10_000 }]));
    await a.send(earned, context());
    await a.send(earned, context());
    expect(await a.send(earned, context({ now: NOW + 500 }))).toEqual({ status: 'deferred', until: NOW + 10_000, reason: 'intercom: Intercom allows 2 requests per 10 s' });
    expect(seen).toHaveLength(2);
  });

  it.each([
    [500, {}, undefined],
    [503, { 'retry-after': '120' }, 120_000],
  ])('HTTP %i is retried (honouring Retry-After)', async (status, headers, retryAfterMs) => {
    intercomWith({ event: () => HttpResponse.json({ type: 'error.list', request_id: 'r-1', errors: [{ code: 'server_error', message: 'Server Error' }] }, { status, headers }) });
    expect(await adapter().send(earned, context())).toEqual({
      status: 'retry',
      statusCode: status,
      ...(retryAfterMs ? { retryAfterMs } : {}),
      error: `intercom: HTTP ${status} server_error: Server Error (request_id r-1)`,
    });
  });

  it('a 400 is final, with Intercom\'s code, field and message', async () => {
    intercomWith({
      event: () => HttpResponse.json({ type: 'error.list', request_id: 'a6c2b1e0-1', errors: [{ code: 'parameter_invalid', field: 'created_at', message: 'created_at is invalid' }] }, { status: 400 }),
    });
    expect(await adapter().send(earned, context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: 'intercom: HTTP 400 parameter_invalid: created_at: created_at is invalid (request_id a6c2b1e0-1)',
    });
  });

  it('a 401 is final and says which variable to check', async () => {
    intercomWith({ event: () => error('events_401_unauthorized.json', 401) });
    const outcome = await adapter().send(earned, context());
    expect(outcome).toMatchObject({ status: 'permanent', statusCode: 401 });
    expect((outcome as { error: string }).error).toMatch(/^intercom: HTTP 401 unauthorized: Access Token Invalid \(request_id 212c8206-e7a6-44c8-8f27-5f0ad7f1d243\).*INTERCOM_ACCESS_TOKEN.*INTERCOM_API_URL/);
  });

  it('goes on when Intercom refuses to create the attributes, and says so if the update then fails', async () => {
    intercomWith({
      attribute: () => error('data_attribute_invalid_name.json', 400),
      update: () => HttpResponse.json({ type: 'error.list', request_id: 'u-1', errors: [{ code: 'parameter_invalid', message: "Custom attribute 'loyalty_points' does not exist" }] }, { status: 400 }),
    });
    const outcome = await adapter().send({ attributes: { loyalty_points: '10' } }, context());
    expect(outcome).toMatchObject({ status: 'permanent', statusCode: 400 });
    expect((outcome as { error: string }).error).toMatch(/does not exist.*Intercom refused to create the loyalty attributes \(loyalty_points: HTTP 400 parameter_invalid: Your name for this attribute/);
  });

  it('tries the attribute creation again on the next send when Intercom could not answer it', async () => {
    let first = true;
    intercomWith({
      attribute: () => {
        const answer = first ? HttpResponse.json({ type: 'error.list', errors: [{ code: 'service_unavailable', message: 'Sorry, the API service is temporarily unavailable' }] }, { status: 503 }) : error('data_attribute_already_exists.json', 400);
        first = false;
        return answer;
      },
    });
    const a = adapter();
    expect(await a.send(tier, context())).toMatchObject({ status: 'retry', statusCode: 503 });
    expect(seen.map((r) => r.url)).toEqual([DATA_ATTRIBUTES]);
    seen.length = 0;
    expect(await a.send(tier, context())).toMatchObject({ status: 'delivered' });
    expect(seen.map((r) => r.url)).toEqual([DATA_ATTRIBUTES, DATA_ATTRIBUTES, DATA_ATTRIBUTES, SEARCH, `${API}/contacts/${CONTACT_ID}`]);
  });

  it('retries when Intercom cannot be reached, and when the delivery\'s time is up', async () => {
    intercomWith({ event: () => HttpResponse.error() });
    expect(await adapter().send(earned, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^intercom: request to Intercom failed/) });

    const controller = new AbortController();
    server.resetHandlers();
    server.use(http.post(EVENTS, () => new Promise<Response>(() => controller.abort())));
    expect(await adapter().send(earned, context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'intercom: aborted' });
  });
});

describe('intercom adapter: options and definition', () => {
  const ok = (o: unknown) => intercomOptions.safeParse(o).success;

  it('refuses what Intercom would refuse or silently change: nested or too much metadata, renamed event names, nothing to do', () => {
    expect(ok(earned)).toBe(true);
    expect(ok({ attributes: { loyalty_points: '5250', loyalty_tier: 'Gold', loyalty_points_expiring: '' } })).toBe(true);
    expect(ok({ event: { ...earned.event, metadata: { price: { amount: 100, currency: 'eur' } } } })).toBe(false);
    expect(ok({ event: { ...earned.event, metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) } })).toBe(false);
    expect(ok({ event: { ...earned.event, metadata: { 'order.id': '1' } } })).toBe(false);
    expect(ok({ event: { ...earned.event, metadata: { note: 'x'.repeat(256) } } })).toBe(false);
    expect(ok({ event: { ...earned.event, name: 'points.earned' } })).toBe(false);
    expect(ok({ event: { ...earned.event, name: 'Earned-Points' } })).toBe(false);
    expect(ok({ event: { ...earned.event, occurredAt: 'yesterday' } })).toBe(false);
    expect(ok({ event: { name: 'earned-points' } })).toBe(false);
    expect(ok({ attributes: { loyalty_points: '5250 points' } })).toBe(false);
    expect(ok({ attributes: {} })).toBe(false);
    expect(ok({ userId: '1' })).toBe(false);
    expect(ok({ ...earned, user_id: '1' })).toBe(false);
  });

  it('mappings check names the file, line and reason of a nested metadata value and of a renamed event name', () => {
    const { adapters } = adapterDescriptors([intercom], {});
    const text = [
      '- name: intercom-bad-metadata',
      '  on: points.earned',
      '  send:',
      '    adapter: intercom',
      '    event:',
      '      name: earned-points',
      '      occurredAt: "{{ event.occurredAt }}"',
      '      metadata:',
      '        price:',
      '          amount: 100',
      '          currency: eur',
      '- name: intercom-bad-name',
      '  on: tier.upgraded',
      '  send:',
      '    adapter: intercom',
      '    event:',
      '      name: tier.upgraded',
      '      occurredAt: "{{ event.occurredAt }}"',
      '',
    ].join('\n');
    const { mappings, problems } = loadMappingFile('mappings/intercom-bad.yaml', adapters, text);
    expect(mappings).toEqual([]);
    expect(problems).toEqual([
      expect.objectContaining({ file: 'mappings/intercom-bad.yaml', line: 10, reason: expect.stringMatching(/metadata must be flat/) }),
      expect.objectContaining({ file: 'mappings/intercom-bad.yaml', line: 17, reason: expect.stringMatching(/without "\." or "\$"/) }),
    ]);
  });

  it('is disabled until INTERCOM_ACCESS_TOKEN is set, and is described without secrets for mappings check', () => {
    expect(connectorStatus(intercom, {})).toEqual({ name: 'intercom', title: 'Intercom', directions: ['outbound'], enabled: false, missing: ['INTERCOM_ACCESS_TOKEN'] });
    expect(connectorStatus(intercom, { INTERCOM_ACCESS_TOKEN: TOKEN })).toMatchObject({ enabled: true, missing: [] });
    expect(intercom.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['INTERCOM_ACCESS_TOKEN']);
    const { adapters, unavailable } = adapterDescriptors([intercom], {});
    expect(unavailable).toEqual([]);
    expect(adapters.get('intercom')?.options).toBe(intercomOptions);
  });
});
