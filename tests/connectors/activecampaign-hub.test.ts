/**
 * The shipped `activecampaign-loyalty-sync.yaml`, switched on, driving a whole hub (real database,
 * real dispatcher) against msw standing in for the ActiveCampaign account: a points.earned and a
 * tier.upgraded reach the contact as documented; a 429 with Retry-After is retried exactly then;
 * a 400 is dead-lettered with ActiveCampaign's reason and raises delivery.failed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import activecampaign from '../../connectors/activecampaign/index.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import { activeCampaignAccount } from './activecampaign-stub.js';

const API = 'http://youraccount.activecampaign.test';
const KEY = 'ac-hub-key-0123456789abcdef';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// The shipped file with its one switch turned on, alone in a mappings folder.
const mappingsDir = mkdtempSync(join(tmpdir(), 'ac-mappings-'));
const shipped = readFileSync(join(import.meta.dirname, '../../mappings/activecampaign-loyalty-sync.yaml'), 'utf8');
const switchedOn = shipped.replace('when: &activecampaign-sync "false"', 'when: &activecampaign-sync "true"');
writeFileSync(join(mappingsDir, 'activecampaign-loyalty-sync.yaml'), switchedOn);
afterAll(() => rmSync(mappingsDir, { recursive: true, force: true }));

describe('activecampaign through the hub, with the shipped mapping switched on', () => {
  it('the shipped file differs from this one only by its switch', () => {
    expect(switchedOn).not.toBe(shipped);
  });

  const h = hubHarness({ connectors: [activecampaign], env: { LOYALTY_MAPPINGS: mappingsDir, ACTIVECAMPAIGN_API_URL: API, ACTIVECAMPAIGN_API_KEY: KEY } });

  const enroll = async () => (await json<{ id: string }>(await h.call('POST', '/v1/members', { body: { email: 'ann@example.com', firstName: 'Ann', consent: { email: true } } }))).id;
  const earn = (memberId: string, id: string, points: number) =>
    h.call('POST', '/v1/events', { scope: 'write', body: { type: 'activity', name: 'goodwill.credit', id, customer: { memberId }, points } });
  const dispatch = () => h.hub.notifications.dispatcher.runOnce();
  const deliveries = () => h.hub.store.db.select().from(tablesOf(h.hub.store.db).deliveries);

  it('points.earned and tier.upgraded reach the contact: the balance and tier fields, the new tier\'s tag', async () => {
    const ac = activeCampaignAccount(server, API);
    const memberId = await enroll();
    expect((await earn(memberId, 'big-1', 1000)).status).toBeLessThan(300);

    // The three sends need more than 5 requests the first time: the rest wait their second, and
    // each resumes where it stopped.
    for (let i = 0; i < 5; i++) {
      await dispatch();
      if ((await deliveries()).every((d) => d.status === 'delivered')) break;
      h.clock.advance(1000);
    }
    const rows = await deliveries();
    expect(rows.map((d) => [d.route, d.status]).sort()).toEqual([
      ['mapping:activecampaign-loyalty-sync-points-earned#0', 'delivered'],
      // The shipped program names 1,000 among its thresholds (config/program.yaml): this earn crosses it.
      ['mapping:activecampaign-loyalty-sync-threshold-reached#0', 'delivered'],
      ['mapping:activecampaign-loyalty-sync-tier-upgraded#0', 'delivered'],
    ]);
    expect(rows.every((d) => d.attempts === 1)).toBe(true); // deferrals are not attempts

    const points = ac.state.fields.find((f) => f.perstag === 'LOYALTY_POINTS')!.id;
    const tier = ac.state.fields.find((f) => f.perstag === 'LOYALTY_TIER')!.id;
    expect(ac.state.contacts.get('ann@example.com')?.fieldValues).toEqual({ [points]: '1000', [tier]: 'Silver' });
    expect(ac.tagsOf('ann@example.com').sort()).toEqual(['Loyalty tier: Silver', 'Loyalty: 1000 points']);
    expect(ac.state.fieldRels).toHaveLength(2);
    expect(ac.state.fieldRels).toEqual(expect.arrayContaining([{ field: Number(points), relid: 0 }, { field: Number(tier), relid: 0 }]));
    const syncs = ac.seen.filter((r) => r.url === '/api/3/contact/sync').map((r) => r.body);
    expect(syncs).toEqual(
      expect.arrayContaining([
        { contact: { email: 'ann@example.com', fieldValues: [{ field: points, value: '1000' }] } },
        { contact: { email: 'ann@example.com', fieldValues: [{ field: tier, value: 'Silver' }] } },
      ]),
    );
    expect(ac.seen.every((r) => r.apiToken === KEY)).toBe(true);
  });

  it('a 429 with Retry-After is tried again exactly when ActiveCampaign said', async () => {
    const ac = activeCampaignAccount(server, API);
    ac.field('LOYALTY_POINTS', 'Loyalty points', 'number');
    ac.failNext((r) => r.url === '/api/3/contact/sync', () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '7' } }));
    const memberId = await enroll();
    await earn(memberId, 'small-1', 40);

    expect(await dispatch()).toMatchObject({ attempted: 1 });
    h.clock.advance(6_999);
    expect((await dispatch()).attempted).toBe(0);
    h.clock.advance(1);
    expect((await dispatch()).attempted).toBe(1);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    const { deliveryAttempts } = tablesOf(h.hub.store.db);
    const attempts = await h.hub.store.db.select().from(deliveryAttempts);
    expect(attempts.map((a) => [a.outcome, a.statusCode])).toEqual([
      ['retry', 429],
      ['delivered', 201],
    ]);
  });

  it('a 400 is dead-lettered at once with ActiveCampaign\'s reason, and raises delivery.failed', async () => {
    const ac = activeCampaignAccount(server, API);
    ac.field('LOYALTY_POINTS', 'Loyalty points', 'number');
    ac.failNext(
      (r) => r.url === '/api/3/contact/sync',
      () => HttpResponse.json({ errors: [{ title: 'Email address is invalid.', detail: 'Email address is invalid.', code: 'email_invalid', source: { pointer: '/data/attributes/email' } }] }, { status: 400 }),
      10,
    );
    const memberId = await enroll();
    await earn(memberId, 'small-2', 40);
    await dispatch();
    h.clock.advance(24 * 3_600_000);
    await dispatch();

    expect(ac.seen.filter((r) => r.url === '/api/3/contact/sync')).toHaveLength(1);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: 400 });
    expect(delivery!.lastError).toBe('activecampaign: POST /api/3/contact/sync answered HTTP 400: Email address is invalid. (/data/attributes/email)');
    const { loyaltyEvents } = tablesOf(h.hub.store.db);
    const [failed] = await h.hub.store.db.select().from(loyaltyEvents).where(eq(loyaltyEvents.type, 'delivery.failed'));
    expect(JSON.parse(failed!.data)).toMatchObject({ deliveryId: delivery!.id, adapter: 'activecampaign', attempts: 1 });
  });
});
