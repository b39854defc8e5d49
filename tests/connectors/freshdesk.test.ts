/**
 * The Freshdesk ticket adapter against msw standing in for <domain>.freshdesk.com, with the
 * answers Freshdesk documents (tests/fixtures/platform-samples/freshdesk/README.md): the exact
 * ticket request, field by field; the delivery-id tag searched before creating; retries
 * classified; the rate limit kept.
 */
import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import freshdesk from '../../connectors/freshdesk/index.js';
import { createFreshdeskAdapter, deliveryTag, freshdeskBaseUrl, SEARCH_INDEX_DELAY_MS } from '../../connectors/freshdesk/adapter.js';
import { escapeHtml, textToHtml } from '../../connectors/freshdesk/html.js';
import { freshdeskOptions, type FreshdeskOptions } from '../../connectors/freshdesk/options.js';
import { freshdeskRateLimits } from '../../connectors/freshdesk/rate-limit.js';
import { connectorStatus } from '../../core/connectors/definition.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';

const BASE = 'https://acme.freshdesk.com';
const TICKETS = `${BASE}/api/v2/tickets`;
const SEARCH = `${BASE}/api/v2/search/tickets`;
const env = { FRESHDESK_DOMAIN: 'acme', FRESHDESK_API_KEY: 'fd-key-123' };
const BASIC = `Basic ${Buffer.from('fd-key-123:X').toString('base64')}`;
const KEY = 'dlv_0k5x3r9v2m4q8w1ab2cd3ef4gh';

const sample = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/freshdesk/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ann = { id: 'mem_1', email: 'ann@example.com', phone: null, consentEmail: false, consentSms: false, firstName: 'Ann', lastName: 'Lee' };
const NOW = Date.UTC(2026, 11, 7, 12);

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: KEY, attempt: 1, member: ann, timeZone: 'UTC', now: NOW, signal: new AbortController().signal, ...overrides };
}

function adapter(e: Record<string, string | undefined> = env): OutboundAdapter<FreshdeskOptions> {
  return createFreshdeskAdapter({ domain: e.FRESHDESK_DOMAIN ?? '', apiKey: e.FRESHDESK_API_KEY ?? '', apiUrl: e.FRESHDESK_API_URL, requestsPerMinute: e.FRESHDESK_RATE_LIMIT_PER_MINUTE });
}

interface Seen { method: string; url: URL; headers: Headers; body: unknown }

/** Freshdesk: searches answered by `search`, creations by `create`; every request recorded. */
function freshdeskAnswers(create: () => Response, search: () => Response = () => HttpResponse.json(sample('search_tickets_none.json')), base = BASE): Seen[] {
  const seen: Seen[] = [];
  const record = async (request: Request) => {
    const text = await request.text();
    seen.push({ method: request.method, url: new URL(request.url), headers: request.headers, body: text ? (JSON.parse(text) as unknown) : undefined });
  };
  server.use(
    http.get(`${base}/api/v2/search/tickets`, async ({ request }) => {
      await record(request);
      return search();
    }),
    http.post(`${base}/api/v2/tickets`, async ({ request }) => {
      await record(request);
      return create();
    }),
  );
  return seen;
}

const created = () => HttpResponse.json(sample('ticket_created.json'), { status: 201, headers: { location: `${TICKETS}/1` } });
const basic: FreshdeskOptions = { subject: 'Where are my points?', description: 'Ann asks about her points.' };
const posts = (seen: Seen[]) => seen.filter((r) => r.method === 'POST');

