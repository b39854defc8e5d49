import { createHmac } from 'node:crypto';
/**
 * The Airtable connector's parts against Airtable's documented shapes
 * (tests/fixtures/platform-samples/airtable/README.md), msw at the network edge: the upsert
 * request field by field and how its answers are classified; the options as `mappings check`
 * reads them; the ping signature; the purchase columns; the daily refresh request.
 */
import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import airtable from '../../connectors/airtable/index.js';
import { airtableOptions } from '../../connectors/airtable/options.js';
import { purchaseColumns, purchaseOfRecord } from '../../connectors/airtable/order-paid.js';
import { AIRTABLE_SIGNATURE, macSecretUsable } from '../../connectors/airtable/signature.js';
import { verifyHmacSignature } from '../../core/connectors/hmac-signature.js';
import { contentMac } from '../inbound/airtable-helpers.js';
import { refreshWebhookJob } from '../../connectors/airtable/webhook-refresh.js';
import { airtableApi } from '../../connectors/airtable/api.js';
import { payloadCursor } from '../../connectors/airtable/cursor.js';
import { connectorStatus, type InboundRequest } from '../../core/connectors/definition.js';
import { adapterDescriptors, loadMappingFile } from '../../core/mappings/index.js';
import { silentLogger } from '../../core/observability/logger.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import { inboundServices } from '../helpers/inbound-services.js';

const sample = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/airtable/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const sampleText = (name: string): string => readFileSync(new URL(`../fixtures/platform-samples/airtable/${name}`, import.meta.url), 'utf8');

const API = 'http://airtable.test';
const TOKEN = 'patAbCdEfGhIjKlMn.0123456789abcdef';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// Each test its own base: the rate limiter is per base and per process.
let bases = 0;
const newBase = () => `appUnitTest${String(++bases).padStart(6, '0')}`;
const ann = { id: 'mem_1', email: 'ann@example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };
let clock = Date.UTC(2026, 0, 15, 12);
function context(overrides: Partial<SendContext> = {}): SendContext {
  clock += 1_000;
  return { idempotencyKey: 'dlv_01HZX3K9-1', attempt: 1, member: ann, timeZone: 'Europe/Berlin', now: clock, signal: new AbortController().signal, ...overrides };
}
function adapter(baseId: string, env: Record<string, string> = {}): OutboundAdapter {
  return airtable.createAdapter({ AIRTABLE_TOKEN: TOKEN, AIRTABLE_BASE_ID: baseId, AIRTABLE_API_URL: API, ...env });
}
interface Seen { method: string; url: string; authorization: string | null; contentType: string | null; body: unknown }
function records(baseId: string, answer: () => Response, table = 'Loyalty members'): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http.patch(`${API}/v0/${baseId}/${encodeURIComponent(table)}`, async ({ request }) => {
      seen.push({ method: request.method, url: request.url, authorization: request.headers.get('authorization'), contentType: request.headers.get('content-type'), body: await request.json() });
      return answer();
    }),
  );
  return seen;
}
const upserted = () => HttpResponse.json(sample('upsert-response.json'));
const options = { table: 'Loyalty members', mergeOn: ['Email'], fields: { Email: 'ann@example.com', Points: '250' } };

