import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus } from '../../core/connectors/definition.js';
import { adapterDescriptors, loadMappingFile, mappingActionsFor, sampleEvent } from '../../core/mappings/index.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import square from '../../connectors/square/index.js';
import { squareIdempotencyKey } from '../../connectors/square/loyalty-adapter.js';
import { squareLoyaltyOptions, type SquareLoyaltyOptions } from '../../connectors/square/loyalty-options.js';

const API = 'http://square.test';
const TOKEN = 'EAAAl-loyalty-hub-test-token';
const ACCOUNT = '79b807d2-d786-46a9-933b-918028d7a8c5';
const KEY = 'dlv_01JX4SQUARE00000000000001';
const SQUARE_VERSION = '2026-09-16';
const env = { SQUARE_WEBHOOK_SIGNATURE_KEY: 'sig-key', PUBLIC_URL: 'https://loyalty.example.com', SQUARE_ACCESS_TOKEN: TOKEN, SQUARE_API_URL: API };

const ADJUST = `${API}/v2/loyalty/accounts/${ACCOUNT}/adjust`;
const ACCUMULATE = `${API}/v2/loyalty/accounts/${ACCOUNT}/accumulate`;
const SEARCH = `${API}/v2/loyalty/accounts/search`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function context(overrides: Partial<SendContext> = {}): SendContext {
  return {
    idempotencyKey: KEY,
    attempt: 1,
    member: { id: 'mem_1', email: 'ann@example.com', phone: '+14155550123', consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' },
    timeZone: 'Europe/Berlin',
    now: Date.UTC(2025, 5, 1, 12),
    signal: new AbortController().signal,
    ...overrides,
  };
}

function adapter(e: Record<string, string | undefined> = env): OutboundAdapter<SquareLoyaltyOptions> {
  return square.createAdapter(e) as OutboundAdapter<SquareLoyaltyOptions>;
}

/** Options as the mapping engine hands them over: parsed by the adapter's own schema. */
function opts(input: Record<string, unknown>): SquareLoyaltyOptions {
  return squareLoyaltyOptions.parse(input);
}

interface Captured { method: string; url: string; headers: Headers; body: unknown }

/** Answers POST `url` with `answer` and records every request it saw. */
function route(url: string, answer: () => Response, seen: Captured[] = []): Captured[] {
  server.use(
    http.post(url, async ({ request }) => {
      const text = await request.text();
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: text ? JSON.parse(text) : undefined });
      return answer();
    }),
  );
  return seen;
}

const adjusted = (points: number) => () =>
  HttpResponse.json({
    event: {
      id: 'c27c8465-806e-36f2-b4b3-71f5887b5ba8',
      type: 'ADJUST_POINTS',
      created_at: '2025-06-01T12:00:00Z',
      adjust_points: { loyalty_program_id: 'd619f755-2d17-41f3-990d-c04ecedd64dd', points, reason: 'Loyalty Hub' },
      loyalty_account_id: ACCOUNT,
      source: 'LOYALTY_API',
    },
  });

const accumulated = () =>
  HttpResponse.json({
    events: [
      {
        id: 'ee46aafd-1af6-3695-a385-276e2ef0be26',
        type: 'ACCUMULATE_POINTS',
        created_at: '2025-06-01T12:00:00Z',
        accumulate_points: { loyalty_program_id: 'd619f755-2d17-41f3-990d-c04ecedd64dd', points: 250 },
        loyalty_account_id: ACCOUNT,
        location_id: 'P034NEENMD09F',
        source: 'LOYALTY_API',
      },
    ],
  });

const found = () =>
  HttpResponse.json({
    loyalty_accounts: [
      {
        id: ACCOUNT,
        program_id: 'd619f755-2d17-41f3-990d-c04ecedd64dd',
        balance: 1200,
        lifetime_points: 4000,
        customer_id: 'QPTXM8PQNX3Q726ZYHPMNP46XC',
        mapping: { id: '664c22ba-9460-45a5-8917-381ae72dcfdc', created_at: '2020-05-08T21:41:12Z', phone_number: '+14155550123' },
        created_at: '2020-05-08T21:41:12Z',
        updated_at: '2025-05-08T21:41:12Z',
      },
    ],
  });

