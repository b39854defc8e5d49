import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSendgridAdapter } from '../../connectors/sendgrid/adapter.js';
import sendgrid from '../../connectors/sendgrid/index.js';
import { sendgridOptions, type SendgridOptions } from '../../connectors/sendgrid/options.js';
import { connectorStatus } from '../../core/connectors/definition.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';

const API_KEY = 'SG.test-key-never-logged';
const API_URL = 'http://sendgrid.test';
const ENV = { SENDGRID_API_KEY: API_KEY, SENDGRID_FROM: 'Shop Rewards <loyalty@shop.example>', SENDGRID_API_URL: API_URL };

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  contentType: string | null;
  body: unknown;
}

const seen: Seen[] = [];
const server = setupServer();
server.events.on('request:start', ({ request }) => {
  seen.push({ method: request.method, url: request.url, authorization: request.headers.get('authorization'), contentType: request.headers.get('content-type'), body: null });
});

/** Answers POST {base}/v3/mail/send with `reply`, recording each request body in order. */
function mailSend(reply: () => Response, base = API_URL) {
  const bodies: unknown[] = [];
  server.use(
    http.post(`${base}/v3/mail/send`, async ({ request }) => {
      bodies.push(await request.json());
      return reply();
    }),
  );
  return bodies;
}

function context(overrides: Partial<SendContext> = {}): SendContext {
  return {
    idempotencyKey: 'dlv_01HZX:mapping:points-earned#0',
    attempt: 1,
    member: { id: 'mem_1', email: 'ann@example.com', phone: '+14155550100', consentEmail: true, consentSms: true, firstName: 'Ann', lastName: 'Lee' },
    timeZone: 'Europe/Berlin',
    now: Date.UTC(2024, 5, 12, 15, 0),
    signal: new AbortController().signal,
    ...overrides,
  };
}

function adapter(env: Record<string, string | undefined> = ENV) {
  return sendgrid.createAdapter(env) as OutboundAdapter<SendgridOptions>;
}

const templated: SendgridOptions = { templateId: 'd-0123456789abcdef', dynamicTemplateData: { points: 120, tier: 'Silver' }, categories: ['loyalty', 'points-earned'] };

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

