import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioAdapter } from '../../connectors/twilio/adapter.js';
import twilio from '../../connectors/twilio/index.js';
import { twilioOptions, type TwilioOptions } from '../../connectors/twilio/options.js';
import { instantOf, quietUntil } from '../../connectors/twilio/quiet-hours.js';
import { connectorStatus } from '../../core/connectors/definition.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';

const SID = 'AC00000000000000000000000000000001';
const TOKEN = 'auth-token-never-logged';
const API_URL = 'http://twilio.test';
const ENV = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: '+15005550006', TWILIO_API_URL: API_URL };
const MESSAGES = `/2010-04-01/Accounts/${SID}/Messages.json`;
const BASIC = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
const KEY = 'dlv_01HZX:mapping:tier-upgrade-sms#1';

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  contentType: string | null;
  idempotencyToken: string | null;
  form: Record<string, string>;
}

let requests = 0;
const server = setupServer();
server.events.on('request:start', () => {
  requests++;
});

/** Answers POST {base}/2010-04-01/Accounts/{Sid}/Messages.json with `reply`, recording each request. */
function messages(reply: () => Response, base = API_URL) {
  const seen: Seen[] = [];
  server.use(
    http.post(`${base}${MESSAGES}`, async ({ request }) => {
      seen.push({
        method: request.method,
        url: request.url,
        authorization: request.headers.get('authorization'),
        contentType: request.headers.get('content-type'),
        idempotencyToken: request.headers.get('i-twilio-idempotency-token'),
        form: Object.fromEntries(new URLSearchParams(await request.text())),
      });
      return reply();
    }),
  );
  return seen;
}

const created = () => HttpResponse.json({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }, { status: 201 });

/** 15:00 UTC on a June Wednesday: 17:00 in Berlin, 11:00 in New York — daytime in both. */
const DAYTIME = Date.UTC(2024, 5, 12, 15, 0);

function context(overrides: Partial<SendContext> = {}): SendContext {
  return {
    idempotencyKey: KEY,
    attempt: 1,
    member: { id: 'mem_1', email: 'ann@example.com', phone: '+14155550100', consentEmail: true, consentSms: true, firstName: 'Ann', lastName: 'Lee' },
    timeZone: 'America/New_York',
    now: DAYTIME,
    signal: new AbortController().signal,
    ...overrides,
  };
}

const member = context().member!;

function adapter(env: Record<string, string | undefined> = ENV) {
  return twilio.createAdapter(env) as OutboundAdapter<TwilioOptions>;
}

const sms: TwilioOptions = { body: 'You are Gold now, Ann!' };

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  requests = 0;
});
afterAll(() => server.close());