const notFound = () => HttpResponse.json({});

function squareError(status: number, code: string, detail: string, category = 'INVALID_REQUEST_ERROR', headers: Record<string, string> = {}) {
  return () => HttpResponse.json({ errors: [{ category, code, detail }] }, { status, headers });
}

function expectSquareRequest(req: Captured | undefined, url: string): void {
  expect(req).toBeDefined();
  expect(req!.method).toBe('POST');
  expect(req!.url).toBe(url);
  expect(req!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  expect(req!.headers.get('square-version')).toBe(SQUARE_VERSION);
  expect(req!.headers.get('content-type')).toMatch(/^application\/json/);
}

describe('square loyalty adapter: the writes', () => {
  it('adds points with AdjustLoyaltyPoints: bearer token, Square-Version, the delivery key as idempotency_key, points and reason', async () => {
    const seen = route(ADJUST, adjusted(250));
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '250', reason: 'Loyalty Hub: points.earned (birthday)' }), context());

    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: 'c27c8465-806e-36f2-b4b3-71f5887b5ba8' });
    expect(seen).toHaveLength(1);
    expectSquareRequest(seen[0], ADJUST);
    expect(seen[0]!.body).toEqual({ idempotency_key: KEY, adjust_points: { points: 250, reason: 'Loyalty Hub: points.earned (birthday)' } });
  });

  it('takes points away with a negative adjust_points.points, and passes allow_negative_balance when the mapping sets it', async () => {
    const seen = route(ADJUST, adjusted(-500));
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '-500', reason: 'Loyalty Hub: points.spent', allowNegativeBalance: true }), context());

    expect(outcome.status).toBe('delivered');
    expectSquareRequest(seen[0], ADJUST);
    expect(seen[0]!.body).toEqual({ idempotency_key: KEY, adjust_points: { points: -500, reason: 'Loyalty Hub: points.spent' }, allow_negative_balance: true });
  });

  it('leaves allow_negative_balance out (Square\'s default: false) unless given, and defaults the reason', async () => {
    const seen = route(ADJUST, adjusted(-120));
    await adapter().send(opts({ accountId: ACCOUNT, points: -120 }), context());
    expect(seen[0]!.body).toEqual({ idempotency_key: KEY, adjust_points: { points: -120, reason: 'Loyalty Hub' } });
  });

  it('records added points as earned at a location with AccumulateLoyaltyPoints when locationId is given — points, never an order_id', async () => {
    const seen = route(ACCUMULATE, accumulated);
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '250', locationId: 'P034NEENMD09F', reason: 'ignored by accumulate' }), context());

    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: 'ee46aafd-1af6-3695-a385-276e2ef0be26' });
    expectSquareRequest(seen[0], ACCUMULATE);
    expect(seen[0]!.body).toEqual({ accumulate_points: { points: 250 }, idempotency_key: KEY, location_id: 'P034NEENMD09F' });
  });

  it('deducts with AdjustLoyaltyPoints even when a locationId is given (accumulate only adds)', async () => {
    const seen = route(ADJUST, adjusted(-40));
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '-40', locationId: 'P034NEENMD09F' }), context());
    expect(outcome.status).toBe('delivered');
    expect(seen.map((r) => r.url)).toEqual([ADJUST]);
    expect(seen[0]!.body).toMatchObject({ adjust_points: { points: -40 } });
  });

  it('sends the same idempotency key on every attempt of one delivery', async () => {
    const seen = route(ADJUST, adjusted(250));
    const a = adapter();
    await a.send(opts({ accountId: ACCOUNT, points: '250' }), context({ attempt: 1 }));
    await a.send(opts({ accountId: ACCOUNT, points: '250' }), context({ attempt: 2 }));
    expect(seen.map((r) => (r.body as { idempotency_key: string }).idempotency_key)).toEqual([KEY, KEY]);
  });

  it('shortens a key over Square\'s 128 characters deterministically (SHA-256), and keeps shorter ones as they are', async () => {
    const long = `dlv_${'x'.repeat(200)}`;
    expect(squareIdempotencyKey(KEY)).toBe(KEY);
    expect(squareIdempotencyKey('k'.repeat(128))).toBe('k'.repeat(128));
    expect(squareIdempotencyKey(long)).toMatch(/^[0-9a-f]{64}$/);
    expect(squareIdempotencyKey(long)).toBe(squareIdempotencyKey(long));
    expect(squareIdempotencyKey(long)).not.toBe(squareIdempotencyKey(`${long}y`));

    const seen = route(ADJUST, adjusted(250));
    await adapter().send(opts({ accountId: ACCOUNT, points: '250' }), context({ idempotencyKey: long }));
    expect((seen[0]!.body as { idempotency_key: string }).idempotency_key).toBe(squareIdempotencyKey(long));
  });

  it('talks to https://connect.squareup.com when SQUARE_API_URL is not set', async () => {
    const seen = route(`https://connect.squareup.com/v2/loyalty/accounts/${ACCOUNT}/adjust`, adjusted(250));
    const outcome = await adapter({ ...env, SQUARE_API_URL: undefined }).send(opts({ accountId: ACCOUNT, points: '250' }), context());
    expect(outcome.status).toBe('delivered');
    expect(seen).toHaveLength(1);
  });

  it('accepts SQUARE_API_URL with a trailing slash', async () => {
    const seen = route(ADJUST, adjusted(250));
    await adapter({ ...env, SQUARE_API_URL: `${API}/` }).send(opts({ accountId: ACCOUNT, points: '250' }), context());
    expect(seen.map((r) => r.url)).toEqual([ADJUST]);
  });
});

