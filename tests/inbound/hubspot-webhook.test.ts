/**
 * HubSpot end to end, through a whole hub: webhook batches and workflow actions signed the way
 * HubSpot signs them (with the SDK's own `Signature.getSignature`), judged by what a merchant
 * sees — members, balances, the inbox — and, with a token, the contact properties HubSpot
 * receives through the shipped mapping (msw standing in for api.hubapi.com).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Signature } from '@hubspot/api-client';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import hubspot from '../../connectors/hubspot/index.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { PUBLIC_URL } from './sign.js';
import {
  balance,
  deliver,
  expectOnlySignatureAlert,
  expectUnauthorized,
  inbox,
  loyaltyEvents,
  memberByAlias,
  members,
  pointsOf,
  type Json,
  type WebhookAnswer,
} from './webhook-helpers.js';

const SECRET = 'hubspot-e2e-client-secret';
const CALLED = `${PUBLIC_URL}/webhooks/hubspot`;
const API = 'http://hubspot.test';
const TOKEN = 'pat-na1-e2e-token';
const MAPPINGS = fileURLToPath(new URL('../../mappings', import.meta.url));
const SAMPLES = fileURLToPath(new URL('../fixtures/platform-samples/hubspot/', import.meta.url));

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** HubSpot's sample contact.creation event (webhook_contact_creation_batch.json) with fields changed. */
const SAMPLE = (JSON.parse(readFileSync(`${SAMPLES}webhook_contact_creation_batch.json`, 'utf8')) as Json[])[0]!;
const created = (contactId: number, eventId = contactId, changes: Json = {}): Json => ({ ...SAMPLE, eventId, objectId: contactId, ...changes });
/** `n` new contacts, 1001 … 1000+n. */
const newContacts = (n: number, from = 1001) => Array.from({ length: n }, (_, i) => created(from + i));
const optIn = (contactId: number, eventId: number, value = 'true'): Json => ({
  ...SAMPLE,
  eventId,
  subscriptionId: 4242,
  objectId: contactId,
  subscriptionType: 'contact.propertyChange',
  propertyName: 'newsletter_opt_in',
  propertyValue: value,
});

interface Signing {
  secret?: string;
  /** Epoch ms of X-HubSpot-Request-Timestamp. */
  timestamp?: number;
  tamperedBody?: string;
  onlyV1?: boolean;
}

/** A webhook batch as HubSpot sends it: v3 over the URL it calls, plus the legacy v1. */
function batch(events: Json[], s: Signing = {}): RequestInit {
  const body = JSON.stringify(events);
  const secret = s.secret ?? SECRET;
  const timestamp = s.timestamp ?? Date.now();
  const v3 = Signature.getSignature('POST', 'v3', { clientSecret: secret, requestBody: body, url: CALLED, timestamp, signature: '' });
  const v1 = createHash('sha256').update(secret + body).digest('hex');
  return {
    method: 'POST',
    body: s.tamperedBody ?? body,
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature': v1,
      'x-hubspot-signature-version': 'v1',
      ...(s.onlyV1 ? {} : { 'x-hubspot-signature-v3': v3, 'x-hubspot-request-timestamp': String(timestamp) }),
    },
  };
}

/** A custom workflow action request, signed v2 (HubSpot's custom action example body). */
function workflowAction(inputFields: Json, callbackId = 'ap-102670506-56777914962-11-0', objectId = 614): RequestInit {
  const sample = JSON.parse(readFileSync(`${SAMPLES}custom_workflow_action_execute_request.json`, 'utf8')) as Json;
  const body = JSON.stringify({ ...sample, callbackId, object: { objectId, objectType: 'CONTACT' }, inputFields });
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature': Signature.getSignature('POST', 'v2', { clientSecret: SECRET, requestBody: body, url: CALLED, signature: '' }),
      'x-hubspot-signature-version': 'v2',
      'x-hubspot-request-timestamp': String(Date.now()),
    },
  };
}

const points = (answer: WebhookAnswer) => answer.outcomes?.map((o) => [o.status, o.points]);

