/**
 * The `mailchimp` adapter against msw standing in for the Marketing API (`onUnhandledRequest:
 * 'error'`): every request's method, URL (data centre, audience, subscriber hash), Basic
 * authentication and body, field by field, with Mailchimp's recorded or documented answers
 * (tests/fixtures/platform-samples/mailchimp/README.md); consent; the event de-duplicated by the
 * delivery id on a retry; 429 and 5xx retried, other refusals final with Mailchimp's reason.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { http, HttpResponse, type DefaultBodyType, type StrictRequest } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus } from '../../core/connectors/definition.js';
import { adapterDescriptors } from '../../core/mappings/index.js';
import type { OutboundAdapter, SendContext } from '../../core/outbound/adapter.js';
import mailchimp from '../../connectors/mailchimp/index.js';
import { mailchimpBaseUrl } from '../../connectors/mailchimp/api-url.js';
import { mailchimpOptions, type MailchimpOptions } from '../../connectors/mailchimp/options.js';
import { subscriberHash } from '../../connectors/mailchimp/subscriber-hash.js';

const KEY = '0123456789abcdef0123456789abcdef-us6';
const LIST = 'a1b2c3d4e5';
const API = 'https://us6.api.mailchimp.com/3.0';
const BASIC = `Basic ${Buffer.from(`loyalty-hub:${KEY}`).toString('base64')}`;
const NOW = Date.UTC(2025, 5, 2, 9, 30);
const DELIVERY = 'dlv_01JXMAILCHIMP0000000000001';
const env = { MAILCHIMP_API_KEY: KEY, MAILCHIMP_LIST_ID: LIST };

const ann = { id: 'mem_ann', email: 'Ann.Lee@Example.com', phone: null, consentEmail: true, consentSms: false, firstName: 'Ann', lastName: 'Lee' };
// MD5 of the lower-cased address, as Mailchimp defines the subscriber hash.
const ANN = createHash('md5').update('ann.lee@example.com').digest('hex');
const MEMBER = `${API}/lists/${LIST}/members/${ANN}`;
const EVENTS = `${MEMBER}/events`;
const MERGE_FIELDS = `${API}/lists/${LIST}/merge-fields`;

const sample = (file: string) => JSON.parse(readFileSync(new URL(`../fixtures/platform-samples/mailchimp/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const upserted = () => HttpResponse.json(sample('member-upsert-200.json'));
const problem = (file: string, headers: Record<string, string> = {}) => {
  const body = sample(file);
  return HttpResponse.json(body, { status: body.status as number, headers: { 'content-type': 'application/problem+json; charset=utf-8', ...headers } });
};
const noContent = () => new HttpResponse(null, { status: 204 });

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Captured {
  method: string;
  url: string;
  authorization: string | null;
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
    contentType: request.headers.get('content-type'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
  });
}

/** Mailchimp with the merge fields already there (400 on create) and these answers. */
function mailchimpWith(answers: { put?: () => Response; patch?: () => Response; event?: () => Response; events?: () => Response; mergeField?: () => Response } = {}) {
  const route = (answer: () => Response) => async ({ request }: { request: StrictRequest<DefaultBodyType> }) => {
    await capture(request);
    return answer();
  };
  server.use(
    http.post(MERGE_FIELDS, route(answers.mergeField ?? (() => problem('merge-fields-invalid-400.json')))),
    http.put(MEMBER, route(answers.put ?? upserted)),
    http.patch(MEMBER, route(answers.patch ?? upserted)),
    http.post(EVENTS, route(answers.event ?? noContent)),
    http.get(EVENTS, route(answers.events ?? (() => HttpResponse.json({ events: [], total_items: 0 })))),
  );
}

function context(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: DELIVERY, attempt: 1, member: ann, timeZone: 'UTC', now: NOW, signal: new AbortController().signal, ...overrides };
}

function adapter(e: Record<string, string | undefined> = env): OutboundAdapter<MailchimpOptions> {
  return mailchimp.createAdapter(e) as OutboundAdapter<MailchimpOptions>;
}

