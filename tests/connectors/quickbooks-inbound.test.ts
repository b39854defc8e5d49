/**
 * The QuickBooks handler alone: Intuit's own signature vector (the .NET SDK's test), both
 * notification envelopes from Intuit's samples, and the OAuth token life cycle — the refresh
 * token Intuit rotates kept encrypted in connector state (an in-memory one here, the core's own
 * in tests/inbound/quickbooks-webhook.test.ts), the access token kept until it expires.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import quickbooks, { tokenUrl } from '../../connectors/quickbooks/index.js';
import { createQuickBooksApi } from '../../connectors/quickbooks/api.js';
import { readNotification } from '../../connectors/quickbooks/notification.js';
import { createAccessTokens, INTUIT_TOKEN_URL } from '../../connectors/quickbooks/oauth.js';
import { createRefreshTokenStore, REFRESH_TOKEN_KEY } from '../../connectors/quickbooks/token-store.js';
import { connectorStatus, InboundPayloadError, type ConnectorState, type InboundRequest } from '../../core/connectors/definition.js';
import { silentLogger } from '../../core/observability/logger.js';
import { BIN } from '../helpers/hub-process.js';
import { inboundServices } from '../helpers/inbound-services.js';

const SAMPLES = fileURLToPath(new URL('../fixtures/platform-samples/quickbooks', import.meta.url));
const text = (name: string) => readFileSync(`${SAMPLES}/${name}`, 'utf8');
const TOKEN_URL = 'http://intuit-oauth.test/oauth2/v1/tokens/bearer';

function request(body: string, headers: Record<string, string> = {}): InboundRequest {
  return { method: 'POST', url: 'https://loyalty.example.com/webhooks/quickbooks', headers: new Headers(headers), rawBody: new TextEncoder().encode(body), body };
}

/** A stand-in for the core's connector state (the interface the core lends). */
function memoryState(): ConnectorState & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, get: (k) => Promise.resolve(values.get(k)), set: (k, v) => Promise.resolve(void values.set(k, v)) };
}

const ENV = {
  QUICKBOOKS_VERIFIER_TOKEN: '00faeec4-08d0-4996-bb37-698ae19f0149',
  QUICKBOOKS_CLIENT_ID: 'client-id',
  QUICKBOOKS_CLIENT_SECRET: 'client-secret',
  QUICKBOOKS_REFRESH_TOKEN: 'refresh-token-0',
};

describe('QuickBooks signature: intuit-signature, base64 HMAC-SHA256 of the body under the Verifier Token', () => {
  const vector = JSON.parse(text('signed_vector_dotnet_sdk.meta.json')) as { verifierToken: string; intuitSignature: string };
  const body = text('signed_vector_dotnet_sdk.json');
  const handler = (token = vector.verifierToken) => quickbooks.createInbound({ ...ENV, QUICKBOOKS_VERIFIER_TOKEN: token }, inboundServices(silentLogger, { state: memoryState() }));

  it("accepts the .NET SDK's own test vector", async () => {
    expect(await handler().verify(request(body, { 'intuit-signature': vector.intuitSignature }))).toEqual({ ok: true });
  });

  it.each([
    ['another Verifier Token', () => handler('another-token').verify(request(body, { 'intuit-signature': vector.intuitSignature }))],
    ['one byte changed', () => handler().verify(request(body.replace('"40"', '"41"'), { 'intuit-signature': vector.intuitSignature }))],
    ['no header', () => handler().verify(request(body))],
    ['the signature in hex', () => handler().verify(request(body, { 'intuit-signature': Buffer.from(vector.intuitSignature, 'base64').toString('hex') }))],
    ['no Verifier Token configured', () => handler('').verify(request(body, { 'intuit-signature': vector.intuitSignature }))],
  ])('refuses %s', async (_what, verify) => {
    expect(await verify()).toMatchObject({ ok: false });
  });
});