describe('POST /webhooks/hubspot: webhook batches', () => {
  const h = hubHarness({ connectors: [hubspot], env: { HUBSPOT_CLIENT_SECRET: SECRET, PUBLIC_URL, HUBSPOT_ACTIVITY_PROPERTIES: 'newsletter_opt_in=newsletter.subscribed' } });

  it('applies a batch of 100 new contacts in one request, each once, however HubSpot sends it again', async () => {
    const events = newContacts(100);
    const first = await deliver(h, 'hubspot', batch(events));
    expect(first).toMatchObject({ httpStatus: 200, status: 'accepted', eventId: 'hubspot:62515:12345:1001:1001' });
    expect(first.outcomes).toHaveLength(100);
    expect(new Set(points(first)!.map(String))).toEqual(new Set(['applied,50']));

    const everyone = await members(h);
    expect(everyone).toHaveLength(100);
    expect(everyone.map((m) => m.aliases.find((a) => a.startsWith('hubspot:'))).sort()).toEqual(events.map((e) => `hubspot:${String(e.objectId)}`).sort());
    expect(await pointsOf(h, 'hubspot:1001')).toBe(50);
    expect(await pointsOf(h, 'hubspot:1100')).toBe(50);
    const [row, ...others] = await inbox(h, 'source=hubspot');
    expect(others).toEqual([]);
    expect(row).toMatchObject({ status: 'accepted', topic: 'contact.creation' });
    expect(row!.events).toHaveLength(100);

    // The same bytes again (a lost answer): a duplicate, nothing applied.
    const again = await deliver(h, 'hubspot', batch(events));
    expect(again).toMatchObject({ httpStatus: 200, status: 'duplicate' });
    // HubSpot's retry of the batch: attemptNumber 1, another order — the same events.
    const retried = await deliver(h, 'hubspot', batch(events.map((e) => ({ ...e, attemptNumber: 1 })).reverse()));
    expect(retried).toMatchObject({ httpStatus: 200, status: 'duplicate' });
    expect(await inbox(h, 'source=hubspot')).toHaveLength(1);

    // Regrouped with new events: only the new ones are applied.
    const regrouped = await deliver(h, 'hubspot', batch([...events.slice(40, 60), ...newContacts(5, 2001)]));
    expect(regrouped.status).toBe('accepted');
    expect(points(regrouped)).toEqual([...Array.from({ length: 20 }, () => ['duplicate', 50]), ...Array.from({ length: 5 }, () => ['applied', 50])]);

    expect(await members(h)).toHaveLength(105);
    const earned = await loyaltyEvents(h, 'points.earned');
    expect(earned).toHaveLength(105);
    expect(earned.every((e) => e.data.points === 50)).toBe(true);
  });

  it('keeps apart the same eventId of two subscriptions', async () => {
    const answer = await deliver(h, 'hubspot', batch([created(501, 9), optIn(501, 9)]));
    expect(answer.outcomes?.map((o) => [o.eventId, o.status, o.points])).toEqual([
      ['hubspot:62515:12345:9:501', 'applied', 50],
      ['hubspot:62515:4242:9:501', 'applied', 20],
    ]);
    expect(await pointsOf(h, 'hubspot:501')).toBe(70);
  });

  it('gives the newsletter bonus when the watched property turns true, once, and ignores a batch with nothing for loyalty', async () => {
    expect((await deliver(h, 'hubspot', batch([optIn(700, 1)]))).status).toBe('accepted');
    // Opted out and in again: a new event, but the program gives the bonus once per member.
    await deliver(h, 'hubspot', batch([optIn(700, 2, 'false')]));
    const again = await deliver(h, 'hubspot', batch([optIn(700, 3)]));
    expect(points(again)).toEqual([['applied', 0]]);
    expect(await pointsOf(h, 'hubspot:700')).toBe(20);

    const nothing = await deliver(h, 'hubspot', batch([optIn(701, 4, 'false'), created(701, 5, { subscriptionType: 'contact.deletion' })]));
    expect(nothing).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect(await memberByAlias(h, 'hubspot:701')).toBeUndefined();
  });

  describe('refuses what HubSpot did not sign, and writes nothing', () => {
    const events = newContacts(3);
    const body = JSON.stringify(events);
    it.each([
      ['signed more than 5 minutes ago', () => batch(events, { timestamp: Date.now() - 6 * 60_000 }), /X-HubSpot-Request-Timestamp is 3\d\d s old/],
      ['signed with another secret', () => batch(events, { secret: 'someone-elses-secret' }), /does not match/],
      ['with the body changed after signing', () => batch(events, { tamperedBody: body.replace('"objectId":1001', '"objectId":9001') }), /does not match/],
      ['with only the legacy v1 signature', () => batch(events, { onlyV1: true }), /v1 signatures are not accepted/],
    ])('%s → 401', async (_what, init, reason) => {
      expectUnauthorized(await deliver(h, 'hubspot', init()), reason);
      await expectOnlySignatureAlert(h, 'hubspot');
    });
  });
});