describe('airtable adapter: PATCH /v0/{baseId}/{table} with performUpsert', () => {
  it('sends the documented upsert: merge fields, one record\'s fields, the token as Bearer', async () => {
    const base = newBase();
    const seen = records(base, upserted);
    const outcome = await adapter(base).send(options, context());
    expect(outcome).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: 'recXXXXXXXXXXXXX1' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({
      method: 'PATCH',
      url: `${API}/v0/${base}/Loyalty%20members`,
      authorization: `Bearer ${TOKEN}`,
      contentType: 'application/json',
      body: { performUpsert: { fieldsToMergeOn: ['Email'] }, records: [{ fields: { Email: 'ann@example.com', Points: '250' } }] },
    });
  });

  it('asks Airtable to typecast when the mapping says so, and writes a table named by id', async () => {
    const base = newBase();
    const seen = records(base, upserted, 'tblAbCdEfGhIjKlMn');
    await adapter(base).send({ ...options, table: 'tblAbCdEfGhIjKlMn', typecast: true }, context());
    expect(seen[0]!.body).toEqual({ performUpsert: { fieldsToMergeOn: ['Email'] }, records: [{ fields: { Email: 'ann@example.com', Points: '250' } }], typecast: true });
  });

  it('a retried attempt sends the very same upsert (Airtable takes no idempotency key: the merge finds the first attempt\'s record)', async () => {
    const base = newBase();
    const seen = records(base, upserted);
    const a = adapter(base);
    await a.send(options, context({ attempt: 1 }));
    await a.send(options, context({ attempt: 2 }));
    expect(seen[1]!.body).toEqual(seen[0]!.body);
    expect(seen.every((s) => s.method === 'PATCH')).toBe(true);
  });

  it('skips without calling Airtable when a merge field renders empty (a member without an e-mail)', async () => {
    const base = newBase();
    const seen = records(base, upserted);
    const outcome = await adapter(base).send({ ...options, fields: { Email: '  ', Points: '250' } }, context());
    expect(outcome).toEqual({ status: 'skipped', reason: 'airtable: the merge field Email rendered empty: no record to match' });
    expect(seen).toHaveLength(0);
  });

  it('a 422 is permanent with Airtable\'s own type and message', async () => {
    const base = newBase();
    records(base, () => HttpResponse.json(sample('error-invalid-value.json'), { status: 422 }));
    expect(await adapter(base).send(options, context())).toEqual({
      status: 'permanent',
      statusCode: 422,
      error: 'airtable: HTTP 422 INVALID_VALUE_FOR_COLUMN: Field "Points" cannot accept the provided value',
    });
  });

  it('a 403 (the token cannot reach the base) is permanent with Airtable\'s documented type and message', async () => {
    const base = newBase();
    records(base, () => HttpResponse.json(sample('error-invalid-permissions.json'), { status: 403 }));
    expect(await adapter(base).send(options, context())).toMatchObject({
      status: 'permanent',
      statusCode: 403,
      error: expect.stringMatching(/^airtable: HTTP 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND: Invalid permissions, or the requested model was not found\./),
    });
  });

  it('a 404 whose error is a bare string is permanent and says it', async () => {
    const base = newBase();
    records(base, () => HttpResponse.json({ error: 'NOT_FOUND' }, { status: 404 }));
    expect(await adapter(base).send(options, context())).toEqual({ status: 'permanent', statusCode: 404, error: 'airtable: HTTP 404 NOT_FOUND' });
  });

  it('a 429 without Retry-After is retried after Airtable\'s documented 30 s, and holds every send to the base until then', async () => {
    const base = newBase();
    const seen = records(base, () => HttpResponse.json({ errors: [{ error: 'RATE_LIMIT_REACHED' }] }, { status: 429 }));
    const a = adapter(base);
    const first = context();
    expect(await a.send(options, first)).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 30_000 });
    expect(await a.send(options, { ...first, now: first.now + 29_000 })).toEqual({ status: 'deferred', until: first.now + 30_000, reason: 'Airtable answered 429' });
    expect(seen).toHaveLength(1);
  });

  it('a 429 with Retry-After is retried after it', async () => {
    const base = newBase();
    records(base, () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } }));
    expect(await adapter(base).send(options, context())).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 7_000 });
  });

  it('5xx and network errors are retried', async () => {
    const base = newBase();
    records(base, () => HttpResponse.json({ error: { type: 'SERVER_ERROR', message: 'Try again.' } }, { status: 503 }));
    expect(await adapter(base).send(options, context())).toMatchObject({ status: 'retry', statusCode: 503, error: 'airtable: HTTP 503 SERVER_ERROR: Try again.' });
    server.resetHandlers();
    records(base, () => HttpResponse.error());
    expect(await adapter(base).send(options, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^airtable: request failed/) });
  });

  it('keeps Airtable\'s 5 requests per second per base: the sixth in a second is deferred, not sent', async () => {
    const base = newBase();
    const seen = records(base, upserted);
    const a = adapter(base);
    const now = context().now;
    for (let i = 0; i < 5; i++) expect((await a.send(options, context({ now: now + i }))).status).toBe('delivered');
    expect(await a.send(options, context({ now: now + 5 }))).toEqual({ status: 'deferred', until: now + 1_000, reason: 'Airtable allows 5 requests per second' });
    expect(seen).toHaveLength(5);
  });
});

