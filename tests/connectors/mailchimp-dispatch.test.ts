/**
 * The `mailchimp` adapter through a whole hub (a real database, the real dispatcher, a mapping
 * file in a folder), msw standing in for the Marketing API at the network edge: a mapping on
 * `points.earned` and one on `tier.upgraded` deliver the requests Mailchimp documents, a 429's
 * Retry-After sets the next attempt, and a 400 is a dead letter with Mailchimp's reason and a
 * `delivery.failed` event.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mailchimp from '../../connectors/mailchimp/index.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';

const API = 'http://mailchimp.test/3.0';
const LIST = 'a1b2c3d4e5';
const KEY = '0123456789abcdef0123456789abcdef-us6';
const BASIC = `Basic ${Buffer.from(`loyalty-hub:${KEY}`).toString('base64')}`;
const hashOf = (email: string) => createHash('md5').update(email.toLowerCase()).digest('hex');

const mappingsDir = mkdtempSync(join(tmpdir(), 'loyalty-hub-mailchimp-'));
writeFileSync(
  join(mappingsDir, 'mailchimp-sync.yaml'),
  `- name: mailchimp-sync-points
  on: points.earned
  send:
    adapter: mailchimp
    mergeFields:
      POINTS: "{{ balance.available }}"
- name: mailchimp-sync-tier
  on: tier.upgraded
  send:
    adapter: mailchimp
    mergeFields:
      TIER: "{{ tier.name }}"
    event:
      name: tier_upgraded
      properties:
        tier: "{{ tier.name }}"
        previous_tier: "{{ previousTier.name }}"
`,
);

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => {
  server.close();
  rmSync(mappingsDir, { recursive: true, force: true });
});

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

/** Mailchimp answering member writes from `put` in order (the last repeats); every request recorded. */
function mailchimpStub(...put: (() => Response)[]) {
  const seen: Seen[] = [];
  const record = async (request: Request) => {
    const text = await request.text();
    seen.push({ method: request.method, url: request.url, authorization: request.headers.get('authorization'), body: text ? (JSON.parse(text) as unknown) : undefined });
  };
  let puts = 0;
  server.use(
    http.post(`${API}/lists/${LIST}/merge-fields`, async ({ request }) => {
      await record(request);
      return HttpResponse.json({ merge_id: 3, list_id: LIST }, { status: 200 });
    }),
    http.put(`${API}/lists/${LIST}/members/:hash`, async ({ request }) => {
      await record(request);
      return put[Math.min(puts++, put.length - 1)]!();
    }),
    http.post(`${API}/lists/${LIST}/members/:hash/events`, async ({ request }) => {
      await record(request);
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { seen, members: () => seen.filter((r) => !r.url.endsWith('/merge-fields')) };
}
const upserted = () => HttpResponse.json({ id: 'x', status: 'subscribed', list_id: LIST });

describe('mailchimp through the hub', () => {
  const h = hubHarness({
    connectors: [mailchimp],
    env: { LOYALTY_MAPPINGS: mappingsDir, MAILCHIMP_API_KEY: KEY, MAILCHIMP_LIST_ID: LIST, MAILCHIMP_API_URL: API },
  });
  const enroll = async (email: string) => (await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email, firstName: 'Ann', consent: { email: true } } }))).id;
  const earn = (memberId: string, id: string, points: number) =>
    h.call('POST', '/v1/events', { scope: 'write', body: { type: 'activity', name: 'purchase.bonus', id, customer: { memberId }, points } });
  const upgrade = (memberId: string) =>
    h.hub.commit('test', (w) =>
      w.emit({ type: 'tier.upgraded', memberId, data: { tier: { id: 'gold', name: 'Gold', threshold: 5000 }, previousTier: { id: 'silver', name: 'Silver', threshold: 1000 }, qualifyingPoints: 5120 } }),
    );
  const dispatch = () => h.hub.notifications.dispatcher.runOnce();
  const deliveries = async () => json<{ data: { id: string; route: string; adapter: string; status: string; lastError: string | null }[] }>(await h.call('GET', '/v1/deliveries?limit=50'));

  it('points.earned upserts POINTS, tier.upgraded upserts TIER and records the event, on the member\'s subscriber hash', async () => {
    const mc = mailchimpStub(upserted);
    const ann = await enroll('ann@example.com');
    await earn(ann, 'e1', 120);
    await dispatch();
    await upgrade(ann);
    await dispatch();

    const member = `${API}/lists/${LIST}/members/${hashOf('ann@example.com')}`;
    expect(mc.members()).toEqual([
      { method: 'PUT', url: member, authorization: BASIC, body: { email_address: 'ann@example.com', status_if_new: 'subscribed', merge_fields: { POINTS: 120 } } },
      { method: 'PUT', url: member, authorization: BASIC, body: { email_address: 'ann@example.com', status_if_new: 'subscribed', merge_fields: { TIER: 'Gold' } } },
      { method: 'POST', url: `${member}/events`, authorization: BASIC, body: { name: 'tier_upgraded', properties: { tier: 'Gold', previous_tier: 'Silver', delivery_id: expect.stringMatching(/\S/) } } },
    ]);
    const list = await deliveries();
    expect(list.data.map((d) => [d.route, d.status]).sort()).toEqual([
      ['mapping:mailchimp-sync-points#0', 'delivered'],
      ['mapping:mailchimp-sync-tier#0', 'delivered'],
    ]);
    // The event carries its delivery's id: what a retry looks for before recording it again.
    const tierDelivery = list.data.find((d) => d.route === 'mapping:mailchimp-sync-tier#0')!;
    expect((mc.members()[2]!.body as { properties: { delivery_id: string } }).properties.delivery_id).toBe(tierDelivery.id);
  });

  it('a 429 is tried again exactly when its Retry-After says', async () => {
    const mc = mailchimpStub(() => HttpResponse.json({ title: 'Too Many Requests', status: 429, detail: 'You have exceeded the limit of 10 simultaneous connections.' }, { status: 429, headers: { 'retry-after': '7' } }), upserted);
    const ann = await enroll('ann@example.com');
    await earn(ann, 'e1', 50);
    await dispatch();
    h.clock.advance(6_999);
    expect((await dispatch()).attempted).toBe(0);
    h.clock.advance(1);
    expect((await dispatch()).attempted).toBe(1);
    expect(mc.members().map((r) => r.method)).toEqual(['PUT', 'PUT']);
    expect((await deliveries()).data).toEqual([expect.objectContaining({ adapter: 'mailchimp', status: 'delivered' })]);
  });

  it('a 400 is dead-lettered at once with Mailchimp\'s reason, and announced as delivery.failed', async () => {
    const mc = mailchimpStub(() =>
      HttpResponse.json(
        {
          type: 'https://mailchimp.com/developer/marketing/docs/errors/',
          title: 'Invalid Resource',
          status: 400,
          detail: 'Your merge fields were invalid.',
          instance: 'cbb66395-969b-490f-8ddc-d8fc1d98d1fb',
          errors: [{ field: 'POINTS', message: 'Please enter a number' }],
        },
        { status: 400 },
      ),
    );
    const ann = await enroll('ann@example.com');
    await earn(ann, 'e1', 50);
    await dispatch();
    h.clock.advance(24 * 3_600_000);
    await dispatch();
    expect(mc.members()).toHaveLength(1);
    const [dead] = (await json<{ data: { id: string; status: string; lastError: string }[] }>(await h.call('GET', '/v1/deliveries?status=dead'))).data;
    expect(dead).toMatchObject({ status: 'dead', lastError: 'mailchimp: member upsert: HTTP 400 Invalid Resource: Your merge fields were invalid. (POINTS: Please enter a number)' });
    const { loyaltyEvents } = tablesOf(h.hub.store.db);
    const failed = await h.hub.store.db.select().from(loyaltyEvents).where(eq(loyaltyEvents.type, 'delivery.failed'));
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0]!.data)).toMatchObject({ deliveryId: dead!.id, adapter: 'mailchimp', attempts: 1 });
  });
});