describe('sendgrid adapter', () => {
  it('sends a dynamic template to the member: POST /v3/mail/send, Bearer key, exact JSON body', async () => {
    const bodies = mailSend(() => new HttpResponse(null, { status: 202, headers: { 'x-message-id': 'sg-msg-1' } }));
    const outcome = await adapter().send(templated, context());
    expect(outcome).toEqual({ status: 'delivered', statusCode: 202, providerMessageId: 'sg-msg-1' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: `${API_URL}/v3/mail/send`, authorization: `Bearer ${API_KEY}`, contentType: 'application/json' });
    expect(bodies[0]).toEqual({
      from: { email: 'loyalty@shop.example', name: 'Shop Rewards' },
      personalizations: [{ to: [{ email: 'ann@example.com' }], dynamic_template_data: { points: 120, tier: 'Silver' } }],
      template_id: 'd-0123456789abcdef',
      categories: ['loyalty', 'points-earned'],
      custom_args: { idempotency_key: 'dlv_01HZX:mapping:points-earned#0' },
    });
  });

  it('sends subject + html (+ text) to an explicit address', async () => {
    const bodies = mailSend(() => new HttpResponse(null, { status: 202 }));
    const outcome = await adapter().send({ to: 'bo@example.com', subject: 'You earned 120 points', html: '<p>120 points!</p>', text: '120 points!' }, context({ member: null }));
    expect(outcome).toEqual({ status: 'delivered', statusCode: 202 });
    expect(bodies[0]).toEqual({
      from: { email: 'loyalty@shop.example', name: 'Shop Rewards' },
      personalizations: [{ to: [{ email: 'bo@example.com' }] }],
      subject: 'You earned 120 points',
      content: [
        { type: 'text/plain', value: '120 points!' },
        { type: 'text/html', value: '<p>120 points!</p>' },
      ],
      custom_args: { idempotency_key: 'dlv_01HZX:mapping:points-earned#0' },
    });
  });

  it('uses https://api.sendgrid.com when SENDGRID_API_URL is not set, and keeps a path prefix when it is', async () => {
    mailSend(() => new HttpResponse(null, { status: 202 }), 'https://api.sendgrid.com');
    mailSend(() => new HttpResponse(null, { status: 202 }), 'http://proxy.test/sendgrid');
    expect((await adapter({ ...ENV, SENDGRID_API_URL: undefined }).send(templated, context())).status).toBe('delivered');
    expect((await adapter({ ...ENV, SENDGRID_API_URL: 'http://proxy.test/sendgrid/' }).send(templated, context())).status).toBe('delivered');
    expect(seen.map((s) => s.url)).toEqual(['https://api.sendgrid.com/v3/mail/send', 'http://proxy.test/sendgrid/v3/mail/send']);
  });

  it('retries a 500, then delivers with the same idempotency key on every attempt', async () => {
    let calls = 0;
    const bodies = mailSend(() => (++calls === 1 ? HttpResponse.json({ errors: [{ message: 'internal error' }] }, { status: 500 }) : new HttpResponse(null, { status: 202 })));
    const a = adapter();
    const first = await a.send(templated, context({ attempt: 1 }));
    expect(first).toEqual({ status: 'retry', statusCode: 500, error: 'HTTP 500: internal error' });
    expect(await a.send(templated, context({ attempt: 2 }))).toMatchObject({ status: 'delivered', statusCode: 202 });
    expect(bodies).toHaveLength(2);
    expect(bodies.map((b) => (b as { custom_args: unknown }).custom_args)).toEqual([
      { idempotency_key: 'dlv_01HZX:mapping:points-earned#0' },
      { idempotency_key: 'dlv_01HZX:mapping:points-earned#0' },
    ]);
  });

  it('retries a 429 after its Retry-After', async () => {
    mailSend(() => HttpResponse.json({ errors: [{ message: 'too many requests' }] }, { status: 429, headers: { 'Retry-After': '7' } }));
    expect(await adapter().send(templated, context())).toEqual({ status: 'retry', statusCode: 429, retryAfterMs: 7000, error: 'HTTP 429: too many requests' });
  });

  it('treats a 400 as permanent and says what SendGrid objected to', async () => {
    mailSend(() =>
      HttpResponse.json({ errors: [{ message: 'The from address does not match a verified Sender Identity.', field: 'from' }] }, { status: 400 }),
    );
    expect(await adapter().send(templated, context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: 'HTTP 400: from: The from address does not match a verified Sender Identity.',
    });
  });

  it('retries a network error, and never puts the API key in the error', async () => {
    mailSend(() => HttpResponse.error());
    const outcome = await adapter().send(templated, context());
    expect(outcome.status).toBe('retry');
    expect(JSON.stringify(outcome)).not.toContain(API_KEY);
  });

  it('retries when SendGrid does not answer in time, or the dispatcher aborts', async () => {
    server.use(
      http.post(`${API_URL}/v3/mail/send`, async () => {
        await delay(2_000);
        return new HttpResponse(null, { status: 202 });
      }),
    );
    const slow = createSendgridAdapter({ apiKey: API_KEY, from: 'loyalty@shop.example', apiUrl: API_URL, timeoutMs: 50 });
    expect(await slow.send(templated, context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^network error: /) });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 20);
    expect(await adapter().send(templated, context({ signal: stop.signal }))).toEqual({ status: 'retry', error: 'aborted while sending' });
  });

  it('skips a member without e-mail consent, making no request', async () => {
    mailSend(() => new HttpResponse(null, { status: 202 }));
    const noConsent = context({ member: { ...context().member!, consentEmail: false } });
    expect(await adapter().send(templated, noConsent)).toEqual({ status: 'skipped', reason: 'the member has not consented to e-mail' });
    // Writing to the member's address explicitly (as a template renders it) is still the member.
    expect(await adapter().send({ ...templated, to: 'ANN@example.com' }, noConsent)).toMatchObject({ status: 'skipped' });
    expect(seen).toHaveLength(0);
  });

  it('skips when there is no address, making no request', async () => {
    mailSend(() => new HttpResponse(null, { status: 202 }));
    expect(await adapter().send(templated, context({ member: { ...context().member!, email: null } }))).toEqual({ status: 'skipped', reason: 'the member has no e-mail address' });
    // `to: "{{ member.email }}"` renders to '' for a member without one.
    expect(await adapter().send({ ...templated, to: '' }, context({ member: { ...context().member!, email: null } }))).toMatchObject({ status: 'skipped' });
    expect(await adapter().send(templated, context({ member: null }))).toMatchObject({ status: 'skipped' });
    expect(seen).toHaveLength(0);
  });

  it('sends to an explicit internal address whatever the member consented to', async () => {
    const bodies = mailSend(() => new HttpResponse(null, { status: 202 }));
    const noConsent = context({ member: { ...context().member!, consentEmail: false } });
    expect(await adapter().send({ ...templated, to: 'team@shop.example' }, noConsent)).toMatchObject({ status: 'delivered' });
    expect((bodies[0] as { personalizations: unknown }).personalizations).toEqual([{ to: [{ email: 'team@shop.example' }], dynamic_template_data: { points: 120, tier: 'Silver' } }]);
  });

  it('fails permanently on an address that is not one, making no request', async () => {
    mailSend(() => new HttpResponse(null, { status: 202 }));
    expect(await adapter().send({ ...templated, to: 'not an address' }, context())).toMatchObject({ status: 'permanent' });
    expect(seen).toHaveLength(0);
  });
});

