/**
 * The `loyaltylion` adapter against msw standing in for LoyaltyLion's Admin API, checking the
 * documented requests field by field: `POST /v2/customers/{merchant_id}/points` and
 * `/remove_points` with `{ points, reason }` and the API key as a Bearer token; retries (429 with
 * Retry-After, 5xx, network), LoyaltyLion's reason on a refusal, de-duplication by delivery (the
 * API takes no idempotency key) and the rate limit.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLoyaltyLionAdapter } from '../../connectors/loyaltylion/adapter.js';
import loyaltylion from '../../connectors/loyaltylion/index.js';
import { loyaltyLionOptions, type LoyaltyLionOptions } from '../../connectors/loyaltylion/options.js';
import { connectorStatus, type ConnectorState } from '../../core/connectors/definition.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';

const API = 'http://loyaltylion.test';
const TOKEN = 'll-api-key-0123';
const KEY = 'dlv_01JLOYALTYLION000000001';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function memoryState(): ConnectorState & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, get: async (k) => values.get(k), set: async (k, v) => void values.set(k, v) };
}

function adapter(overrides: { aliases?: string[]; storePlatform?: string | undefined; apiUrl?: string; token?: string; state?: ConnectorState } = {}): OutboundAdapter<LoyaltyLionOptions> {
  return createLoyaltyLionAdapter({
    token: overrides.token ?? TOKEN,
    apiUrl: overrides.apiUrl ?? API,
    storePlatform: 'storePlatform' in overrides ? overrides.storePlatform : 'shopify',
    aliasesOf: async () => overrides.aliases ?? ['email:ann@example.com', 'shopify:207119551', 'loyaltylion:6932'],
    state: overrides.state ?? memoryState(),
  });
}

function context(overrides: Partial<SendContext> = {}): SendContext {
  return {
    idempotencyKey: KEY,
    attempt: 1,
    member: { id: 'mem_1', email: 'ann@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' },
    timeZone: 'Europe/London',
    now: Date.UTC(2026, 11, 7, 12),
    signal: new AbortController().signal,
    ...overrides,
  };
}

const opts = (input: Record<string, unknown>) => loyaltyLionOptions.parse(input);

interface Captured { url: string; headers: Headers; body: unknown }

function route(path: string, answer: () => Response, seen: Captured[] = []): Captured[] {
  server.use(
    http.post(`${API}${path}`, async ({ request }) => {
      seen.push({ url: request.url, headers: request.headers, body: await request.json() });
      return answer();
    }),
  );
  return seen;
}

// LoyaltyLion answers 201 with an empty body to add, 204 to remove.
const added = () => new HttpResponse(null, { status: 201 });
const removed = () => new HttpResponse(null, { status: 204 });

describe('loyaltylion adapter', () => {
  it('adds points to the customer named by the member\'s store id, reason marked as the hub\'s', async () => {
    const seen = route('/v2/customers/207119551/points', added);
    expect(await adapter().send(opts({ points: '250', reason: 'Review posted' }), context())).toEqual({ status: 'delivered', statusCode: 201 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${API}/v2/customers/207119551/points`);
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
    expect(seen[0]!.body).toEqual({ points: 250, reason: 'Review posted (via Loyalty Hub)' });
  });

  it('removes points with remove_points and the positive figure', async () => {
    const seen = route('/v2/customers/207119551/remove_points', removed);
    expect(await adapter().send(opts({ points: '-120' }), context())).toEqual({ status: 'delivered', statusCode: 204 });
    expect(seen[0]!.body).toEqual({ points: 120, reason: 'Loyalty Hub (via Loyalty Hub)' });
  });

  it('uses merchantId from the mapping over the member\'s alias, escaped in the path', async () => {
    const seen = route('/v2/customers/cus%2F42/points', added);
    expect((await adapter().send(opts({ points: 5, merchantId: 'cus/42' }), context())).status).toBe('delivered');
    expect(seen).toHaveLength(1);
  });

  it('skips a member without a store id, and 0 points, without calling LoyaltyLion', async () => {
    expect(await adapter({ aliases: ['email:ann@example.com'] }).send(opts({ points: 5 }), context())).toEqual({
      status: 'skipped',
      reason: 'loyaltylion: the member has no shopify: id and the mapping gives no merchantId',
    });
    expect(await adapter({ storePlatform: undefined }).send(opts({ points: 5 }), context())).toMatchObject({ status: 'skipped' });
    expect(await adapter().send(opts({ points: '0' }), context())).toEqual({ status: 'skipped', reason: 'loyaltylion: 0 points, nothing to send' });
  });

  it('sends a delivery once: a later attempt of a delivered key calls LoyaltyLion no more (it takes no idempotency key)', async () => {
    const seen = route('/v2/customers/207119551/points', added);
    const state = memoryState();
    const a = adapter({ state });
    expect((await a.send(opts({ points: 10 }), context())).status).toBe('delivered');
    expect((await adapter({ state }).send(opts({ points: 10 }), context({ attempt: 2 }))).status).toBe('delivered');
    expect(seen).toHaveLength(1);
    expect((await a.send(opts({ points: 10 }), context({ idempotencyKey: 'dlv_other' }))).status).toBe('delivered');
    expect(seen).toHaveLength(2);
  });

  it('answers retry with retryAfterMs on 429 Retry-After, and defers the next send until then', async () => {
    route('/v2/customers/207119551/points', () => HttpResponse.json({ error: { message: 'Rate limit exceeded' } }, { status: 429, headers: { 'Retry-After': '7' } }));
    const a = adapter();
    expect(await a.send(opts({ points: 10 }), context())).toEqual({
      status: 'retry',
      statusCode: 429,
      retryAfterMs: 7000,
      error: 'loyaltylion: add points HTTP 429 Rate limit exceeded',
    });
    expect(await a.send(opts({ points: 10 }), context({ idempotencyKey: 'dlv_2', now: context().now + 1000 }))).toMatchObject({ status: 'deferred', until: context().now + 7000 });
  });

  it('keeps LoyaltyLion\'s 20 requests a second: the 21st within a second is deferred', async () => {
    route('/v2/customers/207119551/points', added);
    const a = adapter();
    for (let i = 0; i < 20; i++) expect((await a.send(opts({ points: 1 }), context({ idempotencyKey: `k${i}` }))).status).toBe('delivered');
    expect(await a.send(opts({ points: 1 }), context({ idempotencyKey: 'k20' }))).toMatchObject({ status: 'deferred' });
  });

  it('answers retry on 5xx and on a network error', async () => {
    route('/v2/customers/207119551/points', () => HttpResponse.json({ error: { message: 'Internal error' } }, { status: 502 }));
    expect(await adapter().send(opts({ points: 10 }), context())).toMatchObject({ status: 'retry', statusCode: 502, error: 'loyaltylion: add points HTTP 502 Internal error' });
    server.resetHandlers();
    route('/v2/customers/207119551/points', () => HttpResponse.error());
    expect(await adapter().send(opts({ points: 10 }), context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^loyaltylion: request failed/) });
  });

  it('answers permanent with LoyaltyLion\'s own reason on a 400 or 404', async () => {
    route('/v2/customers/207119551/remove_points', () => HttpResponse.json({ error: { message: 'Customer does not have enough points', details: {} } }, { status: 400 }));
    expect(await adapter().send(opts({ points: -999 }), context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: 'loyaltylion: remove points HTTP 400 Customer does not have enough points',
    });
    route('/v2/customers/207119551/points', () => HttpResponse.json({ error: { message: 'Customer not found' } }, { status: 404 }));
    expect(await adapter().send(opts({ points: 5 }), context())).toMatchObject({ status: 'permanent', statusCode: 404, error: 'loyaltylion: add points HTTP 404 Customer not found' });
  });

  it('answers retry without calling when the delivery is already aborted', async () => {
    const seen = route('/v2/customers/207119551/points', added);
    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(opts({ points: 5 }), context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'loyaltylion: aborted' });
    expect(seen).toHaveLength(0);
  });

  it('declares its options: points whole and within LoyaltyLion\'s bounds, typos refused', () => {
    expect(loyaltyLionOptions.safeParse({ points: '{{ points }}' }).success).toBe(false); // unrendered: not a number
    expect(loyaltyLionOptions.safeParse({ points: '1000000' }).success).toBe(true);
    expect(loyaltyLionOptions.safeParse({ points: '1000001' }).success).toBe(false);
    expect(loyaltyLionOptions.safeParse({ points: '2.5' }).success).toBe(false);
    expect(loyaltyLionOptions.safeParse({ points: 5, merchantid: 'x' }).success).toBe(false);
    expect(loyaltylion.adapter?.options).toBe(loyaltyLionOptions);
  });

  it('is disabled until the token and the secret are set, and names what is missing', () => {
    expect(connectorStatus(loyaltylion, {})).toEqual({ name: 'loyaltylion', title: 'LoyaltyLion', directions: ['inbound', 'outbound'], enabled: false, missing: ['LOYALTYLION_TOKEN', 'LOYALTYLION_SECRET'] });
    expect(connectorStatus(loyaltylion, { LOYALTYLION_TOKEN: 't', LOYALTYLION_SECRET: 's' })).toMatchObject({ enabled: true, missing: [] });
    expect(loyaltylion.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['LOYALTYLION_TOKEN', 'LOYALTYLION_SECRET']);
  });
});