describe('airtable options, as mappings check reads them', () => {
  it('takes a table, one to three merge fields that are among the fields, fields and typecast', () => {
    const ok = (o: unknown) => airtableOptions.safeParse(o).success;
    expect(ok(options)).toBe(true);
    expect(ok({ ...options, typecast: true, mergeOn: ['Email', 'Points'] })).toBe(true);
    expect(ok({ ...options, mergeOn: [] })).toBe(false);
    expect(ok({ ...options, mergeOn: ['A', 'B', 'C', 'D'] })).toBe(false);
    expect(ok({ ...options, mergeOn: ['Member id'] })).toBe(false);
    expect(ok({ ...options, fields: {} })).toBe(false);
    expect(ok({ ...options, table: '' })).toBe(false);
    expect(ok({ ...options, typcast: true })).toBe(false);
  });

  it('a refused option is reported by the mapping loader with the file, line and reason', () => {
    const { adapters } = adapterDescriptors([airtable], {});
    const text = [
      '- name: airtable-bad',
      '  on: points.earned',
      '  send:',
      '    adapter: airtable',
      '    table: Loyalty members',
      '    mergeOn: [Member id]',
      '    fields:',
      '      Email: "{{ member.email }}"',
      '',
    ].join('\n');
    const { mappings, problems } = loadMappingFile('mappings/airtable-bad.yaml', adapters, text);
    expect(mappings).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ file: 'mappings/airtable-bad.yaml', line: 6, reason: expect.stringMatching(/every mergeOn field must also be given in fields/) })]);
  });
});

describe('airtable ping signature: X-Airtable-Content-MAC', () => {
  const secret = Buffer.from('a 32-byte webhook MAC secret....').toString('base64');
  const body = sampleText('ping.json');
  const request = (headers: Record<string, string>, text = body): InboundRequest => ({
    method: 'POST',
    url: 'https://loyalty.example.com/webhooks/airtable',
    headers: new Headers(headers),
    rawBody: new TextEncoder().encode(text),
    body: text,
  });

  const verify = (req: InboundRequest, secrets = secret) => verifyHmacSignature(req, AIRTABLE_SIGNATURE, { secrets });

  it('is hmac-sha256= and the hex HMAC-SHA256 of the raw body, keyed with the base64-decoded secret', () => {
    expect(Buffer.from(secret, 'base64').toString()).toBe('a 32-byte webhook MAC secret....');
    const mac = contentMac(secret, body);
    expect(mac).toMatch(/^hmac-sha256=[0-9a-f]{64}$/);
    expect(verify(request({ 'X-Airtable-Content-MAC': mac }))).toEqual({ ok: true });
  });

  it('refuses a missing header, another key, the secret\'s text used as the key, a changed body, and no secret', () => {
    const textKeyed = 'hmac-sha256=' + createHmac('sha256', secret).update(body).digest('hex');
    expect(verify(request({}))).toEqual({ ok: false, reason: 'missing X-Airtable-Content-MAC header' });
    expect(verify(request({ 'X-Airtable-Content-MAC': textKeyed })).ok).toBe(false);
    expect(verify(request({ 'X-Airtable-Content-MAC': contentMac(secret, body) }, body.replace('ach0', 'ach1'))).ok).toBe(false);
    expect(verify(request({ 'X-Airtable-Content-MAC': 'hmac-sha256=00' })).ok).toBe(false);
    expect(verify(request({ 'X-Airtable-Content-MAC': contentMac(secret, body) }), '')).toEqual({ ok: false, reason: 'no signing secret is configured' });
    expect(verify(request({ 'X-Airtable-Content-MAC': contentMac(secret, body) }), 'not base64!')).toEqual({ ok: false, reason: 'the signing secret is not base64' });
    expect(macSecretUsable('not base64!')).toBe(false);
    expect(macSecretUsable('')).toBe(false);
    expect(macSecretUsable(secret)).toBe(true);
  });
});