describe('QuickBooks notifications: the legacy envelope and CloudEvents alike', () => {
  it('reads the legacy sample: one change per entity, with its realm and time', () => {
    expect(readNotification(request(text('notification_legacy.json')))).toEqual([
      { realmId: '1185883450', entity: 'Customer', entityId: '1', operation: 'Create', occurredAt: Date.parse('2015-10-05T14:42:19-0700') },
      { realmId: '1185883450', entity: 'Vendor', entityId: '1', operation: 'Create', occurredAt: Date.parse('2015-10-05T14:42:19-0700') },
    ]);
  });

  it('reads the CloudEvents samples: the account id is the realm, the type names entity and operation', () => {
    expect(readNotification(request(text('notification_cloudevents.json')))).toEqual([
      { realmId: '310687', entity: 'Customer', entityId: '1234', operation: 'Create', occurredAt: Date.parse('2025-09-10T21:31:25.179Z') },
    ]);
    expect(readNotification(request(text('notification_cloudevents_dotnet_sdk.json')))).toMatchObject([{ realmId: '310687', entity: 'class', entityId: '1234', operation: 'Create' }]);
  });

  it('dates a CloudEvent without `time` when it arrived (the attribute is optional in CloudEvents 1.0)', () => {
    const [event] = JSON.parse(text('notification_cloudevents.json')) as Record<string, unknown>[];
    const before = Date.now();
    const [change] = readNotification(request(JSON.stringify([{ ...event, time: undefined }])));
    expect(change!.occurredAt).toBeGreaterThanOrEqual(before);
  });

  it('answers a verified notification of entities loyalty does not use without any look-up', async () => {
    const handler = quickbooks.createInbound(ENV, inboundServices(silentLogger, { state: memoryState() }));
    const result = await handler.normalize(request(text('notification_legacy.json')));
    expect(result).toEqual({ status: 'ignored', reason: expect.stringContaining('Customer changes are not used for loyalty') });
    expect(handler.topic(request(text('notification_legacy.json')))).toBe('Customer.Create Vendor.Create');
    expect(handler.deliveryId(request(text('notification_cloudevents.json')))).toBe('cloudevent:88cd52aa-33b6-4351-9aa4-47572edbd068');
    expect(handler.deliveryId(request(text('notification_legacy.json')))).toBeUndefined();
  });

  it.each([
    ['a CloudEvent of another spec version', JSON.stringify([{ ...JSON.parse(text('notification_cloudevents.json'))[0], specversion: '0.3' }]), '/0/specversion'],
    ['a CloudEvent type not qbo.<entity>.<operation>.v<n>', JSON.stringify([{ ...JSON.parse(text('notification_cloudevents.json'))[0], type: 'customer.created' }]), '/0/type'],
    ['a legacy entity without id', text('notification_legacy.json').replace('"id":"1",', ''), '/eventNotifications/0/dataChangeEvent/entities/0/id'],
    ['an object of neither shape', '{"hello":"world"}', '/eventNotifications'],
    ['a time that is not one', JSON.stringify([{ ...JSON.parse(text('notification_cloudevents.json'))[0], time: 'yesterday' }]), '/0/time'],
  ])('refuses %s with a pointer (400)', (_what, body, pointer) => {
    try {
      readNotification(request(body));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InboundPayloadError);
      expect((error as InboundPayloadError).errors.map((e) => e.pointer)).toContain(pointer);
    }
  });
});

