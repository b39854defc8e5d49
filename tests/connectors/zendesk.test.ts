import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus } from '../../core/connectors/definition.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import zendesk from '../../connectors/zendesk/index.js';
import { zendeskBaseUrl } from '../../connectors/zendesk/adapter.js';
import { zendeskOptions } from '../../connectors/zendesk/options.js';

const TICKETS = 'https://acme.zendesk.com/api/v2/tickets.json';
const env = { ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'agent@acme.test', ZENDESK_API_TOKEN: 'zd-token-123' };
const BASIC = `Basic ${Buffer.from('agent@acme.test/token:zd-token-123').toString('base64')}`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ann = { id: 'mem_1', email: 'ann@example.com', phone: null, consentEmail: false, consentSms: false, firstName: 'Ann', lastName: 'Lee' };

function context(overrides: Partial<SendContext> = {}): SendContext {
  return {
    idempotencyKey: 'dlv_01HZX3K9-1',
    attempt: 1,
    member: ann,
    timeZone: 'Europe/Berlin',
    now: Date.UTC(2025, 0, 15, 12),
    signal: new AbortController().signal,
    ...overrides,
  };
}

function adapter(e: Record<string, string | undefined> = env): OutboundAdapter {
  return zendesk.createAdapter(e);
}

interface Captured { url: string; headers: Headers; body: unknown }

function tickets(answer: () => Response, url = TICKETS): Captured[] {
  const seen: Captured[] = [];
  server.use(
    http.post(url, async ({ request }) => {
      seen.push({ url: request.url, headers: request.headers, body: await request.json() });
      return answer();
    }),
  );
  return seen;
}

const created = () => HttpResponse.json({ ticket: { id: 35436, status: 'new', subject: 'x' } }, { status: 201 });
const basic = { subject: 'Delivery failed', comment: 'The points e-mail to the member could not be delivered.' };