describe('sendgrid options', () => {
  const errors = (o: unknown) => sendgridOptions.safeParse(o).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  it('accepts a template or subject + html', () => {
    expect(errors(templated)).toBeUndefined();
    expect(errors({ templateId: 'd-1' })).toBeUndefined();
    expect(errors({ to: '{{ member.email }}', subject: 'Hi', html: '<p>Hi</p>' })).toBeUndefined();
  });

  it('rejects both, neither, half a pair, a legacy template id and unknown fields', () => {
    expect(errors({ templateId: 'd-1', subject: 'Hi' })).toEqual(['subject: give either templateId (with dynamicTemplateData) or subject + html, not both']);
    expect(errors({})).toEqual(['templateId: give either templateId (with dynamicTemplateData) or subject + html']);
    expect(errors({ subject: 'Hi' })).toEqual(['html: html is required with subject']);
    expect(errors({ html: '<p>Hi</p>', dynamicTemplateData: {} })).toEqual(['templateId: dynamicTemplateData needs a templateId', 'subject: subject is required with html']);
    expect(errors({ templateId: '1234' })).toEqual(['templateId: a SendGrid dynamic template id starts with "d-"']);
    expect(errors({ templateId: 'd-1', subjet: 'typo' })?.[0]).toMatch(/subjet/);
  });

  it('describes every option for marketers', () => {
    for (const [key, field] of Object.entries(sendgridOptions.shape)) expect(field.description, key).toBeTruthy();
  });
});

describe('sendgrid connector definition', () => {
  it('is an outbound connector whose secret is the API key', () => {
    expect(sendgrid).toMatchObject({ name: 'sendgrid', directions: ['outbound'] });
    expect(sendgrid.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['SENDGRID_API_KEY']);
  });

  it('reports the missing required variables and builds no adapter without them', () => {
    expect(connectorStatus(sendgrid, {})).toMatchObject({ enabled: false, missing: ['SENDGRID_API_KEY', 'SENDGRID_FROM'] });
    expect(connectorStatus(sendgrid, { SENDGRID_API_KEY: API_KEY })).toMatchObject({ enabled: false, missing: ['SENDGRID_FROM'] });
    expect(() => sendgrid.createAdapter({ SENDGRID_API_KEY: API_KEY })).toThrow('sendgrid: set SENDGRID_FROM');
    expect(connectorStatus(sendgrid, { SENDGRID_API_KEY: API_KEY, SENDGRID_FROM: 'a@b.example' })).toMatchObject({ enabled: true, missing: [] });
    expect(sendgrid.createAdapter({ SENDGRID_API_KEY: API_KEY, SENDGRID_FROM: 'a@b.example' }).name).toBe('sendgrid');
  });
});