describe('twilio adapter', () => {
  it('texts the member: POST Messages.json, Basic auth, form To/From/Body, idempotency token header', async () => {
    const seen = messages(created);
    expect(await adapter().send(sms, context())).toEqual({ status: 'delivered', statusCode: 201, providerMessageId: 'SM0123456789abcdef0123456789abcdef' });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: `${API_URL}${MESSAGES}`,
        authorization: BASIC,
        contentType: 'application/x-www-form-urlencoded',
        idempotencyToken: KEY,
        form: { To: '+14155550100', From: '+15005550006', Body: 'You are Gold now, Ann!' },
      },
    ]);
  });

  it('uses https://api.twilio.com when TWILIO_API_URL is not set, and keeps a path prefix when it is', async () => {
    const real = messages(created, 'https://api.twilio.com');
    const proxied = messages(created, 'http://proxy.test/twilio');
    expect((await adapter({ ...ENV, TWILIO_API_URL: undefined }).send(sms, context())).status).toBe('delivered');
    expect((await adapter({ ...ENV, TWILIO_API_URL: 'http://proxy.test/twilio/' }).send(sms, context())).status).toBe('delivered');
    expect(real.map((s) => s.url)).toEqual([`https://api.twilio.com${MESSAGES}`]);
    expect(proxied.map((s) => s.url)).toEqual([`http://proxy.test/twilio${MESSAGES}`]);
  });

  it('retries a 500, then delivers, with the same idempotency token on every attempt', async () => {
    let calls = 0;
    const seen = messages(() => (++calls === 1 ? HttpResponse.json({ code: 20500, message: 'Internal Server Error', status: 500 }, { status: 500 }) : created()));
    const a = adapter();
    expect(await a.send(sms, context({ attempt: 1 }))).toEqual({ status: 'retry', statusCode: 500, error: 'HTTP 500: Twilio 20500 Internal Server Error' });
    expect(await a.send(sms, context({ attempt: 2 }))).toMatchObject({ status: 'delivered', statusCode: 201 });
    expect(seen.map((s) => s.idempotencyToken)).toEqual([KEY, KEY]);
  });

  it('retries a 429 after its Retry-After', async () => {
    messages(() => HttpResponse.json({ code: 20429, message: 'Too Many Requests', status: 429 }, { status: 429, headers: { 'Retry-After': '7' } }));
    expect(await adapter().send(sms, context())).toEqual({ status: 'retry', statusCode: 429, retryAfterMs: 7000, error: 'HTTP 429: Twilio 20429 Too Many Requests' });
  });

  it('treats a 400 as permanent and says what Twilio objected to', async () => {
    messages(() => HttpResponse.json({ code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 }, { status: 400 }));
    expect(await adapter().send(sms, context())).toEqual({ status: 'permanent', statusCode: 400, error: 'HTTP 400: Twilio 21610 Attempt to send to unsubscribed recipient' });
  });

  it('retries a network error, and never puts the auth token in the error', async () => {
    messages(() => HttpResponse.error());
    const outcome = await adapter().send(sms, context());
    expect(outcome.status).toBe('retry');
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
    expect(JSON.stringify(outcome)).not.toContain(BASIC.slice(6));
  });

  it('retries when Twilio does not answer in time, or the dispatcher aborts', async () => {
    server.use(
      http.post(`${API_URL}${MESSAGES}`, async () => {
        await delay(2_000);
        return created();
      }),
    );
    const slow = createTwilioAdapter({ accountSid: SID, authToken: TOKEN, from: '+15005550006', apiUrl: API_URL, timeoutMs: 50 });
    expect(await slow.send(sms, context())).toEqual({ status: 'retry', error: 'no answer within 50 ms' });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 20);
    expect(await adapter().send(sms, context({ signal: stop.signal }))).toEqual({ status: 'retry', error: 'aborted while sending' });
  });

  it('skips a member without SMS consent, making no request', async () => {
    messages(created);
    const noConsent = context({ member: { ...member, consentSms: false } });
    expect(await adapter().send(sms, noConsent)).toEqual({ status: 'skipped', reason: 'the member has not consented to SMS' });
    // The member's own number written out (as `{{ member.phone }}` renders it) is still the member.
    expect(await adapter().send({ ...sms, to: '+1 415-555-0100' }, noConsent)).toMatchObject({ status: 'skipped' });
    expect(requests).toBe(0);
  });

  it('skips when there is no number, making no request', async () => {
    messages(created);
    expect(await adapter().send(sms, context({ member: { ...member, phone: null } }))).toEqual({ status: 'skipped', reason: 'the member has no phone number' });
    expect(await adapter().send({ ...sms, to: '' }, context({ member: { ...member, phone: null } }))).toMatchObject({ status: 'skipped' });
    expect(await adapter().send(sms, context({ member: null }))).toMatchObject({ status: 'skipped' });
    expect(requests).toBe(0);
  });

  it('texts an explicit staff number whatever the member consented to', async () => {
    const seen = messages(created);
    expect(await adapter().send({ ...sms, to: '+4915112345678' }, context({ member: { ...member, consentSms: false } }))).toMatchObject({ status: 'delivered' });
    expect(seen[0]!.form.To).toBe('+4915112345678');
  });

  it('fails permanently on a number that is not E.164 (to or from), making no request', async () => {
    messages(created);
    for (const to of ['4155550100', '(415) 555-0100', '+0415550100', '+1415555010012345', 'ann@example.com']) {
      expect(await adapter().send({ ...sms, to }, context()), to).toMatchObject({ status: 'permanent' });
    }
    expect(await adapter().send(sms, context({ member: { ...member, phone: '415 555 0100' } }))).toMatchObject({ status: 'permanent' });
    expect(await adapter({ ...ENV, TWILIO_FROM: '5005550006' }).send(sms, context())).toEqual({
      status: 'permanent',
      error: 'TWILIO_FROM is not an E.164 phone number (e.g. +14155550100)',
    });
    expect(requests).toBe(0);
  });

  it('accepts E.164 written with spaces and dashes, and sends it compact', async () => {
    const seen = messages(created);
    expect(await adapter().send(sms, context({ member: { ...member, phone: '+1 (415) 555-0100' } }))).toMatchObject({ status: 'delivered' });
    expect(seen[0]!.form.To).toBe('+14155550100');
  });

  describe('quiet hours', () => {
    it('defers a text at 22:00 in New York until 08:00 local, across the spring DST change, making no request', async () => {
      messages(created);
      // Sat 9 March 2024, 22:00 EST; clocks spring forward that night, so 08:00 Sunday is EDT (UTC-4).
      const outcome = await adapter().send(sms, context({ now: Date.UTC(2024, 2, 10, 3, 0) }));
      expect(outcome).toMatchObject({ status: 'deferred', until: Date.UTC(2024, 2, 10, 12, 0) });
      expect(requests).toBe(0);
    });

    it('defers a text at 06:00 to 08:00 the same morning', async () => {
      messages(created);
      // Mon 11 March 2024, 06:00 EDT.
      expect(await adapter().send(sms, context({ now: Date.UTC(2024, 2, 11, 10, 0) }))).toMatchObject({ status: 'deferred', until: Date.UTC(2024, 2, 11, 12, 0) });
      expect(requests).toBe(0);
    });

    it('defers in Berlin across the autumn DST change (08:00 CET = 07:00Z)', async () => {
      // Sat 26 October 2024, 22:00 CEST; clocks fall back that night.
      expect(await adapter().send(sms, context({ timeZone: 'Europe/Berlin', now: Date.UTC(2024, 9, 26, 20, 0) }))).toMatchObject({
        status: 'deferred',
        until: Date.UTC(2024, 9, 27, 7, 0),
      });
      // Sat 30 March 2024, 23:30 CET; clocks spring forward that night: 08:00 CEST = 06:00Z.
      expect(await adapter().send(sms, context({ timeZone: 'Europe/Berlin', now: Date.UTC(2024, 2, 30, 22, 30) }))).toMatchObject({
        status: 'deferred',
        until: Date.UTC(2024, 2, 31, 6, 0),
      });
      expect(requests).toBe(0);
    });

    it('sends from 08:00 on and holds from 21:00 on (the window is [start, end))', async () => {
      messages(created);
      // 12 June 2024 in New York is EDT (UTC-4).
      expect((await adapter().send(sms, context({ now: Date.UTC(2024, 5, 12, 12, 0) }))).status).toBe('delivered'); // 08:00
      expect((await adapter().send(sms, context({ now: Date.UTC(2024, 5, 12, 11, 59, 59) }))).status).toBe('deferred'); // 07:59:59
      expect((await adapter().send(sms, context({ now: Date.UTC(2024, 5, 13, 0, 59, 59) }))).status).toBe('delivered'); // 20:59:59
      expect(await adapter().send(sms, context({ now: Date.UTC(2024, 5, 13, 1, 0) }))).toMatchObject({ status: 'deferred', until: Date.UTC(2024, 5, 13, 12, 0) }); // 21:00
    });

    it('honours a mapping override, and equal start and end mean none', async () => {
      messages(created);
      const at2130 = context({ now: Date.UTC(2024, 5, 13, 1, 30) }); // 21:30 EDT
      expect((await adapter().send({ ...sms, quietHours: { start: '22:00', end: '07:30' } }, at2130)).status).toBe('delivered');
      expect(await adapter().send({ ...sms, quietHours: { start: '20:00', end: '07:30' } }, at2130)).toMatchObject({ status: 'deferred', until: Date.UTC(2024, 5, 13, 11, 30) });
      expect((await adapter().send({ ...sms, quietHours: { start: '00:00', end: '00:00' } }, at2130)).status).toBe('delivered');
      // A daytime window (lunch): 12:30 EDT is inside 12:00–14:00, resumes at 14:00 EDT.
      expect(await adapter().send({ ...sms, quietHours: { start: '12:00', end: '14:00' } }, context({ now: Date.UTC(2024, 5, 12, 16, 30) }))).toMatchObject({
        status: 'deferred',
        until: Date.UTC(2024, 5, 12, 18, 0),
      });
    });

    it('fails permanently on an unknown time zone', async () => {
      expect(await adapter().send(sms, context({ timeZone: 'Mars/Olympus_Mons' }))).toMatchObject({ status: 'permanent' });
      expect(requests).toBe(0);
    });
  });
});