const opts = (input: Record<string, unknown>): MailchimpOptions => mailchimpOptions.parse(input);
const points = opts({ mergeFields: { POINTS: '1250' } });
const tierUp = opts({ mergeFields: { TIER: 'Gold' }, event: { name: 'tier_upgraded', properties: { tier: 'Gold', previous_tier: 'Silver' } } });
const withoutMergeFields = (r: Captured) => r.url !== MERGE_FIELDS;

describe('mailchimp adapter: the requests', () => {
  it('points: creates the POINTS merge field once, then upserts the member by subscriber hash with status_if_new subscribed', async () => {
    server.use(
      http.post(MERGE_FIELDS, async ({ request }) => {
        await capture(request);
        return HttpResponse.json({ merge_id: 7, tag: 'POINTS', name: 'Loyalty points', type: 'number', list_id: LIST });
      }),
      http.put(MEMBER, async ({ request }) => {
        await capture(request);
        return upserted();
      }),
    );
    const hub = adapter();
    expect(await hub.send(points, context())).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: ANN });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: MERGE_FIELDS,
        authorization: BASIC,
        contentType: 'application/json',
        body: { tag: 'POINTS', name: 'Loyalty points', type: 'number', public: false, required: false },
      },
      {
        method: 'PUT',
        url: MEMBER,
        authorization: BASIC,
        contentType: 'application/json',
        body: { email_address: 'Ann.Lee@Example.com', status_if_new: 'subscribed', merge_fields: { POINTS: 1250 } },
      },
    ]);

    // Once per process: the next send is the upsert alone.
    seen.length = 0;
    await hub.send(opts({ mergeFields: { POINTS: '1300' } }), context());
    expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([['PUT', MEMBER, { email_address: 'Ann.Lee@Example.com', status_if_new: 'subscribed', merge_fields: { POINTS: 1300 } }]]);
  });

  it('tier: upserts TIER, then records the member event with its properties and the delivery id', async () => {
    mailchimpWith();
    expect(await adapter().send(tierUp, context())).toEqual({ status: 'delivered', statusCode: 204, providerMessageId: ANN });
    expect(seen).toEqual([
      { method: 'POST', url: MERGE_FIELDS, authorization: BASIC, contentType: 'application/json', body: { tag: 'TIER', name: 'Loyalty tier', type: 'text', public: false, required: false } },
      { method: 'PUT', url: MEMBER, authorization: BASIC, contentType: 'application/json', body: { email_address: 'Ann.Lee@Example.com', status_if_new: 'subscribed', merge_fields: { TIER: 'Gold' } } },
      {
        method: 'POST',
        url: EVENTS,
        authorization: BASIC,
        contentType: 'application/json',
        body: { name: 'tier_upgraded', properties: { tier: 'Gold', previous_tier: 'Silver', delivery_id: DELIVERY } },
      },
    ]);
  });

  it('an event alone still upserts the member first (a journey needs the contact), with no merge_fields', async () => {
    mailchimpWith();
    await adapter().send(opts({ event: { name: 'points_threshold_1000' } }), context());
    expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ['PUT', MEMBER, { email_address: 'Ann.Lee@Example.com', status_if_new: 'subscribed' }],
      ['POST', EVENTS, { name: 'points_threshold_1000', properties: { delivery_id: DELIVERY } }],
    ]);
  });

  it('leaves out a merge field that rendered empty, and writes nothing when all did', async () => {
    mailchimpWith();
    await adapter().send(opts({ mergeFields: { POINTS: ' 80 ', TIER: '' } }), context());
    expect(seen.filter(withoutMergeFields).map((r) => r.body)).toEqual([{ email_address: 'Ann.Lee@Example.com', status_if_new: 'subscribed', merge_fields: { POINTS: 80 } }]);
    seen.length = 0;
    expect(await adapter().send(opts({ mergeFields: { TIER: ' ' } }), context())).toEqual({ status: 'skipped', reason: 'mailchimp: every merge field rendered empty; nothing to write' });
    expect(seen).toEqual([]);
  });

  it('writes a merge tag the merchant created without trying to create it', async () => {
    mailchimpWith();
    await adapter().send(opts({ mergeFields: { LTY_SINCE: '2025-06-02' } }), context());
    expect(seen.map((r) => [r.method, r.url])).toEqual([['PUT', MEMBER]]);
  });

  it('calls the data centre of the key, or MAILCHIMP_API_URL', async () => {
    expect(mailchimpBaseUrl(KEY, undefined)).toEqual({ url: 'https://us6.api.mailchimp.com/3.0' });
    expect(mailchimpBaseUrl('abc-us21', undefined)).toEqual({ url: 'https://us21.api.mailchimp.com/3.0' });
    expect(mailchimpBaseUrl('no-suffix', 'http://mailchimp.test/3.0/')).toEqual({ url: 'http://mailchimp.test/3.0' });
    server.use(
      http.put(`http://mailchimp.test/3.0/lists/${LIST}/members/${ANN}`, async ({ request }) => {
        await capture(request);
        return upserted();
      }),
    );
    const proxied = adapter({ ...env, MAILCHIMP_API_KEY: 'plainkey', MAILCHIMP_API_URL: 'http://mailchimp.test/3.0' });
    expect(await proxied.send(opts({ mergeFields: { LTY_NOTE: 'x' } }), context())).toMatchObject({ status: 'delivered' });
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('loyalty-hub:plainkey').toString('base64')}`);
  });

  it('the subscriber hash is the MD5 of the trimmed, lower-cased address', () => {
    expect(subscriberHash(' Ann.Lee@Example.com ')).toBe(ANN);
  });
});

describe('mailchimp adapter: consent and the member', () => {
  const bo = { ...ann, email: 'bo@example.com', consentEmail: false };
  const BO = `${API}/lists/${LIST}/members/${subscriberHash('bo@example.com')}`;

  it('never adds a member without e-mail consent: merge fields by PATCH (update only), no event', async () => {
    server.use(
      http.post(MERGE_FIELDS, () => problem('merge-fields-invalid-400.json')),
      http.patch(BO, async ({ request }) => {
        await capture(request);
        return upserted();
      }),
    );
    expect(await adapter().send(tierUp, context({ member: bo }))).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: subscriberHash('bo@example.com') });
    expect(seen).toEqual([{ method: 'PATCH', url: BO, authorization: BASIC, contentType: 'application/json', body: { merge_fields: { TIER: 'Gold' } } }]);
  });

  it('skips a non-consenting member Mailchimp does not have (404), and an event-only send for them without calling', async () => {
    server.use(
      http.post(MERGE_FIELDS, () => problem('merge-fields-invalid-400.json')),
      http.patch(BO, async ({ request }) => {
        await capture(request);
        return problem('resource-not-found-404.json');
      }),
    );
    expect(await adapter().send(points, context({ member: bo }))).toEqual({
      status: 'skipped',
      reason: 'mailchimp: the member is not in the audience and has not consented to e-mail, so they are not added',
    });
    seen.length = 0;
    expect(await adapter().send(opts({ event: { name: 'tier_upgraded' } }), context({ member: bo }))).toEqual({
      status: 'skipped',
      reason: 'mailchimp: the member has not consented to e-mail, so no event is recorded',
    });
    expect(seen).toEqual([]);
  });

  it('skips a member without an e-mail address, and an event about no member', async () => {
    expect(await adapter().send(points, context({ member: { ...ann, email: null } }))).toEqual({ status: 'skipped', reason: 'mailchimp: the member has no e-mail address' });
    expect(await adapter().send(points, context({ member: null }))).toEqual({ status: 'skipped', reason: 'mailchimp: the event is about no member' });
  });
});

describe('mailchimp adapter: at most one event per delivery', () => {
  const event = opts({ event: { name: 'tier_upgraded', properties: { tier: 'Gold' } } });

  it('on a retry, finds the event an earlier attempt recorded (its delivery_id) and records nothing new', async () => {
    mailchimpWith({ events: () => HttpResponse.json(sample('member-events-200.json')) });
    expect(await adapter().send(event, context({ attempt: 2 }))).toEqual({ status: 'delivered', statusCode: 200, providerMessageId: ANN });
    expect(seen.map((r) => [r.method, r.url])).toEqual([
      ['PUT', MEMBER],
      ['GET', `${EVENTS}?count=1000`],
    ]);
  });

  it('on a retry whose event is not there, records it; the first attempt does not look', async () => {
    mailchimpWith();
    await adapter().send(event, context({ attempt: 2, idempotencyKey: 'dlv_other' }));
    expect(seen.map((r) => [r.method, r.url])).toEqual([
      ['PUT', MEMBER],
      ['GET', `${EVENTS}?count=1000`],
      ['POST', EVENTS],
    ]);
    seen.length = 0;
    await adapter().send(event, context());
    expect(seen.map((r) => r.method)).toEqual(['PUT', 'POST']);
  });
});

describe('mailchimp adapter: retries and refusals', () => {
  it('answers a 429 with retry after Retry-After, and defers every send until then without calling Mailchimp', async () => {
    mailchimpWith({ put: () => problem('too-many-requests-429.json', { 'retry-after': '7' }) });
    const hub = adapter();
    expect(await hub.send(points, context())).toEqual({
      status: 'retry',
      statusCode: 429,
      retryAfterMs: 7000,
      error: 'mailchimp: member upsert: HTTP 429 Too Many Requests: You have exceeded the limit of 10 simultaneous connections.',
    });
    seen.length = 0;
    expect(await hub.send(points, context({ now: NOW + 3000 }))).toEqual({
      status: 'deferred',
      until: NOW + 7000,
      reason: 'mailchimp: Mailchimp answered 429 Too Many Requests',
    });
    expect(seen).toEqual([]);
  });

  it('is final on a 400, with Mailchimp\'s title, detail and field errors', async () => {
    mailchimpWith({ put: () => problem('merge-fields-invalid-400.json') });
    expect(await adapter().send(points, context())).toEqual({
      status: 'permanent',
      statusCode: 400,
      error: 'mailchimp: member upsert: HTTP 400 Invalid Resource: Your merge fields were invalid. (LTV: Please enter a number)',
    });
  });

  it('masks an address Mailchimp repeats in its reason', async () => {
    mailchimpWith({
      put: () =>
        HttpResponse.json(
          { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title: 'Invalid Resource', status: 400, detail: 'ann.lee@example.com looks fake or invalid, please enter a real email address.', instance: 'x' },
          { status: 400 },
        ),
    });
    const outcome = await adapter().send(points, context());
    expect(outcome).toMatchObject({ status: 'permanent', error: 'mailchimp: member upsert: HTTP 400 Invalid Resource: a***@e***.com looks fake or invalid, please enter a real email address.' });
  });

  it('says which variable to check on a 401 and on an unknown audience (404)', async () => {
    mailchimpWith({ put: () => HttpResponse.json({ title: 'API Key Invalid', status: 401, detail: 'Your API key may be invalid, or you\'ve attempted to access the wrong datacenter.' }, { status: 401 }) });
    expect(await adapter().send(points, context())).toMatchObject({ status: 'permanent', statusCode: 401, error: expect.stringMatching(/API Key Invalid.*MAILCHIMP_API_KEY/) });
    server.resetHandlers();
    mailchimpWith({ put: () => problem('resource-not-found-404.json') });
    expect(await adapter().send(points, context())).toMatchObject({ status: 'permanent', statusCode: 404, error: expect.stringMatching(/Resource Not Found.*MAILCHIMP_LIST_ID/) });
  });

  it.each([500, 502, 503])('answers HTTP %i with retry (honouring Retry-After)', async (status) => {
    mailchimpWith({ event: () => HttpResponse.json({ title: 'Internal Server Error', status, detail: 'An unexpected internal error has occurred.' }, { status, headers: { 'retry-after': '30' } }) });
    expect(await adapter().send(tierUp, context())).toEqual({
      status: 'retry',
      statusCode: status,
      retryAfterMs: 30_000,
      error: `mailchimp: event tier_upgraded: HTTP ${status} Internal Server Error: An unexpected internal error has occurred.`,
    });
  });

  it('retries the send when creating a merge field meets a 5xx, and creates it on the next send', async () => {
    let answers = [() => new HttpResponse('<html>Bad gateway</html>', { status: 502 }), () => HttpResponse.json({ tag: 'POINTS' })];
    mailchimpWith();
    server.use(
      http.post(MERGE_FIELDS, async ({ request }) => {
        await capture(request);
        const [next, ...rest] = answers;
        answers = rest.length ? rest : answers;
        return next!();
      }),
    );
    const hub = adapter();
    expect(await hub.send(points, context())).toMatchObject({ status: 'retry', statusCode: 502, error: 'mailchimp: creating merge fields: HTTP 502' });
    expect(seen.map((r) => r.url)).toEqual([MERGE_FIELDS]);
    seen.length = 0;
    expect(await hub.send(points, context())).toMatchObject({ status: 'delivered' });
    expect(seen.map((r) => r.method)).toEqual(['POST', 'PUT']);
  });

  it('retries when Mailchimp cannot be reached, and when the delivery\'s time is up', async () => {
    mailchimpWith({ put: () => HttpResponse.error() });
    expect(await adapter().send(opts({ mergeFields: { LTY_NOTE: 'x' } }), context())).toMatchObject({ status: 'retry', error: expect.stringMatching(/^mailchimp: member upsert: request to Mailchimp failed/) });
    const controller = new AbortController();
    controller.abort();
    expect(await adapter().send(points, context({ signal: controller.signal }))).toEqual({ status: 'retry', error: 'mailchimp: aborted' });
  });

  it('keeps at most 10 sends in flight (Mailchimp\'s simultaneous connections), deferring the eleventh', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    mailchimpWith({ put: () => upserted() });
    server.use(
      http.put(MEMBER, async () => {
        await gate;
        return upserted();
      }),
    );
    const hub = adapter();
    const field = opts({ mergeFields: { LTY_NOTE: 'x' } });
    const running = Array.from({ length: 10 }, () => hub.send(field, context()));
    await new Promise((r) => setTimeout(r, 50));
    expect(await hub.send(field, context())).toEqual({ status: 'deferred', until: NOW + 1000, reason: 'mailchimp: Mailchimp allows 10 simultaneous connections' });
    release();
    expect((await Promise.all(running)).map((o) => o.status)).toEqual(Array(10).fill('delivered'));
  });
});

describe('mailchimp: configuration and options', () => {
  it('is disabled until the key and the audience are set; a key without its data centre and no MAILCHIMP_API_URL is refused with a reason', () => {
    expect(connectorStatus(mailchimp, {})).toMatchObject({ enabled: false, missing: ['MAILCHIMP_API_KEY', 'MAILCHIMP_LIST_ID'] });
    expect(connectorStatus(mailchimp, env)).toMatchObject({ enabled: true, missing: [] });
    expect(mailchimp.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['MAILCHIMP_API_KEY']);
    expect(() => adapter({ ...env, MAILCHIMP_API_KEY: '0123456789abcdef' })).toThrow(/MAILCHIMP_API_KEY does not end with its data centre/);
    expect(() => adapter({ ...env, MAILCHIMP_API_KEY: '0123456789abcdef' })).not.toThrow(/0123456789abcdef/);
  });

  it('refuses what Mailchimp would refuse: an event name outside 2–30 of [A-Za-z0-9_-], a bad merge tag, POINTS not a number, nothing to do', () => {
    const ok = (o: unknown) => mailchimpOptions.safeParse(o).success;
    expect(ok({ mergeFields: { POINTS: '1250', TIER: 'Gold' }, event: { name: 'tier-upgraded_2', properties: { tier: 'Gold' } } })).toBe(true);
    expect(ok({ event: { name: 'ab' } })).toBe(true);
    expect(ok({ event: { name: 'a' } })).toBe(false);
    expect(ok({ event: { name: 'x'.repeat(31) } })).toBe(false);
    expect(ok({ event: { name: 'tier upgraded' } })).toBe(false);
    expect(ok({ event: { name: 'tier.upgraded' } })).toBe(false);
    expect(ok({ mergeFields: { points: '1' } })).toBe(false);
    expect(ok({ mergeFields: { LOYALTYPOINTS: '1' } })).toBe(false);
    expect(ok({ mergeFields: { POINTS: '1,250' } })).toBe(false);
    expect(ok({ mergeFields: {} })).toBe(false);
    expect(ok({})).toBe(false);
    expect(ok({ event: { name: 'tier_upgraded', properties: { delivery_id: 'x' } } })).toBe(false);
    expect(ok({ mergefields: { POINTS: '1' } })).toBe(false);
  });

  it('is described without secrets, as mappings check does', () => {
    const { adapters, unavailable } = adapterDescriptors([mailchimp], {});
    expect(unavailable).toEqual([]);
    expect(adapters.get('mailchimp')?.options).toBe(mailchimpOptions);
  });
});