describe('square loyalty adapter: finding the account', () => {
  it('looks the account up by the member\'s phone number (SearchLoyaltyAccounts by mapping), then adjusts that account', async () => {
    const seen: Captured[] = [];
    route(SEARCH, found, seen);
    route(ADJUST, adjusted(250), seen);
    const outcome = await adapter().send(opts({ points: '250' }), context());

    expect(outcome.status).toBe('delivered');
    expect(seen.map((r) => r.url)).toEqual([SEARCH, ADJUST]);
    expectSquareRequest(seen[0], SEARCH);
    expect(seen[0]!.body).toEqual({ query: { mappings: [{ phone_number: '+14155550123' }] }, limit: 1 });
    expect(seen[1]!.body).toEqual({ idempotency_key: KEY, adjust_points: { points: 250, reason: 'Loyalty Hub' } });
  });

  it('uses the phone option over the member\'s, written as people write it', async () => {
    const seen = route(SEARCH, found);
    route(ADJUST, adjusted(250));
    await adapter().send(opts({ points: '250', phone: '+1 (415) 555-0199' }), context());
    expect(seen[0]!.body).toEqual({ query: { mappings: [{ phone_number: '+14155550199' }] }, limit: 1 });
  });

  it('looks the account up by Square customer ID (customer_ids) when customerId is given', async () => {
    const seen = route(SEARCH, found);
    route(ADJUST, adjusted(-75));
    const outcome = await adapter().send(opts({ points: '-75', customerId: 'QPTXM8PQNX3Q726ZYHPMNP46XC' }), context());
    expect(outcome.status).toBe('delivered');
    expect(seen[0]!.body).toEqual({ query: { customer_ids: ['QPTXM8PQNX3Q726ZYHPMNP46XC'] }, limit: 1 });
  });

  it('takes accountId over customerId and phone, without a search', async () => {
    const seen = route(ADJUST, adjusted(10));
    await adapter().send(opts({ points: '10', accountId: ACCOUNT, customerId: 'CUST', phone: '+14155550199' }), context());
    expect(seen.map((r) => r.url)).toEqual([ADJUST]);
  });

  it('falls through options that rendered empty (an attribute the member lacks) to the member\'s phone', async () => {
    const seen = route(SEARCH, found);
    route(ADJUST, adjusted(10));
    await adapter().send(opts({ points: '10', accountId: '', customerId: '  ' }), context());
    expect(seen[0]!.body).toEqual({ query: { mappings: [{ phone_number: '+14155550123' }] }, limit: 1 });
  });

  it('skips, without writing, a member who has no Square Loyalty account', async () => {
    const seen = route(SEARCH, notFound);
    const outcome = await adapter().send(opts({ points: '250' }), context());
    expect(outcome).toEqual({ status: 'skipped', reason: 'square: no Square Loyalty account for phone number ••••0123' });
    expect(seen).toHaveLength(1); // the search only: no write went out
  });

  it('fails it permanently instead with missingAccount: fail', async () => {
    route(SEARCH, notFound);
    const outcome = await adapter().send(opts({ points: '250', customerId: 'CUST1', missingAccount: 'fail' }), context());
    expect(outcome).toEqual({ status: 'permanent', error: 'square: no Square Loyalty account for Square customer CUST1' });
  });

  it('skips a member without a phone number when no account option is given, sending nothing', async () => {
    const member = { ...context().member!, phone: null };
    const outcome = await adapter().send(opts({ points: '250' }), context({ member }));
    expect(outcome).toEqual({
      status: 'skipped',
      reason: 'square: no Square Loyalty account to mirror to: no accountId, customerId or phone, and the member has no phone number',
    });
  });

  it('does not look up a phone number that is not E.164 (and does not show it whole)', async () => {
    const member = { ...context().member!, phone: '0171 2345678' };
    const skipped = await adapter().send(opts({ points: '250' }), context({ member }));
    expect(skipped).toEqual({
      status: 'skipped',
      reason: "square: the member's phone number (••••5678) is not in E.164 form (+14155550123), so no Square Loyalty account can be looked up",
    });
    const failed = await adapter().send(opts({ points: '250', phone: '555-0199', missingAccount: 'fail' }), context());
    expect(failed).toMatchObject({ status: 'permanent' });
    expect(JSON.stringify(failed)).not.toContain('555-0199');
  });

  it('answers permanent, naming the account, when Square does not know the accountId', async () => {
    route(ADJUST, squareError(404, 'NOT_FOUND', `Loyalty account ${ACCOUNT} not found.`));
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '250' }), context());
    expect(outcome).toEqual({
      status: 'permanent',
      statusCode: 404,
      error: `square: Square Loyalty account ${ACCOUNT} not found (NOT_FOUND: Loyalty account ${ACCOUNT} not found.)`,
    });
  });
});