describe('QuickBooks OAuth tokens', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  /** Intuit's token endpoint, answering token_response.json with a new refresh token each time. */
  function tokenEndpoint(answer?: () => Response): string[] {
    const seen: string[] = [];
    const sample = JSON.parse(text('token_response.json')) as Record<string, unknown>;
    server.use(
      http.post(TOKEN_URL, async ({ request: req }) => {
        const form = new URLSearchParams(await req.text());
        seen.push(form.get('refresh_token') ?? '');
        return answer?.() ?? HttpResponse.json({ ...sample, access_token: `access-${seen.length}`, refresh_token: `refresh-token-${seen.length}` });
      }),
    );
    return seen;
  }

  function tokens(state: ConnectorState, options: { configured?: string; clientSecret?: string; now?: () => number } = {}) {
    const refreshTokens = createRefreshTokenStore({ state, configured: options.configured ?? 'refresh-token-0', clientSecret: options.clientSecret ?? 'client-secret', logger: silentLogger });
    return createAccessTokens({ clientId: 'client-id', clientSecret: options.clientSecret ?? 'client-secret', refreshTokens, tokenUrl: TOKEN_URL, logger: silentLogger, now: options.now });
  }

  it('keeps the access token until shortly before expires_in, refreshing once for concurrent callers', async () => {
    const seen = tokenEndpoint();
    let clock = 1_000_000;
    const t = tokens(memoryState(), { now: () => clock });
    expect(await Promise.all([t.token(), t.token(), t.token()])).toEqual(['access-1', 'access-1', 'access-1']);
    clock += 3500 * 1000;
    expect(await t.token()).toBe('access-1');
    clock += 60 * 1000; // 3560 s: within a minute of Intuit's 3600 s
    expect(await t.token()).toBe('access-2');
    t.rejected('access-2');
    expect(await t.token()).toBe('access-3');
    expect(seen).toEqual(['refresh-token-0', 'refresh-token-1', 'refresh-token-2']);
  });

  it('stores every rotated refresh token encrypted, and a new process starts from the stored one', async () => {
    const seen = tokenEndpoint();
    const state = memoryState();
    await tokens(state).token();
    const stored = state.values.get(REFRESH_TOKEN_KEY)!;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('refresh-token-1');
    await tokens(state).token(); // a restart: no access token in memory
    expect(seen).toEqual(['refresh-token-0', 'refresh-token-1']);
  });

  it('uses QUICKBOOKS_REFRESH_TOKEN again when the merchant changed it, or when the stored one cannot be decrypted', async () => {
    const seen = tokenEndpoint();
    const state = memoryState();
    await tokens(state).token();
    await tokens(state, { configured: 'reconnected-refresh-token' }).token();
    await tokens(state, { configured: 'reconnected-refresh-token', clientSecret: 'rotated-client-secret' }).token();
    expect(seen).toEqual(['refresh-token-0', 'reconnected-refresh-token', 'reconnected-refresh-token']);
  });

  it.each([
    ['invalid_grant (400)', () => HttpResponse.json({ error: 'invalid_grant' }, { status: 400 }), /refused \(HTTP 400 invalid_grant\)/],
    ['a 503', () => new HttpResponse(null, { status: 503 }), /refused \(HTTP 503\)/],
    ['a network error', () => HttpResponse.error(), /refresh failed/],
  ])('throws on %s (the notification is answered 503 and retried), keeping the stored token', async (_what, answer, message) => {
    tokenEndpoint(answer);
    const state = memoryState();
    await expect(tokens(state).token()).rejects.toThrow(message);
    expect(state.values.size).toBe(0);
  });

  it('asks Intuit\'s token endpoint, unless QUICKBOOKS_API_URL is a proxy or stub outside intuit.com', () => {
    expect(tokenUrl(undefined)).toBe(INTUIT_TOKEN_URL);
    expect(tokenUrl('https://sandbox-quickbooks.api.intuit.com')).toBe(INTUIT_TOKEN_URL);
    expect(tokenUrl('http://localhost:4010/')).toBe('http://localhost:4010/oauth2/v1/tokens/bearer');
  });
});