describe('quiet hours arithmetic', () => {
  it('turns local wall-clock times into instants, DST gaps and overlaps included', () => {
    expect(instantOf(2024, 1, 15, 8, 0, 'America/New_York')).toBe(Date.UTC(2024, 0, 15, 13, 0));
    expect(instantOf(2024, 7, 15, 8, 0, 'America/New_York')).toBe(Date.UTC(2024, 6, 15, 12, 0));
    // 02:30 does not exist on 10 March 2024 in New York: the instant an hour on, 03:30 EDT.
    expect(instantOf(2024, 3, 10, 2, 30, 'America/New_York')).toBe(Date.UTC(2024, 2, 10, 7, 30));
    // 01:30 happens twice on 3 November 2024 in New York: the first one, EDT.
    expect(instantOf(2024, 11, 3, 1, 30, 'America/New_York')).toBe(Date.UTC(2024, 10, 3, 5, 30));
    // Day overflow rolls into the next month.
    expect(instantOf(2024, 6, 31, 8, 0, 'Europe/Berlin')).toBe(Date.UTC(2024, 6, 1, 6, 0));
    expect(instantOf(2024, 6, 1, 8, 0, 'Asia/Kolkata')).toBe(Date.UTC(2024, 5, 1, 2, 30));
  });

  it('ends a window whose end falls in a DST gap or overlap after now', () => {
    // 00:00 EST on 10 March 2024, window 23:00–02:30: 02:30 is skipped, resume at 03:30 EDT.
    expect(quietUntil(Date.UTC(2024, 2, 10, 5, 0), 'America/New_York', { start: '23:00', end: '02:30' })).toBe(Date.UTC(2024, 2, 10, 7, 30));
    // 00:00 EDT on 3 November 2024, window 23:00–01:30: the first 01:30.
    expect(quietUntil(Date.UTC(2024, 10, 3, 4, 0), 'America/New_York', { start: '23:00', end: '01:30' })).toBe(Date.UTC(2024, 10, 3, 5, 30));
    expect(quietUntil(Date.UTC(2024, 5, 12, 15, 0), 'UTC', { start: '21:00', end: '08:00' })).toBeNull();
  });
});