describe('zendesk adapter', () => {
  it('creates a ticket with API-token Basic auth, the idempotency key and the member as requester', async () => {
    const seen = tickets(created);
    const outcome = await adapter().send({ ...basic, tags: ['loyalty', 'delivery_failed'], priority: 'high' }, context());

    expect(outcome).toEqual({ status: 'delivered', statusCode: 201, providerMessageId: '35436' });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.url).toBe(TICKETS);
    expect(req!.headers.get('authorization')).toBe(BASIC);
    expect(req!.headers.get('content-type')).toBe('application/json');
    expect(req!.headers.get('idempotency-key')).toBe('dlv_01HZX3K9-1');
    expect(req!.body).toEqual({
      ticket: {
        subject: 'Delivery failed',
        comment: { body: 'The points e-mail to the member could not be delivered.', public: true },
        requester: { name: 'Ann Lee', email: 'ann@example.com' },
        tags: ['loyalty', 'delivery_failed'],
        priority: 'high',
      },
    });
  });

  it('sends the same Idempotency-Key on every attempt of one delivery', async () => {
    const seen = tickets(created);
    const a = adapter();
    await a.send(basic, context({ attempt: 1 }));
    await a.send(basic, context({ attempt: 2 }));
    expect(seen.map((r) => r.headers.get('idempotency-key'))).toEqual(['dlv_01HZX3K9-1', 'dlv_01HZX3K9-1']);
    expect(seen[0]!.body).toEqual(seen[1]!.body);
  });

  it('lets the options override the requester, and falls back to the address as the name', async () => {
    const seen = tickets(created);
    await adapter().send({ ...basic, requester: { name: 'Loyalty Ops', email: 'ops@shop.example' } }, context());
    await adapter().send({ ...basic, requester: { email: 'ops@shop.example' } }, context());
    await adapter().send({ ...basic, requester: { name: 'Annie' } }, context());
    await adapter().send(basic, context({ member: { ...ann, firstName: null, lastName: null } }));
    expect(seen.map((r) => (r.body as { ticket: { requester?: unknown } }).ticket.requester)).toEqual([
      { name: 'Loyalty Ops', email: 'ops@shop.example' },
      { name: 'ops@shop.example', email: 'ops@shop.example' },
      { name: 'Annie', email: 'ann@example.com' },
      { name: 'ann@example.com', email: 'ann@example.com' },
    ]);
  });

  it('sends no requester when there is no address at all (Zendesk then uses the API user)', async () => {
    const seen = tickets(created);
    const outcome = await adapter().send(basic, context({ member: null }));
    expect(outcome.status).toBe('delivered');
    expect(seen[0]!.body).toEqual({ ticket: { subject: basic.subject, comment: { body: basic.comment, public: true } } });
  });

  it('opens the ticket with an internal note when public is false (alerts about a member)', async () => {
    const seen = tickets(created);
    await adapter().send({ ...basic, public: false }, context({ member: null }));
    expect(seen[0]!.body).toEqual({ ticket: { subject: basic.subject, comment: { body: basic.comment, public: false } } });
  });

  it('refuses a requester address that is not one, without calling Zendesk', async () => {
    const seen = tickets(created);
    const outcome = await adapter().send({ ...basic, requester: { email: 'not an address' } }, context());
    expect(outcome).toEqual({ status: 'permanent', error: 'zendesk: the requester e-mail is not an e-mail address' });
    expect(seen).toHaveLength(0);
  });

  it('answers retry on HTTP 500', async () => {
    tickets(() => HttpResponse.json({ error: 'InternalServerError' }, { status: 500 }));
    expect(await adapter().send(basic, context())).toMatchObject({ status: 'retry', statusCode: 500 });
  });

  it('answers retry with retryAfterMs 7000 on 429 Retry-After: 7', async () => {
    tickets(() => new HttpResponse('Too Many Requests', { status: 429, headers: { 'Retry-After': '7' } }));
    expect(await adapter().send(basic, context())).toMatchObject({ status: 'retry', statusCode: 429, retryAfterMs: 7000 });
  });

  it('answers permanent on 422 and says which field Zendesk refused', async () => {
    tickets(() =>
      HttpResponse.json(
        { error: 'RecordInvalid', description: 'Record validation errors', details: { priority: [{ description: 'Priority: is not valid', error: 'InvalidValue' }] } },
        { status: 422 },
      ),
    );
    expect(await adapter().send(basic, context())).toEqual({
      status: 'permanent',
      statusCode: 422,
      error: 'zendesk: HTTP 422 RecordInvalid: Record validation errors (Priority: is not valid)',
    });
  });

  it('answers permanent on 401 (wrong e-mail or token)', async () => {
    tickets(() => HttpResponse.json({ error: "Couldn't authenticate you" }, { status: 401 }));
    expect(await adapter().send(basic, context())).toMatchObject({ status: 'permanent', statusCode: 401 });
  });

  it('answers retry on 409 (a conflicting or still-running request)', async () => {
    tickets(() => HttpResponse.json({ error: 'Conflict' }, { status: 409, headers: { 'Retry-After': '2' } }));
    expect(await adapter().send(basic, context())).toMatchObject({ status: 'retry', statusCode: 409, retryAfterMs: 2000 });
  });

  it('answers retry on a network error', async () => {
    tickets(() => HttpResponse.error());
    expect(await adapter().send(basic, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^zendesk: request failed/) });
  });

  it('answers retry without sending when the delivery is already aborted', async () => {
    const seen = tickets(created);
    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(basic, context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'zendesk: aborted' });
    expect(seen).toHaveLength(0);
  });

  it('honours ZENDESK_API_URL', async () => {
    const seen = tickets(created, 'http://zendesk.test/api/v2/tickets.json');
    expect((await adapter({ ...env, ZENDESK_API_URL: 'http://zendesk.test/' }).send(basic, context())).status).toBe('delivered');
    expect(seen[0]!.headers.get('authorization')).toBe(BASIC);
  });

  it('reads ZENDESK_SUBDOMAIN however it is written', () => {
    expect(zendeskBaseUrl({ subdomain: 'acme' })).toBe('https://acme.zendesk.com');
    expect(zendeskBaseUrl({ subdomain: 'acme.zendesk.com' })).toBe('https://acme.zendesk.com');
    expect(zendeskBaseUrl({ subdomain: 'https://acme.zendesk.com/' })).toBe('https://acme.zendesk.com');
    expect(zendeskBaseUrl({ subdomain: 'acme', apiUrl: 'http://127.0.0.1:4010/' })).toBe('http://127.0.0.1:4010');
  });

  it('declares its options: subject and comment required, priority one of four, typos refused', () => {
    expect(zendeskOptions.safeParse(basic).success).toBe(true);
    expect(zendeskOptions.safeParse({ ...basic, requester: { email: '{{ member.email }}' }, tags: ['a'], priority: 'urgent' }).success).toBe(true);
    expect(zendeskOptions.safeParse({ comment: 'x' }).success).toBe(false);
    expect(zendeskOptions.safeParse({ subject: 'x' }).success).toBe(false);
    expect(zendeskOptions.safeParse({ ...basic, priority: 'critical' }).success).toBe(false);
    expect(zendeskOptions.safeParse({ ...basic, prority: 'high' }).success).toBe(false);
    expect(adapter().options).toBe(zendeskOptions);
  });

  it('is disabled until subdomain, e-mail and token are set, and names what is missing', () => {
    expect(connectorStatus(zendesk, {})).toEqual({
      name: 'zendesk',
      title: 'Zendesk',
      directions: ['outbound'], enabled: false,
      missing: ['ZENDESK_SUBDOMAIN', 'ZENDESK_EMAIL', 'ZENDESK_API_TOKEN'],
    });
    expect(connectorStatus(zendesk, { ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'a@b.c' })).toMatchObject({ enabled: false, missing: ['ZENDESK_API_TOKEN'] });
    expect(connectorStatus(zendesk, env)).toMatchObject({ enabled: true, missing: [] });
    expect(zendesk.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['ZENDESK_API_TOKEN']);
  });
});