describe('square loyalty adapter: failures', () => {
  it('answers retry with retryAfterMs 7000 on 429 Retry-After: 7, after exactly one request and without waiting', async () => {
    const seen = route(ADJUST, squareError(429, 'RATE_LIMITED', 'Rate limited.', 'RATE_LIMIT_ERROR', { 'Retry-After': '7' }));
    const started = performance.now();
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '250' }), context());
    expect(outcome).toEqual({ status: 'retry', statusCode: 429, retryAfterMs: 7000, error: 'square: AdjustLoyaltyPoints HTTP 429 RATE_LIMITED: Rate limited.' });
    expect(seen).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers retry on a 429 of the account search, writing nothing', async () => {
    const seen = route(SEARCH, squareError(429, 'RATE_LIMITED', 'Rate limited.', 'RATE_LIMIT_ERROR'));
    const outcome = await adapter().send(opts({ points: '250' }), context());
    expect(outcome).toMatchObject({ status: 'retry', statusCode: 429, error: 'square: SearchLoyaltyAccounts HTTP 429 RATE_LIMITED: Rate limited.' });
    expect(seen).toHaveLength(1);
  });

  it.each([500, 502, 503])('answers retry on HTTP %i after exactly one request (the SDK does not retry by itself)', async (status) => {
    const seen = route(ADJUST, squareError(status, 'SERVICE_UNAVAILABLE', 'Service unavailable.', 'API_ERROR'));
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '-250', allowNegativeBalance: true }), context());
    expect(outcome).toMatchObject({ status: 'retry', statusCode: status });
    expect(seen).toHaveLength(1);
  });

  it('answers retry on a 5xx whose body is not JSON (a proxy\'s error page)', async () => {
    route(ACCUMULATE, () => new HttpResponse('<html>bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '250', locationId: 'P034NEENMD09F' }), context());
    expect(outcome).toMatchObject({ status: 'retry', statusCode: 502, error: 'square: AccumulateLoyaltyPoints HTTP 502' });
  });

  it('answers permanent with Square\'s errors[].detail on a 400 (a deduction past zero without allowNegativeBalance)', async () => {
    route(ADJUST, squareError(400, 'BAD_REQUEST', 'Insufficient points balance for this adjustment.'));
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '-900' }), context());
    expect(outcome).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: 'square: AdjustLoyaltyPoints HTTP 400 BAD_REQUEST: Insufficient points balance for this adjustment.',
    });
  });

  it('answers permanent with a hint on 401 (wrong token) and 403 (missing LOYALTY_* permissions)', async () => {
    route(SEARCH, squareError(401, 'UNAUTHORIZED', 'This request could not be authorized.', 'AUTHENTICATION_ERROR'));
    expect(await adapter().send(opts({ points: '250' }), context())).toMatchObject({
      status: 'permanent',
      statusCode: 401,
      error: expect.stringContaining('UNAUTHORIZED: This request could not be authorized. — check SQUARE_ACCESS_TOKEN') as unknown,
    });
    server.resetHandlers();
    route(SEARCH, squareError(403, 'INSUFFICIENT_SCOPES', 'The merchant has not given your application sufficient permissions.', 'AUTHENTICATION_ERROR'));
    expect(await adapter().send(opts({ points: '250' }), context())).toMatchObject({
      status: 'permanent',
      statusCode: 403,
      error: expect.stringContaining('needs the LOYALTY_READ and LOYALTY_WRITE permissions') as unknown,
    });
  });

  it('answers retry on a network error', async () => {
    const seen = route(ADJUST, () => HttpResponse.error());
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '250' }), context());
    expect(outcome).toMatchObject({ status: 'retry' });
    expect(seen).toHaveLength(1);
  });

  it('answers retry without sending when the delivery is already aborted', async () => {
    const seen = route(ADJUST, adjusted(250));
    const controller = new AbortController();
    controller.abort();
    const outcome = await adapter().send(opts({ accountId: ACCOUNT, points: '250' }), context({ signal: controller.signal }));
    expect(outcome).toEqual({ status: 'retry', error: 'square: aborted' });
    expect(seen).toHaveLength(0);
  });

  it('answers permanent, sending nothing, when SQUARE_ACCESS_TOKEN is not set', async () => {
    // No handler: msw fails the test on any request.
    const outcome = await adapter({ ...env, SQUARE_ACCESS_TOKEN: undefined }).send(opts({ accountId: ACCOUNT, points: '250' }), context());
    expect(outcome).toEqual({
      status: 'permanent',
      error: 'square: SQUARE_ACCESS_TOKEN is not set; the Square Loyalty mirror needs an access token with LOYALTY_READ and LOYALTY_WRITE',
    });
  });

  it('skips 0 points without a request', async () => {
    expect(await adapter().send(opts({ accountId: ACCOUNT, points: '0' }), context())).toEqual({ status: 'skipped', reason: 'square: 0 points, nothing to mirror' });
  });
});