describe('POST /webhooks/hubspot: the "award points" workflow action', () => {
  const h = hubHarness({ connectors: [hubspot], env: { HUBSPOT_CLIENT_SECRET: SECRET, PUBLIC_URL } });

  it('awards the named activity and answers the workflow with outputFields; HubSpot\'s retry awards nothing more', async () => {
    const res = await h.hub.app.request('/webhooks/hubspot', workflowAction({ activity: 'review.posted' }));
    expect(res.status).toBe(200);
    const member = await memberByAlias(h, 'hubspot:614');
    expect(await res.json()).toEqual({ outputFields: { hs_execution_state: 'SUCCESS', loyalty_status: 'accepted', loyalty_points_awarded: 25, loyalty_member_id: member!.id } });
    expect(await balance(h, member!.id)).toMatchObject({ available: 25 });

    const retry = await h.hub.app.request('/webhooks/hubspot', workflowAction({ activity: 'review.posted' }));
    expect(await retry.json()).toEqual({ outputFields: { hs_execution_state: 'SUCCESS', loyalty_status: 'duplicate' } });
    // The same workflow run on another enrollment (another callback) is another award.
    await h.hub.app.request('/webhooks/hubspot', workflowAction({ activity: 'review.posted' }, 'ap-102670506-56777914962-12-0'));
    expect(await balance(h, member!.id)).toMatchObject({ available: 50 });
    expect((await inbox(h, 'source=hubspot')).map((r) => r.topic)).toEqual(['workflow.action', 'workflow.action']);
  });

  it('answers 400 (HubSpot logs the failure) to an action without an activity, and keeps it as rejected', async () => {
    const answer = await deliver(h, 'hubspot', workflowAction({ widgetName: 'x' }));
    expect(answer).toMatchObject({ httpStatus: 400, errors: [{ pointer: '/inputFields/activity' }] });
    expect((await inbox(h)).map((r) => r.status)).toEqual(['rejected']);
    expect(await members(h)).toEqual([]);
  });

  it('refuses (401) an action signed with another secret', async () => {
    const init = workflowAction({ activity: 'review.posted' });
    const headers = { ...(init.headers as Record<string, string>), 'x-hubspot-signature': 'f'.repeat(64) };
    expectUnauthorized(await deliver(h, 'hubspot', { ...init, headers }), /X-HubSpot-Signature \(v2\) does not match/);
    await expectOnlySignatureAlert(h, 'hubspot');
  });
});