describe('freshdesk adapter', () => {
  it('searches for the delivery\'s tag, then creates the ticket: API-key Basic auth, every documented field', async () => {
    const seen = freshdeskAnswers(created);
    const options: FreshdeskOptions = {
      ...basic,
      tags: ['loyalty', 'points_question'],
      priority: 'high',
      status: 'pending',
      source: 'email',
      type: 'Question',
      groupId: '42',
      customFields: { cf_loyalty_member_id: 'mem_1', cf_points: 250, cf_vip: true },
    };
    const outcome = await adapter().send(options, context());

    expect(outcome).toEqual({ status: 'delivered', statusCode: 201, providerMessageId: '1' });
    expect(seen.map((r) => `${r.method} ${r.url.origin}${r.url.pathname}`)).toEqual([`GET ${SEARCH}`, `POST ${TICKETS}`]);
    expect(seen.every((r) => r.headers.get('authorization') === BASIC && r.headers.get('accept') === 'application/json')).toBe(true);
    expect(seen[0]!.url.searchParams.get('query')).toBe(`"tag:'${KEY}'"`);
    expect(seen[0]!.url.search).toBe(`?query=%22tag%3A%27${KEY}%27%22`);
    expect(seen[1]!.headers.get('content-type')).toBe('application/json');
    expect(seen[1]!.body).toEqual({
      email: 'ann@example.com',
      name: 'Ann Lee',
      subject: 'Where are my points?',
      description: '<div>Ann asks about her points.</div>',
      priority: 3,
      status: 3,
      source: 1,
      type: 'Question',
      group_id: 42,
      custom_fields: { cf_loyalty_member_id: 'mem_1', cf_points: 250, cf_vip: true },
      tags: ['loyalty', 'points_question', KEY],
    });
  });

  it('sends Freshdesk\'s defaults, priority low and status open, and nothing it was not given', async () => {
    const seen = freshdeskAnswers(created);
    await adapter().send(basic, context());
    expect(posts(seen)[0]!.body).toEqual({
      email: 'ann@example.com',
      name: 'Ann Lee',
      subject: basic.subject,
      description: '<div>Ann asks about her points.</div>',
      priority: 1,
      status: 2,
      tags: [KEY],
    });
  });

  it('escapes the description and keeps its line breaks: nothing from data becomes HTML', async () => {
    const seen = freshdeskAnswers(created);
    await adapter().send({ ...basic, description: 'Reason: <script>alert("x")</script> & more\nLine two\r\n\nLine four\n' }, context());
    expect((posts(seen)[0]!.body as { description: string }).description).toBe(
      '<div>Reason: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more<br>Line two<br><br>Line four</div>',
    );
    expect(escapeHtml(`'`)).toBe('&#39;');
    expect(textToHtml('a\rb')).toBe('a<br>b');
  });

  it('resolves the requester like the Zendesk adapter: the options\' address, else the member\'s; or a contact id', async () => {
    const seen = freshdeskAnswers(created);
    const a = adapter();
    await a.send({ ...basic, requester: { name: 'Loyalty team', email: 'loyalty-team@shop.example' } }, context());
    await a.send({ ...basic, requester: { email: 'ops@shop.example' } }, context({ idempotencyKey: 'dlv_2' }));
    await a.send({ ...basic, requester: { name: 'Annie' } }, context({ idempotencyKey: 'dlv_3' }));
    await a.send({ ...basic, requester: { id: '6007738334' } }, context({ idempotencyKey: 'dlv_4' }));
    await a.send(basic, context({ idempotencyKey: 'dlv_5', member: { ...ann, firstName: null, lastName: null } }));
    expect(posts(seen).map((r) => {
      const { email, name, requester_id } = r.body as Record<string, unknown>;
      return { email, name, requester_id };
    })).toEqual([
      { email: 'loyalty-team@shop.example', name: 'Loyalty team', requester_id: undefined },
      { email: 'ops@shop.example', name: undefined, requester_id: undefined },
      { email: 'ann@example.com', name: 'Annie', requester_id: undefined },
      { email: undefined, name: undefined, requester_id: 6007738334 },
      { email: 'ann@example.com', name: undefined, requester_id: undefined },
    ]);
  });

  it('refuses, without calling Freshdesk, a ticket with no requester or an address that is not one', async () => {
    const seen = freshdeskAnswers(created);
    expect(await adapter().send(basic, context({ member: null }))).toEqual({
      status: 'permanent',
      error: 'freshdesk: the ticket needs a requester: give requester.email (your team\'s address) in the mapping, the event has no member e-mail',
    });
    expect(await adapter().send({ ...basic, requester: { email: 'not an address' } }, context())).toEqual({
      status: 'permanent',
      error: 'freshdesk: the requester e-mail is not an e-mail address',
    });
    expect(seen).toHaveLength(0);
  });

  it('a ticket the search finds tagged with the delivery id is delivered, and no second one is created', async () => {
    const seen = freshdeskAnswers(created, () => HttpResponse.json(sample('search_tickets_one.json')));
    expect(await adapter().send(basic, context({ attempt: 3 }))).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: '47' });
    expect(posts(seen)).toHaveLength(0);
  });

  it('after a creation that got no answer, waits for the search index (deferred, not an attempt), then trusts it', async () => {
    let creations = 0;
    const seen = freshdeskAnswers(() => (creations++ === 0 ? HttpResponse.error() : created()));
    const a = adapter();
    expect(await a.send(basic, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^freshdesk: request failed/) });
    expect(await a.send(basic, context({ attempt: 2, now: NOW + 5_000 }))).toEqual({
      status: 'deferred',
      until: NOW + SEARCH_INDEX_DELAY_MS,
      reason: 'freshdesk: an earlier attempt got no answer; waiting for Freshdesk search to show its ticket, if it opened one',
    });
    expect(posts(seen)).toHaveLength(1);
    // The index is trusted after the delay: nothing found means the lost request created nothing.
    expect(await a.send(basic, context({ attempt: 2, now: NOW + SEARCH_INDEX_DELAY_MS }))).toMatchObject({ status: 'delivered', providerMessageId: '1' });
    expect(posts(seen)).toHaveLength(2);
    expect(posts(seen)[1]!.body).toEqual(posts(seen)[0]!.body);
  });

  it('a lost creation found by the search once indexed is delivered without creating again', async () => {
    let searches = 0;
    const seen = freshdeskAnswers(
      () => new HttpResponse('Bad gateway', { status: 502 }),
      () => HttpResponse.json(sample(searches++ === 0 ? 'search_tickets_none.json' : 'search_tickets_one.json')),
    );
    const a = adapter();
    expect(await a.send(basic, context())).toMatchObject({ status: 'retry', statusCode: 502 });
    expect(await a.send(basic, context({ attempt: 2, now: NOW + SEARCH_INDEX_DELAY_MS }))).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: '47' });
    expect(posts(seen)).toHaveLength(1);
  });

  it('answers retry with retryAfterMs on a 429 Retry-After, and holds every send until then', async () => {
    const seen = freshdeskAnswers(() => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '30' } }));
    const a = adapter();
    expect(await a.send(basic, context())).toEqual({ status: 'retry', statusCode: 429, retryAfterMs: 30_000, error: 'freshdesk: ticket creation HTTP 429' });
    expect(await a.send(basic, context({ idempotencyKey: 'dlv_other', now: NOW + 10_000 }))).toEqual({
      status: 'deferred',
      until: NOW + 30_000,
      reason: 'Freshdesk answered 429 Too Many Requests',
    });
    expect(seen).toHaveLength(2);
    // A 429 created nothing: the next attempt is not made to wait for the search index.
    server.resetHandlers();
    freshdeskAnswers(created);
    expect(await a.send(basic, context({ attempt: 2, now: NOW + 30_000 }))).toMatchObject({ status: 'delivered' });
  });

  it('a 429 on the search is retried the same way', async () => {
    freshdeskAnswers(created, () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } }));
    expect(await adapter().send(basic, context())).toEqual({ status: 'retry', statusCode: 429, retryAfterMs: 7_000, error: 'freshdesk: ticket search HTTP 429' });
  });

  it('answers retry on HTTP 500 and on a network error', async () => {
    freshdeskAnswers(() => HttpResponse.json({ code: 'internal_error', message: 'Something went wrong' }, { status: 500 }));
    expect(await adapter().send(basic, context())).toMatchObject({ status: 'retry', statusCode: 500, error: 'freshdesk: ticket creation HTTP 500 internal_error: Something went wrong' });
    server.resetHandlers();
    freshdeskAnswers(created, () => HttpResponse.error());
    expect(await adapter().send(basic, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^freshdesk: request failed/) });
  });

  it('answers permanent on 400 with Freshdesk\'s own reason: description and each field\'s message and code', async () => {
    freshdeskAnswers(() => HttpResponse.json(sample('error_validation_failed.json'), { status: 400 }));
    expect(await adapter().send(basic, context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: 'freshdesk: ticket creation HTTP 400 Validation failed (name: Mandatory attribute missing [missing_field])',
    });
  });

  it('answers permanent on 401 (wrong API key) with Freshdesk\'s code and message', async () => {
    freshdeskAnswers(created, () => HttpResponse.json({ code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' }, { status: 401 }));
    expect(await adapter().send(basic, context())).toEqual({
      status: 'permanent',
      statusCode: 401,
      error: 'freshdesk: ticket search HTTP 401 invalid_credentials: You have to be logged in to perform this action.',
    });
  });

  it('answers retry without sending when the delivery is already aborted', async () => {
    const seen = freshdeskAnswers(created);
    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(basic, context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'freshdesk: aborted' });
    expect(seen).toHaveLength(0);
  });

  it('keeps the rate limit: 50 requests a minute by default, FRESHDESK_RATE_LIMIT_PER_MINUTE to change it', async () => {
    const seen = freshdeskAnswers(created);
    const a = adapter({ ...env, FRESHDESK_RATE_LIMIT_PER_MINUTE: '4' });
    expect((await a.send(basic, context({ idempotencyKey: 'dlv_a' }))).status).toBe('delivered');
    expect((await a.send(basic, context({ idempotencyKey: 'dlv_b' }))).status).toBe('delivered');
    expect(await a.send(basic, context({ idempotencyKey: 'dlv_c', now: NOW + 1_000 }))).toEqual({ status: 'deferred', until: NOW + 60_000, reason: 'Freshdesk allows 4 requests per minute' });
    expect(seen).toHaveLength(4);
    expect(freshdeskRateLimits(undefined)).toEqual([{ requests: 50, perMs: 60_000 }]);
    expect(freshdeskRateLimits(' 400 ')).toEqual([{ requests: 400, perMs: 60_000 }]);
    expect(() => freshdeskRateLimits('lots')).toThrow('FRESHDESK_RATE_LIMIT_PER_MINUTE must be a whole number');
    expect(() => freshdeskRateLimits('0')).toThrow('FRESHDESK_RATE_LIMIT_PER_MINUTE must be a whole number');
  });

  it('stays away for a minute when an answer says no request is left (X-RateLimit-Remaining: 0)', async () => {
    freshdeskAnswers(() => HttpResponse.json(sample('ticket_created.json'), { status: 201, headers: { 'X-RateLimit-Total': '200', 'X-RateLimit-Remaining': '0' } }));
    const a = adapter();
    expect((await a.send(basic, context())).status).toBe('delivered');
    expect(await a.send(basic, context({ idempotencyKey: 'dlv_next', now: NOW + 1 }))).toMatchObject({ status: 'deferred', until: NOW + 60_000 });
  });

  it('honours FRESHDESK_API_URL, and reads FRESHDESK_DOMAIN however it is written', async () => {
    const seen = freshdeskAnswers(created, undefined, 'http://freshdesk.test');
    expect((await adapter({ ...env, FRESHDESK_API_URL: 'http://freshdesk.test/' }).send(basic, context())).status).toBe('delivered');
    expect(seen.map((r) => r.headers.get('authorization'))).toEqual([BASIC, BASIC]);
    expect(freshdeskBaseUrl({ domain: 'acme' })).toBe('https://acme.freshdesk.com');
    expect(freshdeskBaseUrl({ domain: 'acme.freshdesk.com' })).toBe('https://acme.freshdesk.com');
    expect(freshdeskBaseUrl({ domain: 'https://acme.freshdesk.com/' })).toBe('https://acme.freshdesk.com');
    expect(freshdeskBaseUrl({ domain: 'acme', apiUrl: 'http://127.0.0.1:4010/' })).toBe('http://127.0.0.1:4010');
  });

  it('tags a ticket with the delivery id, or a hash of a key that is not a safe tag', () => {
    expect(deliveryTag(KEY)).toBe(KEY);
    expect(deliveryTag("dlv_with'quote")).toMatch(/^lh_[0-9a-f]{29}$/);
    expect(deliveryTag('x'.repeat(33))).toMatch(/^lh_[0-9a-f]{29}$/);
    expect(deliveryTag('x'.repeat(33))).toHaveLength(32);
  });

  it('declares its options: subject and description required, codes by name, custom fields named cf_…, typos refused', () => {
    expect(freshdeskOptions.safeParse(basic).success).toBe(true);
    expect(freshdeskOptions.safeParse({ ...basic, requester: { email: '{{ member.email }}' }, priority: 'urgent', customFields: { cf_x: 1 } }).success).toBe(true);
    expect(freshdeskOptions.safeParse({ description: 'x' }).success).toBe(false);
    expect(freshdeskOptions.safeParse({ subject: 'x' }).success).toBe(false);
    expect(freshdeskOptions.safeParse({ ...basic, priority: 'normal' }).success).toBe(false);
    expect(freshdeskOptions.safeParse({ ...basic, status: 'new' }).success).toBe(false);
    expect(freshdeskOptions.safeParse({ ...basic, customFields: { loyalty_id: 'x' } }).success).toBe(false);
    expect(freshdeskOptions.safeParse({ ...basic, groupId: 'support' }).success).toBe(false);
    expect(freshdeskOptions.safeParse({ ...basic, tags: [' '] }).success).toBe(false);
    expect(freshdeskOptions.safeParse({ ...basic, prority: 'high' }).success).toBe(false);
    expect(adapter().options).toBe(freshdeskOptions);
    expect(freshdesk.createAdapter(env, undefined as never).name).toBe('freshdesk');
  });

  it('is disabled until domain and API key are set, and names what is missing', () => {
    expect(connectorStatus(freshdesk, {})).toEqual({ name: 'freshdesk', title: 'Freshdesk', directions: ['outbound'], enabled: false, missing: ['FRESHDESK_DOMAIN', 'FRESHDESK_API_KEY'] });
    expect(connectorStatus(freshdesk, { FRESHDESK_DOMAIN: 'acme' })).toMatchObject({ enabled: false, missing: ['FRESHDESK_API_KEY'] });
    expect(connectorStatus(freshdesk, env)).toMatchObject({ enabled: true, missing: [] });
    expect(freshdesk.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['FRESHDESK_API_KEY']);
  });
});