describe('square loyalty adapter: options and connector', () => {
  it('turns the rendered points text into a signed whole number, and refuses anything else', () => {
    expect(squareLoyaltyOptions.parse({ points: '250' }).points).toBe(250);
    expect(squareLoyaltyOptions.parse({ points: ' -250 ' }).points).toBe(-250);
    expect(squareLoyaltyOptions.parse({ points: '+7' }).points).toBe(7);
    expect(squareLoyaltyOptions.parse({ points: 12 }).points).toBe(12);
    for (const bad of ['', '-', '2.5', '1,000', 'abc', '--5', '99999999999', 2.5]) {
      expect(squareLoyaltyOptions.safeParse({ points: bad }).success, JSON.stringify(bad)).toBe(false);
    }
    expect(squareLoyaltyOptions.safeParse({ points: '3000000000' }).success).toBe(false); // over Square's 32 bits
  });

  it('declares its options: points required, the rest optional, typos refused', () => {
    expect(squareLoyaltyOptions.safeParse({ points: '1', accountId: 'a', customerId: 'c', phone: '+1', locationId: 'L', reason: 'r', allowNegativeBalance: true, missingAccount: 'fail' }).success).toBe(true);
    expect(squareLoyaltyOptions.safeParse({ accountId: ACCOUNT }).success).toBe(false);
    expect(squareLoyaltyOptions.safeParse({ points: '1', acountId: ACCOUNT }).success).toBe(false);
    expect(squareLoyaltyOptions.safeParse({ points: '1', missingAccount: 'ignore' }).success).toBe(false);
    expect(squareLoyaltyOptions.safeParse({ points: '1', allowNegativeBalance: 'yes' }).success).toBe(false);
    expect(adapter().options).toBe(squareLoyaltyOptions);
    expect(adapter().name).toBe('square');
  });

  it('is inbound and outbound; the adapter exists once the inbound variables are set, the token being optional', () => {
    expect(square.directions).toEqual(['inbound', 'outbound']);
    expect(connectorStatus(square, { SQUARE_WEBHOOK_SIGNATURE_KEY: 'k', PUBLIC_URL: 'https://x.example' })).toMatchObject({ enabled: true, missing: [] });
    expect(square.config.find((v) => v.env === 'SQUARE_ACCESS_TOKEN')).toMatchObject({ secret: true, required: false });
    expect(square.config.find((v) => v.env === 'SQUARE_ACCESS_TOKEN')!.description).toMatch(/LOYALTY_READ and LOYALTY_WRITE/);
    // Mappings are checked on machines without secrets: building the adapter needs none.
    const { adapters, unavailable } = adapterDescriptors([square], {});
    expect(unavailable).toEqual([]);
    expect(adapters.get('square')?.options).toBe(squareLoyaltyOptions);
  });
});