describe('airtable purchase columns', () => {
  const env = {
    AIRTABLE_PURCHASES_TABLE: 'tblPurchases00001',
    AIRTABLE_ORDER_ID_FIELD: 'fldOrderId0000001',
    AIRTABLE_AMOUNT_FIELD: 'fldAmount00000001',
    AIRTABLE_CURRENCY_FIELD: 'fldCurrency000001',
    AIRTABLE_EMAIL_FIELD: 'fldEmail000000001',
  };

  it('are read from the environment, by id, and refused at start when malformed', () => {
    expect(purchaseColumns({})).toBeUndefined();
    expect(purchaseColumns(env)).toEqual({ tableId: 'tblPurchases00001', orderIdField: 'fldOrderId0000001', amountField: 'fldAmount00000001', currencyField: 'fldCurrency000001', emailField: 'fldEmail000000001', customerIdField: undefined });
    expect(() => purchaseColumns({ ...env, AIRTABLE_AMOUNT_FIELD: 'Amount' })).toThrow(/AIRTABLE_AMOUNT_FIELD must be a field id/);
    expect(() => purchaseColumns({ ...env, AIRTABLE_PURCHASES_TABLE: 'Purchases' })).toThrow(/AIRTABLE_PURCHASES_TABLE must be a table id/);
    expect(() => purchaseColumns({ ...env, AIRTABLE_CURRENCY_FIELD: '' })).toThrow(/AIRTABLE_CURRENCY_FIELD or AIRTABLE_CURRENCY/);
    expect(() => purchaseColumns({ ...env, AIRTABLE_CURRENCY: 'EURO' })).toThrow(/AIRTABLE_CURRENCY/);
    expect(purchaseColumns({ ...env, AIRTABLE_CURRENCY_FIELD: '', AIRTABLE_CURRENCY: 'jpy' })).toMatchObject({ currency: 'JPY' });
  });

  it('turn a created record into order.paid with the money in exact minor units, or say why not', () => {
    const columns = purchaseColumns(env)!;
    const row = (cells: Record<string, unknown>) => purchaseOfRecord(columns, 'recRow00000000001', { cellValuesByFieldId: cells, createdTime: '2022-02-01T21:25:05.663Z' }, 0);
    expect(row({ fldOrderId0000001: 'A-1001', fldAmount00000001: 19.99, fldCurrency000001: 'usd', fldEmail000000001: 'ann@example.com' })).toEqual({
      event: {
        type: 'order.paid',
        source: 'airtable',
        occurredAt: Date.parse('2022-02-01T21:25:05.663Z'),
        customer: { email: 'ann@example.com' },
        order: { id: 'A-1001', channel: 'airtable', currency: 'USD', amount: 1999, discountCodes: [], lineItems: [] },
        attributes: { airtableRecordId: 'recRow00000000001' },
      },
    });
    // A single select's { name }, an autonumber order id, an amount typed as text, KWD's three decimals.
    expect(row({ fldOrderId0000001: 1002, fldAmount00000001: '1.5', fldCurrency000001: { id: 'selX', name: 'KWD', color: 'blueLight2' } })).toMatchObject({ event: { order: { id: '1002', currency: 'KWD', amount: 1500 } } });
    expect(row({ fldAmount00000001: 5, fldCurrency000001: 'EUR' })).toEqual({ skipped: 'recRow00000000001: no order id' });
    expect(row({ fldOrderId0000001: 'A-3', fldCurrency000001: 'EUR' })).toEqual({ skipped: 'recRow00000000001: no amount' });
    expect(row({ fldOrderId0000001: 'A-4', fldAmount00000001: 10.123, fldCurrency000001: 'EUR' })).toEqual({ skipped: 'recRow00000000001: "10.123" has more decimals than EUR allows (2)' });
    expect(row({ fldOrderId0000001: 'A-5', fldAmount00000001: '$10', fldCurrency000001: 'EUR' })).toEqual({ skipped: 'recRow00000000001: "$10" is not a decimal amount' });
    expect(row({ fldOrderId0000001: 'A-6', fldAmount00000001: 10, fldCurrency000001: 'ZZZ' })).toEqual({ skipped: 'recRow00000000001: "ZZZ" is not an ISO 4217 currency code' });
    // Text the hub refuses skips the row alone; an e-mail cell that is no address is left out.
    expect(row({ fldOrderId0000001: 'A-7\u0007', fldAmount00000001: 10, fldCurrency000001: 'EUR' })).toEqual({ skipped: 'recRow00000000001: order.id contains a control character (U+0007)' });
    expect(row({ fldOrderId0000001: 'A-8', fldAmount00000001: 10, fldCurrency000001: 'EUR', fldEmail000000001: 'n/a' })).toMatchObject({ event: { order: { id: 'A-8' } } });
    expect(row({ fldOrderId0000001: 'A-8', fldAmount00000001: 10, fldCurrency000001: 'EUR', fldEmail000000001: 'n/a' })).not.toHaveProperty('event.customer');
  });
});