describe('HubSpot both ways, with HUBSPOT_ACCESS_TOKEN', () => {
  const h = hubHarness({
    connectors: [hubspot],
    env: { HUBSPOT_CLIENT_SECRET: SECRET, PUBLIC_URL, HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_API_URL: API, LOYALTY_MAPPINGS: MAPPINGS },
  });

  /** HubSpot's contacts (e-mail by id), and every contact update the hub makes. */
  const contacts: Record<string, string> = {};
  const writes: { url: string; authorization: string | null; body: unknown }[] = [];
  afterEach(() => {
    writes.length = 0;
    for (const id of Object.keys(contacts)) delete contacts[id];
  });
  const stubHubSpot = () =>
    server.use(
      http.post(`${API}/crm/v3/objects/contacts/batch/read`, async ({ request }) => {
        const { inputs } = (await request.json()) as { inputs: { id: string }[] };
        const results = inputs.filter((i) => contacts[i.id]).map((i) => ({ id: i.id, properties: { email: contacts[i.id], firstname: 'Ann', lastname: 'Lee' }, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z', archived: false }));
        return HttpResponse.json({ status: 'COMPLETE', results, startedAt: '2025-01-01T00:00:00Z', completedAt: '2025-01-01T00:00:00Z' });
      }),
      http.post(`${API}/crm/v3/properties/contacts/groups`, () => HttpResponse.json({ status: 'error', message: 'exists', category: 'OBJECT_ALREADY_EXISTS' }, { status: 409 })),
      http.post(`${API}/crm/v3/properties/contacts`, () => HttpResponse.json({ status: 'error', message: 'exists', category: 'OBJECT_ALREADY_EXISTS' }, { status: 409 })),
      http.post(`${API}/crm/v3/objects/contacts/batch/update`, async ({ request }) => {
        const body = (await request.json()) as { inputs: { id: string }[] };
        writes.push({ url: request.url, authorization: request.headers.get('authorization'), body });
        return HttpResponse.json({ status: 'COMPLETE', results: body.inputs.map((i) => ({ id: i.id, properties: {}, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z', archived: false })), startedAt: '2025-01-01T00:00:00Z', completedAt: '2025-01-01T00:00:00Z' });
      }),
    );

  it('a new HubSpot contact joins the member who has its e-mail on another platform', async () => {
    stubHubSpot();
    contacts['123'] = 'ann@example.com';
    const enrolled = await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com', aliases: ['shopify:77'] } }));
    await deliver(h, 'hubspot', batch([created(123, 1)]));
    expect(await members(h)).toHaveLength(1);
    expect((await memberByAlias(h, 'hubspot:123'))?.id).toBe(enrolled.id);
  });

  it('reads the 100 contacts of a batch of 100 in one look-up', async () => {
    const reads: number[] = [];
    stubHubSpot();
    server.use(
      http.post(`${API}/crm/v3/objects/contacts/batch/read`, async ({ request }) => {
        const { inputs } = (await request.json()) as { inputs: { id: string }[] };
        reads.push(inputs.length);
        const results = inputs.map((i) => ({ id: i.id, properties: { email: `c${i.id}@example.com` }, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z', archived: false }));
        return HttpResponse.json({ status: 'COMPLETE', results, startedAt: '2025-01-01T00:00:00Z', completedAt: '2025-01-01T00:00:00Z' });
      }),
    );
    expect((await deliver(h, 'hubspot', batch(newContacts(100)))).status).toBe('accepted');
    expect(reads).toEqual([100]);
    const everyone = await members(h);
    expect(everyone).toHaveLength(100);
    expect(everyone.find((m) => m.aliases.includes('hubspot:1042'))?.email).toBe('c1042@example.com');
  });

  it('writes the balance and the tier to the member\'s contact through the shipped mapping', async () => {
    stubHubSpot();
    contacts['123'] = 'ann@example.com';
    const dispatch = () => h.hub.notifications.dispatcher.runOnce();

    await deliver(h, 'hubspot', batch([created(123, 1)]));
    await dispatch();
    expect(writes).toEqual([
      { url: `${API}/crm/v3/objects/contacts/batch/update`, authorization: `Bearer ${TOKEN}`, body: { inputs: [{ id: '123', properties: { loyalty_points: '50' } }] } },
    ]);

    // 1,000 points more: Silver. The balance and the tier each reach the contact.
    writes.length = 0;
    const earn = await h.call('POST', '/v1/events', { scope: 'write', body: { type: 'activity', name: 'goodwill.credit', id: 'big-1', customer: { aliases: ['hubspot:123'] }, points: 1000 } });
    expect(earn.status).toBeLessThan(300);
    await dispatch();
    expect(writes.map((w) => w.body)).toEqual(
      expect.arrayContaining([{ inputs: [{ id: '123', properties: { loyalty_points: '1050' } }] }, { inputs: [{ id: '123', properties: { loyalty_tier: 'Silver' } }] }]),
    );
    expect(writes).toHaveLength(2);
    const list = await json<{ data: { adapter: string; route: string; status: string }[] }>(await h.call('GET', '/v1/deliveries', { scope: 'read' }));
    expect(list.data.map((d) => [d.route, d.status]).sort()).toEqual([
      ['mapping:hubspot-contact-sync-points-earned#0', 'delivered'],
      ['mapping:hubspot-contact-sync-points-earned#0', 'delivered'],
      ['mapping:hubspot-contact-sync-tier-upgraded#0', 'delivered'],
    ]);
  });
});