describe('square loyalty adapter: the shipped mirror mapping, switched on', () => {
  it('turns a points.spent event into a search by the member\'s phone and a negative adjust allowed below zero', async () => {
    const file = fileURLToPath(new URL('../../mappings/square-loyalty-mirror.yaml', import.meta.url));
    const text = readFileSync(file, 'utf8').replace('when: &square-mirror "false"', 'when: &square-mirror "true"');
    const { adapters } = adapterDescriptors([square], {});
    const { mappings, problems } = loadMappingFile(file, adapters, text);
    expect(problems).toEqual([]);
    const member = context().member!;
    const [action, ...more] = mappingActionsFor(mappings, sampleEvent('points.spent'), { member });
    expect(more).toEqual([]);

    const seen: Captured[] = [];
    route(SEARCH, found, seen);
    route(ADJUST, adjusted(-500), seen);
    const outcome = await adapter().send(action!.options as SquareLoyaltyOptions, context());

    expect(outcome.status).toBe('delivered');
    expect(seen.map((r) => r.url)).toEqual([SEARCH, ADJUST]);
    expect(seen[0]!.body).toEqual({ query: { mappings: [{ phone_number: '+14155550123' }] }, limit: 1 });
    expect(seen[1]!.body).toEqual({
      idempotency_key: KEY,
      adjust_points: { points: -500, reason: 'Loyalty Hub: points.spent' },
      allow_negative_balance: true,
    });
  });
});
