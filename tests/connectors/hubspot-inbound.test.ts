/**
 * The HubSpot inbound handler on its own: signatures checked against HubSpot's published vectors
 * and the SDK's own formula, the clock injected for the 5-minute window; webhook batches and
 * workflow action requests read into trigger events; the contact look-up through msw.
 */
import { identifyTrigger } from '../../core/triggers/order-identity.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Signature } from '@hubspot/api-client';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus, InboundPayloadError, type InboundHandler, type InboundRequest, type NormalizeResult } from '../../core/connectors/definition.js';
import { silentLogger } from '../../core/observability/logger.js';
import type { TriggerEvent } from '../../core/triggers/trigger-event.js';
import hubspot from '../../connectors/hubspot/index.js';
import { parseActivityProperties } from '../../connectors/hubspot/events.js';
import { createHubSpotInbound } from '../../connectors/hubspot/inbound.js';
import { signatureV2, signatureV3, v3SignedUri } from '../../connectors/hubspot/signature.js';
import { inboundServices } from '../helpers/inbound-services.js';

const SAMPLES = fileURLToPath(new URL('../fixtures/platform-samples/hubspot/', import.meta.url));
const read = (name: string) => readFileSync(`${SAMPLES}${name}`, 'utf8');

interface Vector {
  signatureVersion: 'v1' | 'v2' | 'v3';
  method?: string;
  url?: string;
  requestBody: string;
  timestamp?: number;
  signature: string;
}
const VECTORS = JSON.parse(read('signed_vectors.json')) as { clientSecret: string; vectors: Vector[] };
const vector = (version: Vector['signatureVersion'], withBody = true) => VECTORS.vectors.find((v) => v.signatureVersion === version && (v.requestBody !== '') === withBody)!;
/** The fixture's exact bytes, without the final newline the README says was added. */
const BATCH = read('webhook_contact_creation_batch.json').replace(/\n$/, '');
const ACTION = read('custom_workflow_action_execute_request.json');

const SECRET = 'hubspot-client-secret-0123456789';
const URL_CALLED = 'https://loyalty.example.com/webhooks/hubspot';
const NOW = Date.UTC(2025, 5, 2, 9, 30);
const API = 'http://hubspot.test';
const TOKEN = 'pat-na1-loyalty-hub-test';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function request(body: string, headers: Record<string, string>, url = URL_CALLED, method = 'POST'): InboundRequest {
  return { method, url, headers: new Headers({ 'content-type': 'application/json', ...headers }), rawBody: Buffer.from(body, 'utf8'), body };
}

/** A webhook batch signed v3 at `timestamp` (HubSpot also sends v1, which the hub ignores). */
function webhook(body: string, o: { secret?: string; timestamp?: number; signedUrl?: string; url?: string } = {}): InboundRequest {
  const timestamp = String(o.timestamp ?? NOW);
  return request(body, {
    'x-hubspot-signature-v3': signatureV3(o.secret ?? SECRET, 'POST', o.signedUrl ?? URL_CALLED, body, timestamp),
    'x-hubspot-request-timestamp': timestamp,
    'x-hubspot-signature': 'v1-is-not-used',
    'x-hubspot-signature-version': 'v1',
  }, o.url);
}

/** A workflow action request signed v2, as HubSpot sends them. */
function action(body: string, o: { secret?: string; signedUrl?: string } = {}): InboundRequest {
  return request(body, {
    'x-hubspot-signature': signatureV2(o.secret ?? SECRET, 'POST', o.signedUrl ?? URL_CALLED, body),
    'x-hubspot-signature-version': 'v2',
    'x-hubspot-request-timestamp': String(NOW - 1000),
  });
}

function handler(env: Record<string, string> = {}, now = NOW): InboundHandler {
  return createHubSpotInbound({
    secrets: (env.HUBSPOT_CLIENT_SECRET ?? SECRET).split(','),
    activityProperties: parseActivityProperties(env.HUBSPOT_ACTIVITY_PROPERTIES ?? 'newsletter_opt_in=newsletter.subscribed'),
    defaultActivity: env.HUBSPOT_ACTION_ACTIVITY,
    accessToken: env.HUBSPOT_ACCESS_TOKEN,
    apiUrl: API,
    logger: silentLogger,
    clock: () => now,
  });
}