describe('twilio options', () => {
  const errors = (o: unknown) => twilioOptions.safeParse(o).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  it('needs a body, takes HH:MM quiet hours and rejects unknown fields', () => {
    expect(errors({ body: 'Hi {{ member.firstName }}', to: '{{ member.phone }}', quietHours: { start: '21:30', end: '07:00' } })).toBeUndefined();
    expect(errors({})).toEqual(['body: Invalid input: expected string, received undefined']);
    expect(errors({ body: 'Hi', quietHours: { start: '9pm', end: '24:00' } })).toEqual([
      'quietHours.start: a local time as HH:MM, e.g. 21:00',
      'quietHours.end: a local time as HH:MM, e.g. 21:00',
    ]);
    expect(errors({ body: 'Hi', text: 'typo' })?.[0]).toMatch(/text/);
  });

  it('describes every option for marketers', () => {
    for (const [key, field] of Object.entries(twilioOptions.shape)) expect(field.description, key).toBeTruthy();
  });
});

describe('twilio connector definition', () => {
  it('is an outbound connector whose secret is the auth token', () => {
    expect(twilio).toMatchObject({ name: 'twilio', directions: ['outbound'] });
    expect(twilio.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['TWILIO_AUTH_TOKEN']);
  });

  it('reports the missing required variables and builds no adapter without them', () => {
    expect(connectorStatus(twilio, {})).toMatchObject({ enabled: false, missing: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] });
    expect(connectorStatus(twilio, { TWILIO_ACCOUNT_SID: SID, TWILIO_FROM: '+15005550006' })).toMatchObject({ enabled: false, missing: ['TWILIO_AUTH_TOKEN'] });
    expect(() => twilio.createAdapter({ TWILIO_ACCOUNT_SID: SID, TWILIO_FROM: '+15005550006' })).toThrow('twilio: set TWILIO_AUTH_TOKEN');
    expect(connectorStatus(twilio, { ...ENV, TWILIO_API_URL: undefined })).toMatchObject({ enabled: true, missing: [] });
    expect(twilio.createAdapter({ ...ENV, TWILIO_API_URL: undefined }).name).toBe('twilio');
  });
});