describe('airtable webhook refresh job', () => {
  it('POSTs /v0/bases/{baseId}/webhooks/{webhookId}/refresh with the token, and throws on a refusal', async () => {
    const base = newBase();
    const seen: { url: string; authorization: string | null }[] = [];
    let answer = () => HttpResponse.json(sample('refresh-webhook.json'));
    server.use(
      http.post(`${API}/v0/bases/${base}/webhooks/achWebhook0000001/refresh`, ({ request }) => {
        seen.push({ url: request.url, authorization: request.headers.get('authorization') });
        return answer();
      }),
    );
    const job = refreshWebhookJob(airtableApi({ AIRTABLE_TOKEN: TOKEN, AIRTABLE_BASE_ID: base, AIRTABLE_API_URL: API }), 'achWebhook0000001', silentLogger);
    expect(job.everyMs).toBe(24 * 3_600_000);
    await job.run(context().now);
    expect(seen).toEqual([{ url: `${API}/v0/bases/${base}/webhooks/achWebhook0000001/refresh`, authorization: `Bearer ${TOKEN}` }]);
    answer = () => HttpResponse.json({ error: { type: 'NOT_FOUND', message: 'Could not find webhook' } }, { status: 404 });
    await expect(job.run(context().now)).rejects.toThrow('airtable: refreshing webhook achWebhook0000001 answered HTTP 404 NOT_FOUND: Could not find webhook');
  });
});

describe('airtable payload cursor', () => {
  it('starts at 1, moves only forward, and one webhook\'s cursor is not another\'s', async () => {
    const kept = new Map<string, string>();
    const cursor = payloadCursor({ get: async (k) => kept.get(k), set: async (k, v) => void kept.set(k, v) }, silentLogger);
    expect(await cursor.read('achA')).toBe(1);
    await Promise.all([cursor.advance('achA', 7), cursor.advance('achA', 4), cursor.advance('achA', 7)]);
    expect(await cursor.read('achA')).toBe(7);
    expect(kept.get('cursor:achA')).toBe('7');
    expect(await cursor.read('achB')).toBe(1);
  });

  it('a cursor that cannot be stored stays where it was (the next ping reads again)', async () => {
    const cursor = payloadCursor({ get: async () => '3', set: () => Promise.reject(new Error('database is locked')) }, silentLogger);
    await cursor.advance('achA', 9);
    expect(await cursor.read('achA')).toBe(3);
  });
});