async function events(h: InboundHandler, req: InboundRequest): Promise<TriggerEvent[]> {
  const result = await h.normalize(req);
  expect(result.status).toBe('events');
  return (result as Extract<NormalizeResult, { status: 'events' }>).events.map(identifyTrigger);
}

type Json = Record<string, unknown>;
const event = (changes: Json = {}): Json => ({ ...(JSON.parse(BATCH) as Json[])[0], ...changes });
const propertyChange = (propertyName: string, propertyValue: string, changes: Json = {}): Json =>
  event({ subscriptionType: 'contact.propertyChange', propertyName, propertyValue, changeFlag: undefined, eventId: 7, subscriptionId: 777, ...changes });

describe('HubSpot signatures', () => {
  it('computes v3 and v2 exactly as HubSpot\'s published vectors, and as the SDK does', () => {
    const v3 = vector('v3');
    expect(signatureV3(VECTORS.clientSecret, v3.method!, v3.url!, v3.requestBody, String(v3.timestamp))).toBe(v3.signature);
    for (const v2 of [vector('v2', false), vector('v2', true)]) {
      expect(signatureV2(VECTORS.clientSecret, v2.method!, v2.url!, v2.requestBody)).toBe(v2.signature);
    }
    // The SDK's formula agrees (its isValid is not used: v1 by default, and compared with ===).
    const body = '[{"eventId":1}]';
    expect(signatureV3(SECRET, 'POST', URL_CALLED, body, '1700000000000')).toBe(
      Signature.getSignature('POST', 'v3', { clientSecret: SECRET, requestBody: body, url: URL_CALLED, timestamp: 1700000000000, signature: '' }),
    );
  });

  it('accepts the published v3 vector when it is fresh, refuses it once it is more than 5 minutes old', () => {
    const v3 = vector('v3');
    const signed = () => request(v3.requestBody, { 'x-hubspot-signature-v3': v3.signature, 'x-hubspot-request-timestamp': String(v3.timestamp) }, v3.url!);
    const secret = { HUBSPOT_CLIENT_SECRET: VECTORS.clientSecret };
    expect(handler(secret, v3.timestamp! + 4 * 60_000).verify(signed())).toEqual({ ok: true });
    expect(handler(secret, v3.timestamp! + 5 * 60_000 + 1).verify(signed())).toEqual({ ok: false, reason: expect.stringMatching(/X-HubSpot-Request-Timestamp is 300 s old \(at most 5 minutes\)/) });
    expect(handler(secret, v3.timestamp! - 6 * 60_000).verify(signed())).toMatchObject({ ok: false, reason: expect.stringMatching(/in the future/) });
  });

  it('accepts the published v2 vector on a workflow action request', () => {
    const v2 = vector('v2', true);
    const signed = request(v2.requestBody, { 'x-hubspot-signature': v2.signature, 'x-hubspot-signature-version': 'v2' }, v2.url!);
    expect(handler({ HUBSPOT_CLIENT_SECRET: VECTORS.clientSecret }).verify(signed)).toEqual({ ok: true });
    // One byte of the body changed: refused.
    const tampered = request(v2.requestBody.replace('value', 'valuE'), { 'x-hubspot-signature': v2.signature, 'x-hubspot-signature-version': 'v2' }, v2.url!);
    expect(handler({ HUBSPOT_CLIENT_SECRET: VECTORS.clientSecret }).verify(tampered)).toMatchObject({ ok: false });
  });

  it('refuses a v1 signature (it does not cover the URL), even HubSpot\'s own vector', () => {
    const v1 = vector('v1');
    const signed = request(v1.requestBody, { 'x-hubspot-signature': v1.signature, 'x-hubspot-signature-version': 'v1' });
    expect(handler({ HUBSPOT_CLIENT_SECRET: VECTORS.clientSecret }).verify(signed)).toEqual({ ok: false, reason: expect.stringMatching(/v1 signatures are not accepted/) });
  });

  it('refuses a v2 signature on a webhook batch: webhooks must carry the timestamped v3', () => {
    const signed = request(BATCH, { 'x-hubspot-signature': signatureV2(SECRET, 'POST', URL_CALLED, BATCH), 'x-hubspot-signature-version': 'v2' });
    expect(handler().verify(signed)).toEqual({ ok: false, reason: expect.stringMatching(/v2 signature is only accepted on workflow action/) });
  });

  it.each([
    ['another secret', () => webhook(BATCH, { secret: 'someone-elses-secret' }), /does not match/],
    ['another URL (PUBLIC_URL differs from the URL set in HubSpot)', () => webhook(BATCH, { signedUrl: 'https://other.example.com/webhooks/hubspot' }), /signed for https:\/\/loyalty\.example\.com/],
    ['no signature', () => request(BATCH, { 'x-hubspot-request-timestamp': String(NOW) }), /missing X-HubSpot-Signature-v3/],
    ['no timestamp', () => request(BATCH, { 'x-hubspot-signature-v3': 'x' }), /missing X-HubSpot-Request-Timestamp/],
    ['a timestamp in seconds, 6 minutes old', () => webhook(BATCH, { timestamp: Math.floor((NOW - 360_000) / 1000) }), /old/],
  ])('refuses a batch signed with %s', (_what, make, reason) => {
    expect(handler().verify(make())).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('refuses a body changed after signing', () => {
    const signed = webhook(BATCH);
    const tampered = { ...signed, body: BATCH.replace('"objectId":123', '"objectId":124'), rawBody: Buffer.from(BATCH.replace('"objectId":123', '"objectId":124')) };
    expect(handler().verify(tampered)).toMatchObject({ ok: false });
  });

  it('accepts the URI with HubSpot\'s listed escapes decoded, as HubSpot signs it', () => {
    const called = `${URL_CALLED}?shop=a%3Ab%40c%2Cd`;
    expect(v3SignedUri(called)).toBe(`${URL_CALLED}?shop=a:b@c,d`);
    expect(handler().verify(webhook(BATCH, { url: called, signedUrl: v3SignedUri(called) }))).toEqual({ ok: true });
    expect(handler().verify(webhook(BATCH, { url: called, signedUrl: called }))).toEqual({ ok: true });
  });

  it('accepts any of several comma-separated client secrets (two apps, or a rotation)', () => {
    const h = handler({ HUBSPOT_CLIENT_SECRET: `old-secret,${SECRET}` });
    expect(h.verify(webhook(BATCH))).toEqual({ ok: true });
    expect(h.verify(webhook(BATCH, { secret: 'old-secret' }))).toEqual({ ok: true });
    expect(h.verify(webhook(BATCH, { secret: 'third' }))).toMatchObject({ ok: false });
  });
});

describe('HubSpot webhook batches', () => {
  it('turns HubSpot\'s sample contact.creation into customer.created, keyed by portal, subscription, event and object', async () => {
    const h = handler();
    const req = webhook(BATCH);
    expect(h.topic(req)).toBe('contact.creation');
    expect(await events(h, req)).toEqual([
      {
        id: 'hubspot:62515:12345:1:123',
        type: 'customer.created',
        source: 'hubspot',
        occurredAt: 1564113600000,
        customer: { platformId: '123' },
        attributes: { portalId: '62515', subscriptionType: 'contact.creation', changeSource: 'CRM' },
      },
    ]);
  });

  it('keeps the same eventId of two subscriptions or two contacts apart', async () => {
    const body = JSON.stringify([event(), event({ subscriptionId: 999 }), event({ objectId: 124 }), event({ portalId: 70000 })]);
    expect((await events(handler(), webhook(body))).map((e) => e.id)).toEqual([
      'hubspot:62515:12345:1:123',
      'hubspot:62515:999:1:123',
      'hubspot:62515:12345:1:124',
      'hubspot:70000:12345:1:123',
    ]);
  });

  it('turns a watched property set to true into its activity, and ignores it set to false or another property', async () => {
    const h = handler({ HUBSPOT_ACTIVITY_PROPERTIES: 'newsletter_opt_in=newsletter.subscribed, review_left = review.posted' });
    const body = JSON.stringify([
      propertyChange('newsletter_opt_in', 'true'),
      propertyChange('newsletter_opt_in', 'false', { eventId: 8 }),
      propertyChange('review_left', 'Yes', { eventId: 9 }),
      propertyChange('lifecyclestage', 'customer', { eventId: 10 }),
      event({ subscriptionType: 'contact.deletion', eventId: 11 }),
    ]);
    const req = webhook(body);
    expect(h.topic(req)).toBe('contact.propertyChange,contact.deletion');
    expect(await events(h, req)).toEqual([
      expect.objectContaining({ id: 'hubspot:62515:777:7:123', type: 'activity', name: 'newsletter.subscribed', attributes: expect.objectContaining({ propertyName: 'newsletter_opt_in', propertyValue: 'true' }) }),
      expect.objectContaining({ id: 'hubspot:62515:777:9:123', type: 'activity', name: 'review.posted' }),
    ]);
  });

  it('reads the generic object.* subscriptions of contacts (objectTypeId 0-1) and ignores other objects', async () => {
    const body = JSON.stringify([
      event({ subscriptionType: 'object.creation', objectTypeId: '0-1' }),
      event({ subscriptionType: 'object.creation', objectTypeId: '0-2', eventId: 2 }),
      event({ subscriptionType: 'object.propertyChange', objectTypeId: '0-1', propertyName: 'newsletter_opt_in', propertyValue: 'true', eventId: 3 }),
    ]);
    expect((await events(handler(), webhook(body))).map((e) => [e.type, e.id])).toEqual([
      ['customer.created', 'hubspot:62515:12345:1:123'],
      ['activity', 'hubspot:62515:12345:3:123'],
    ]);
  });

  it('answers ignored, saying why, when nothing in the batch is about loyalty', async () => {
    const body = JSON.stringify([propertyChange('newsletter_opt_in', 'false'), event({ subscriptionType: 'contact.deletion' }), event({ subscriptionType: 'deal.creation' })]);
    expect(await handler().normalize(webhook(body))).toEqual({
      status: 'ignored',
      reason: 'no contact creation and no watched property (newsletter_opt_in) set to a true value among 3 event(s): contact.propertyChange of newsletter_opt_in, contact.deletion, deal.creation',
    });
  });

  it('refuses (400) a creation event without its contact id or with an id a JSON number cannot hold exactly', async () => {
    const missing = JSON.stringify([event({ objectId: undefined })]);
    await expect(handler().normalize(webhook(missing))).rejects.toMatchObject({ errors: [{ pointer: '/0/objectId', detail: 'required' }] });
    const huge = `[${JSON.stringify(event()).replace('"objectId":123', '"objectId":9007199254740993')}]`;
    await expect(handler().normalize(webhook(huge))).rejects.toBeInstanceOf(InboundPayloadError);
    await expect(handler().normalize(webhook('{"not":"a batch"}'))).rejects.toBeInstanceOf(InboundPayloadError);
  });

  it('knows a retried batch (higher attemptNumber, other order) as the same delivery, and another batch as another', () => {
    const h = handler();
    const first = JSON.stringify([event(), event({ eventId: 2, objectId: 124 })]);
    const retried = JSON.stringify([event({ eventId: 2, objectId: 124, attemptNumber: 1 }), event({ attemptNumber: 1 })]);
    const other = JSON.stringify([event(), event({ eventId: 3, objectId: 125 })]);
    expect(h.deliveryId(webhook(first))).toMatch(/^events:[0-9a-f]{64}$/);
    expect(h.deliveryId(webhook(retried))).toBe(h.deliveryId(webhook(first)));
    expect(h.deliveryId(webhook(other))).not.toBe(h.deliveryId(webhook(first)));
  });

  it('refuses a malformed HUBSPOT_ACTIVITY_PROPERTIES at start, naming the pair', () => {
    expect(() => parseActivityProperties('newsletter_opt_in')).toThrow(/"newsletter_opt_in" is not property=activity/);
    expect(() => parseActivityProperties('newsletter_opt_in=Newsletter Subscribed')).toThrow(/not a lower-case activity name/);
    expect(() => hubspot.createInbound({ HUBSPOT_CLIENT_SECRET: SECRET, HUBSPOT_ACTION_ACTIVITY: 'Award!' }, inboundServices(silentLogger))).toThrow(/HUBSPOT_ACTION_ACTIVITY/);
  });
});

describe('HubSpot custom workflow action', () => {
  const withActivity = (activity: unknown, changes: Json = {}) => {
    const body = JSON.parse(ACTION) as Json;
    return JSON.stringify({ ...body, inputFields: { ...(body.inputFields as Json), activity }, ...changes });
  };

  it('turns HubSpot\'s sample request into the activity its input names, keyed by the callback id', async () => {
    const h = handler();
    const req = action(withActivity(' Review.Posted '));
    expect(h.verify(req)).toEqual({ ok: true });
    expect(h.deliveryId(req)).toBe('action:ap-102670506-56777914962-11-0');
    expect(h.topic(req)).toBe('workflow.action');
    expect(await events(h, req)).toEqual([
      {
        id: 'hubspot:action:ap-102670506-56777914962-11-0',
        type: 'activity',
        name: 'review.posted',
        source: 'hubspot',
        occurredAt: NOW - 1000,
        customer: { platformId: '614' },
        attributes: { widgetOwner: '10887165', widgetName: 'My Widget Name', portalId: '102670506', workflowId: '192814114', callbackId: 'ap-102670506-56777914962-11-0' },
      },
    ]);
  });

  it('uses HUBSPOT_ACTION_ACTIVITY when the action has no activity input, and refuses (400) without either', async () => {
    expect((await events(handler({ HUBSPOT_ACTION_ACTIVITY: 'hubspot.workflow' }), action(ACTION)))[0]).toMatchObject({ type: 'activity', name: 'hubspot.workflow' });
    await expect(handler().normalize(action(ACTION))).rejects.toMatchObject({ errors: [{ pointer: '/inputFields/activity' }] });
    await expect(handler().normalize(action(withActivity('points!')))).rejects.toMatchObject({ errors: [{ pointer: '/inputFields/activity' }] });
  });

  it('refuses (400) an action run on another object than a contact', async () => {
    const body = withActivity('review.posted', { object: { objectId: 99, objectType: 'DEAL' } });
    await expect(handler().normalize(action(body))).rejects.toMatchObject({ errors: [{ pointer: '/object/objectType', detail: expect.stringMatching(/only contacts earn points/) }] });
  });

  it('answers HubSpot\'s workflow with outputFields: SUCCESS and the points awarded', async () => {
    const h = handler();
    const req = action(withActivity('review.posted'));
    const applied = { status: 'accepted', eventId: 'hubspot:action:x', inboxId: 'ibx_1', outcomes: [{ eventId: 'hubspot:action:x', type: 'activity', status: 'applied', memberId: 'mem_1', points: 25 }] };
    const res = h.acknowledge!(req, applied)!;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ outputFields: { hs_execution_state: 'SUCCESS', loyalty_status: 'accepted', loyalty_points_awarded: 25, loyalty_member_id: 'mem_1' } });
    // A retry HubSpot sends after a lost answer: still SUCCESS, so the workflow goes on.
    expect(await h.acknowledge!(req, { status: 'duplicate', outcomes: [] } as { status: string })!.json()).toEqual({ outputFields: { hs_execution_state: 'SUCCESS', loyalty_status: 'duplicate' } });
    // Refused or failed: the core's problem answer (400: HubSpot logs the failure; 503: it retries).
    expect(h.acknowledge!(req, { status: 'rejected' })).toBeUndefined();
    expect(h.acknowledge!(req, { status: 'failed' })).toBeUndefined();
    // Webhook batches get the core's JSON answer.
    expect(h.acknowledge!(webhook(BATCH), applied)).toBeUndefined();
  });
});