describe('QuickBooks API look-ups', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const API = 'http://qbo-api.test';

  /** The invoice endpoint answering `answers` in turn; the tokens handed out and taken back. */
  function setup(...answers: (() => Response)[]) {
    const seen: string[] = [];
    server.use(
      http.get(`${API}/v3/company/:realm/invoice/:id`, ({ request: req }) => {
        seen.push(req.headers.get('authorization') ?? '');
        return (answers.shift() ?? answers.at(-1)!)();
      }),
    );
    let issued = 0;
    const rejected: string[] = [];
    const api = createQuickBooksApi({ apiUrl: API, logger: silentLogger, tokens: { token: () => Promise.resolve(`t${++issued}`), rejected: (t) => void rejected.push(t) } });
    return { api, seen, rejected };
  }
  const invoice = () => HttpResponse.json(JSON.parse(text('invoice.json')) as Record<string, unknown>);

  it('repeats a call the API answered 401 once, with a fresh token', async () => {
    const { api, seen, rejected } = setup(() => new HttpResponse(null, { status: 401 }), invoice);
    expect(await api.salesTransaction('1', 'Invoice', '130')).toMatchObject({ Id: '130', TotalAmt: 362.07 });
    expect(seen).toEqual(['Bearer t1', 'Bearer t2']);
    expect(rejected).toEqual(['t1']);
  });

  it.each([
    ['a second 401', [401, 401]],
    ['429', [429]],
    ['500', [500]],
  ])('throws on %s, so the notification is answered 503 and retried', async (_what, statuses) => {
    const { api } = setup(...statuses.map((status) => () => new HttpResponse(null, { status })));
    await expect(api.salesTransaction('1', 'Invoice', '130')).rejects.toThrow(/answering 5xx so Intuit retries/);
  });

  it.each([400, 403, 404])('gives up on %s: QuickBooks will answer the same again', async (status) => {
    const { api } = setup(() => HttpResponse.json({ Fault: { type: 'ValidationFault' } }, { status }));
    expect(await api.salesTransaction('1', 'Invoice', '130')).toBeUndefined();
  });

  it('refuses an entity it cannot read with the pointer of the field (400)', async () => {
    const { api } = setup(() => HttpResponse.json({ Invoice: { ...(JSON.parse(text('invoice.json')) as { Invoice: object }).Invoice, LinkedTxn: 'none' } }));
    await expect(api.salesTransaction('1', 'Invoice', '130')).rejects.toMatchObject({ errors: [expect.objectContaining({ pointer: '/Invoice/LinkedTxn' })] });
  });
});

describe('QuickBooks configuration', () => {
  it('is enabled with its four required variables and names the missing one otherwise', () => {
    expect(connectorStatus(quickbooks, ENV)).toMatchObject({ enabled: true, missing: [] });
    expect(connectorStatus(quickbooks, { ...ENV, QUICKBOOKS_REFRESH_TOKEN: '' })).toMatchObject({ enabled: false, missing: ['QUICKBOOKS_REFRESH_TOKEN'] });
  });

  it('is listed by `loyalty-hub connectors check` as enabled, or disabled naming the missing variable, secrets never printed', () => {
    const cli = (env: Record<string, string>) => {
      const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('QUICKBOOKS_') && k !== 'LOYALTY_RECIPES'));
      return spawnSync(process.execPath, [BIN, 'connectors', 'check'], { env: { ...base, ...env }, encoding: 'utf8', cwd: tmpdir() });
    };
    const enabled = cli(ENV);
    expect(enabled.stdout).toMatch(/^quickbooks\s+coded\s+enabled$/m);
    for (const secret of [ENV.QUICKBOOKS_VERIFIER_TOKEN, ENV.QUICKBOOKS_CLIENT_SECRET, ENV.QUICKBOOKS_REFRESH_TOKEN]) expect(enabled.stdout).not.toContain(secret);
    const { QUICKBOOKS_VERIFIER_TOKEN: _v, ...withoutToken } = ENV;
    expect(cli(withoutToken).stdout).toMatch(/^quickbooks\s+coded\s+disabled: set QUICKBOOKS_VERIFIER_TOKEN$/m);
  });
});