describe('airtable ping handler, half configured', () => {
  const secret = Buffer.from('a 32-byte webhook MAC secret....').toString('base64');
  const ping = (body = sampleText('ping.json')): InboundRequest => ({
    method: 'POST',
    url: 'https://loyalty.example.com/webhooks/airtable',
    headers: new Headers({ 'x-airtable-content-mac': contentMac(secret, body) }),
    rawBody: new TextEncoder().encode(body),
    body,
  });
  const kept = new Map<string, string>();
  const state = { get: async (k: string) => kept.get(k), set: async (k: string, v: string) => void kept.set(k, v) };
  const base = { AIRTABLE_TOKEN: TOKEN, AIRTABLE_BASE_ID: 'app00000000000000', AIRTABLE_API_URL: API };

  it('refuses every ping until AIRTABLE_WEBHOOK_MAC_SECRET is set', () => {
    const handler = airtable.createInbound(base, inboundServices(silentLogger, { state }));
    expect(handler.verify(ping())).toMatchObject({ ok: false, reason: expect.stringMatching(/AIRTABLE_WEBHOOK_MAC_SECRET is not set/) });
  });

  it('acknowledges but reads nothing without AIRTABLE_WEBHOOK_ID, and ignores another base\'s ping', async () => {
    const handler = airtable.createInbound({ ...base, AIRTABLE_WEBHOOK_MAC_SECRET: secret }, inboundServices(silentLogger, { state }));
    expect(handler.verify(ping())).toEqual({ ok: true });
    expect(await handler.normalize(ping())).toEqual({ status: 'ignored', reason: 'AIRTABLE_WEBHOOK_ID is not set: payloads are not read (docs/connectors/airtable.md)' });
    const other = airtable.createInbound({ ...base, AIRTABLE_BASE_ID: 'appAnotherBase001', AIRTABLE_WEBHOOK_MAC_SECRET: secret }, inboundServices(silentLogger, { state }));
    expect(await other.normalize(ping())).toEqual({ status: 'ignored', reason: 'a ping for base app00000000000000, not AIRTABLE_BASE_ID' });
  });

  it('without a purchases table, reads the payloads (keeping the webhook alive) and earns nothing', async () => {
    const reads: string[] = [];
    server.use(
      http.get(`${API}/v0/bases/app00000000000000/webhooks/ach00000000000000/payloads`, ({ request }) => {
        reads.push(new URL(request.url).search);
        return HttpResponse.json(sample('list-webhook-payloads.json'));
      }),
    );
    const handler = airtable.createInbound({ ...base, AIRTABLE_WEBHOOK_MAC_SECRET: secret, AIRTABLE_WEBHOOK_ID: 'ach00000000000000' }, inboundServices(silentLogger, { state }));
    const request = ping();
    expect(await handler.normalize(request)).toEqual({ status: 'ignored', reason: '1 payload(s) read; no purchases table is configured (AIRTABLE_PURCHASES_TABLE)' });
    expect(reads).toEqual(['?cursor=1&limit=50']);
    handler.acknowledge!(request, { status: 'ignored' });
    await vi.waitFor(() => expect(kept.get('cursor:ach00000000000000')).toBe('5'));
  });
});

describe('airtable connector definition', () => {
  it('is enabled by the token and the base, names what is missing, and keeps its secrets secret', () => {
    expect(connectorStatus(airtable, {})).toEqual({
      name: 'airtable',
      title: 'Airtable',
      directions: ['inbound', 'outbound'],
      enabled: false,
      missing: ['AIRTABLE_TOKEN', 'AIRTABLE_BASE_ID'],
      inboundMissing: ['AIRTABLE_WEBHOOK_MAC_SECRET'],
    });
    // Enabled to send; its webhooks wait for the MAC secret.
    expect(connectorStatus(airtable, { AIRTABLE_TOKEN: TOKEN, AIRTABLE_BASE_ID: 'appX' })).toMatchObject({ enabled: true, missing: [], inboundMissing: ['AIRTABLE_WEBHOOK_MAC_SECRET'] });
    expect(connectorStatus(airtable, { AIRTABLE_TOKEN: TOKEN, AIRTABLE_BASE_ID: 'appX', AIRTABLE_WEBHOOK_MAC_SECRET: 'c2VjcmV0' })).not.toHaveProperty('inboundMissing');
    expect(airtable.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['AIRTABLE_TOKEN', 'AIRTABLE_WEBHOOK_MAC_SECRET']);
    expect(adapter(newBase()).options).toBe(airtableOptions);
  });
});