describe('contact look-up with HUBSPOT_ACCESS_TOKEN', () => {
  interface Seen { url: string; authorization: string | null; body: unknown }
  const batchRead = (answer: (body: { inputs: { id: string }[] }) => Response) => {
    const seen: Seen[] = [];
    server.use(
      http.post(`${API}/crm/v3/objects/contacts/batch/read`, async ({ request: req }) => {
        const body = (await req.json()) as { inputs: { id: string }[] };
        seen.push({ url: req.url, authorization: req.headers.get('authorization'), body });
        return answer(body);
      }),
    );
    return seen;
  };
  const contact = (id: string, email: string, firstname: string) => ({ id, properties: { email, firstname, lastname: 'Lee', hs_object_id: id }, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z', archived: false });
  const complete = (results: unknown[]) => HttpResponse.json({ status: 'COMPLETE', results, startedAt: '2025-06-02T09:30:00Z', completedAt: '2025-06-02T09:30:00Z' });

  it('reads every contact of the batch in one request and gives the members their e-mail and names', async () => {
    const seen = batchRead(() => complete([contact('123', 'ann@example.com', 'Ann'), contact('124', 'bo@example.com', 'Bo')]));
    const body = JSON.stringify([event(), event({ eventId: 2, objectId: 124 }), propertyChange('newsletter_opt_in', 'true')]);
    const out = await events(handler({ HUBSPOT_ACCESS_TOKEN: TOKEN }), webhook(body));
    expect(seen).toEqual([
      {
        url: `${API}/crm/v3/objects/contacts/batch/read?archived=false`,
        authorization: `Bearer ${TOKEN}`,
        body: { inputs: [{ id: '123' }, { id: '124' }], properties: ['email', 'firstname', 'lastname'], propertiesWithHistory: [] },
      },
    ]);
    expect(out.map((e) => e.customer)).toEqual([
      { platformId: '123', email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' },
      { platformId: '124', email: 'bo@example.com', firstName: 'Bo', lastName: 'Lee' },
      { platformId: '123', email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' },
    ]);
  });

  it('looks up the contact of a workflow action too, and only once its activity is known to be valid', async () => {
    const seen = batchRead(() => complete([contact('614', 'cy@example.com', 'Cy')]));
    const h = handler({ HUBSPOT_ACCESS_TOKEN: TOKEN });
    await expect(h.normalize(action(ACTION))).rejects.toBeInstanceOf(InboundPayloadError);
    expect(seen).toEqual([]);
    const body = JSON.stringify({ ...(JSON.parse(ACTION) as Json), inputFields: { activity: 'referral.completed' } });
    expect((await events(h, action(body)))[0]!.customer).toEqual({ platformId: '614', email: 'cy@example.com', firstName: 'Cy', lastName: 'Lee' });
  });

  it('goes on without e-mail when HubSpot refuses the token (403), so a wrong scope does not block points', async () => {
    batchRead(() => HttpResponse.json({ status: 'error', message: 'This app hasn\'t been granted all required scopes', category: 'MISSING_SCOPES' }, { status: 403 }));
    expect((await events(handler({ HUBSPOT_ACCESS_TOKEN: TOKEN }), webhook(BATCH)))[0]!.customer).toEqual({ platformId: '123' });
  });

  it('fails the delivery (503: HubSpot sends it again) when HubSpot cannot answer the look-up now', async () => {
    batchRead(() => HttpResponse.json({ status: 'error', message: 'internal error', category: 'INTERNAL_ERROR' }, { status: 502 }));
    const failure = handler({ HUBSPOT_ACCESS_TOKEN: TOKEN }).normalize(webhook(BATCH));
    await expect(failure).rejects.toThrow(/HubSpot contact look-up failed/);
    await expect(failure).rejects.not.toBeInstanceOf(InboundPayloadError);
  });
});

describe('the hubspot connector definition', () => {
  it('is enabled by HUBSPOT_CLIENT_SECRET alone, and 404s naming it when absent', () => {
    expect(connectorStatus(hubspot, {})).toEqual({ name: 'hubspot', title: 'HubSpot', directions: ['inbound', 'outbound'], enabled: false, missing: ['HUBSPOT_CLIENT_SECRET'] });
    expect(connectorStatus(hubspot, { HUBSPOT_CLIENT_SECRET: SECRET }).enabled).toBe(true);
    expect(hubspot.config.filter((v) => v.secret).map((v) => v.env)).toEqual(['HUBSPOT_CLIENT_SECRET', 'HUBSPOT_ACCESS_TOKEN']);
  });
});
