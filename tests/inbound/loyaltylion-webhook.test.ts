/**
 * LoyaltyLion's webhooks through a whole hub, signed as LoyaltyLion signs them (base64
 * HMAC-SHA256 of the raw body with the site secret, `x-loyaltylion-hmac-sha256`), with its own
 * documented payloads (tests/fixtures/platform-samples/loyaltylion/): points LoyaltyLion awarded
 * are mirrored once per transaction however often delivered, purchase and pending points are not,
 * forged calls are 401 with nothing stored, and with the side-by-side mapping switched on the
 * points LoyaltyLion moved are not sent back, nor are the hub's own points mirrored in again.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import loyaltylion from '../../connectors/loyaltylion/index.js';
import { tablesOf } from '../../core/storage/prepared.js';
import { runReplay } from '../helpers/replay-cli.js';
import { hubHarness, json } from '../helpers/test-hub.js';
import {
  balance,
  deliver,
  deliverConcurrently,
  expectOnlySignatureAlert,
  expectRejected,
  expectUnauthorized,
  inbox,
  memberByAlias,
  onlyOutcome,
  pointsOf,
  sample,
  tally,
  type Json,
} from './webhook-helpers.js';

const SECRET = 'loyaltylion-site-secret-e2e';
const API = 'http://loyaltylion.test';
const ENV = { LOYALTYLION_TOKEN: 'll-api-key-e2e', LOYALTYLION_SECRET: SECRET, LOYALTYLION_API_URL: API, LOYALTYLION_STORE_PLATFORM: 'shopify' };
const ALIAS = 'loyaltylion:6932';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** LoyaltyLion's documented points_earned example, with the transaction changed per scenario. */
function pointsEarned(webhookId: string, transaction: Json = {}): Json {
  const doc = sample('loyaltylion', 'points_earned');
  const properties = (doc.payload as { properties: Json }).properties;
  return { ...doc, id: webhookId, payload: { properties: { ...properties, transaction: { ...(properties.transaction as Json), ...transaction } } } };
}
/** A review's points: the documented transaction with another rule, approved at once. */
const review = (webhookId: string, transactionId = '9001', points = '50') =>
  pointsEarned(webhookId, { id: transactionId, points_approved: points, points_pending: '0', activity: { id: '7700', state: 'approved', rule: { id: '1', name: '$review', title: 'Leave a review' } } });

function signed(body: Json | string, secret = SECRET): RequestInit {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-loyaltylion-hmac-sha256': createHmac('sha256', secret).update(raw).digest('base64'),
      'x-loyaltylion-topic': typeof body === 'string' ? '' : String(body.topic),
      'user-agent': 'LoyaltyLion',
    },
    body: raw,
  };
}

describe('LoyaltyLion webhooks', () => {
  const h = hubHarness({ connectors: [loyaltylion], env: ENV });

  it('mirrors the approved points of a review once, however often and however concurrently delivered', async () => {
    const answers = await deliverConcurrently(h, 'loyaltylion', signed(review('wh-1')), 5);
    expect(tally(answers)).toEqual({ accepted: 1, duplicate: 4 });
    const member = await memberByAlias(h, ALIAS);
    expect(member).toMatchObject({ email: 'jessica@example.com' });
    expect((await balance(h, member!.id)).available).toBe(50);

    // The same LoyaltyLion transaction under another webhook id (at-least-once): the fact is a duplicate.
    expect(onlyOutcome(await deliver(h, 'loyaltylion', signed(review('wh-2'))))).toMatchObject({ status: 'duplicate' });
    expect(await pointsOf(h, ALIAS)).toBe(50);
    // Another transaction of the same customer is another fact.
    expect(onlyOutcome(await deliver(h, 'loyaltylion', signed(review('wh-3', '9002', '25'))))).toMatchObject({ status: 'applied', points: 25 });
    expect(await pointsOf(h, ALIAS)).toBe(75);

    const [row] = await inbox(h, 'source=loyaltylion&status=accepted');
    expect(row).toMatchObject({ topic: 'program_events/customer.points_earned' });
    const { transfers } = tablesOf(h.hub.store.db);
    const lines = await h.hub.store.db.select().from(transfers);
    expect(lines.map((l) => [l.kind, l.amount, l.idempotencyKey]).sort()).toEqual([
      ['adjust', 25, 'mirror:loyaltylion:transaction:9002'],
      ['adjust', 50, 'mirror:loyaltylion:transaction:9001'],
    ]);
  });

  it('leaves purchase points (the documented example), pending points and claimed rewards alone, saying why', async () => {
    const purchase = await deliver(h, 'loyaltylion', signed(pointsEarned('wh-p')));
    expect(purchase).toMatchObject({ httpStatus: 200, status: 'ignored' });
    const pending = await deliver(h, 'loyaltylion', signed(review('wh-q', '9100', '0')));
    expect(pending).toMatchObject({ httpStatus: 200, status: 'ignored' });
    const claimed = await deliver(h, 'loyaltylion', signed(sample('loyaltylion', 'claimed_reward')));
    expect(claimed).toMatchObject({ httpStatus: 200, status: 'ignored' });
    const rows = await inbox(h, 'source=loyaltylion');
    expect(rows.map((r) => r.status)).toEqual(['ignored', 'ignored', 'ignored']);
    expect(JSON.stringify(rows.map((r) => r.outcome))).toMatch(/purchase points \(LoyaltyLion transaction 5432\): the hub earns the order itself/);
    expect(await memberByAlias(h, ALIAS)).toBeUndefined();
  });

  it('does not mirror back the points the hub\'s own adapter added in LoyaltyLion', async () => {
    const ours = pointsEarned('wh-ours', { id: '9200', points_approved: '40', activity: null, adjustment: { note: 'Review posted (via Loyalty Hub)' } });
    expect(await deliver(h, 'loyaltylion', signed(ours))).toMatchObject({ httpStatus: 200, status: 'ignored' });
    expect(await memberByAlias(h, ALIAS)).toBeUndefined();
    // An admin's own adjustment in LoyaltyLion, without the marker, is mirrored.
    const admins = pointsEarned('wh-admin', { id: '9201', points_approved: '40', activity: null, adjustment: { note: 'Goodwill' } });
    expect(onlyOutcome(await deliver(h, 'loyaltylion', signed(admins)))).toMatchObject({ status: 'applied', points: 40 });
  });

  it('turns customers/update into a customer update of the member named by LoyaltyLion\'s id', async () => {
    const answer = await deliver(h, 'loyaltylion', signed(sample('loyaltylion', 'customers_update')));
    expect(onlyOutcome(answer)).toMatchObject({ type: 'customer.updated', status: 'applied', points: 0 });
    expect(await memberByAlias(h, 'loyaltylion:1001')).toMatchObject({ email: 'alice@example.com' });
  });

  it('refuses a forged, tampered or unsigned call with 401 and stores nothing', async () => {
    expectUnauthorized(await deliver(h, 'loyaltylion', signed(review('wh-f'), 'not-the-secret')), /does not match/i);
    const tampered = signed(review('wh-t'));
    tampered.body = (tampered.body as string).replace('"50"', '"5000"');
    expectUnauthorized(await deliver(h, 'loyaltylion', tampered), /does not match/i);
    const unsigned = signed(review('wh-u'));
    delete (unsigned.headers as Record<string, string>)['x-loyaltylion-hmac-sha256'];
    expectUnauthorized(await deliver(h, 'loyaltylion', unsigned), /x-loyaltylion-hmac-sha256/i);
    await expectOnlySignatureAlert(h, 'loyaltylion');
  });

  it('answers 400 naming the field of a figure that is not a whole number, kept as rejected', async () => {
    const answer = await deliver(h, 'loyaltylion', signed(review('wh-bad', '9300', 'lots')));
    await expectRejected(h, 'loyaltylion', answer, '/payload/properties/transaction/points_approved');
  });

  it('loyalty-hub replay of a LoyaltyLion delivery earns nothing twice', async () => {
    await deliver(h, 'loyaltylion', signed(review('wh-r')));
    const run = await runReplay(h, ENV, '--status', 'accepted', '--source', 'loyaltylion');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^1 duplicate$/m);
    expect(await pointsOf(h, ALIAS)).toBe(50);
  });
});

describe('LoyaltyLion side by side, with the shipped mapping switched on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-mappings-'));
  const shipped = readFileSync(join(import.meta.dirname, '../../mappings/loyaltylion-side-by-side.yaml'), 'utf8');
  const on = shipped.replace('when: &loyaltylion-side-by-side "false &&', 'when: &loyaltylion-side-by-side "true &&');
  writeFileSync(join(dir, 'loyaltylion-side-by-side.yaml'), on);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const h = hubHarness({ connectors: [loyaltylion], env: { ...ENV, LOYALTY_MAPPINGS: dir } });
  const deliveries = () => h.hub.store.db.select().from(tablesOf(h.hub.store.db).deliveries);

  it('sends the hub\'s own earn to LoyaltyLion, but not the points LoyaltyLion moved', async () => {
    expect(on).not.toBe(shipped);
    const seen: { url: string; body: unknown }[] = [];
    server.use(
      http.post(`${API}/v2/customers/:merchantId/points`, async ({ request }) => {
        seen.push({ url: request.url, body: await request.json() });
        return new HttpResponse(null, { status: 201 });
      }),
    );
    // LoyaltyLion's review points come in as points.mirrored…
    expect(onlyOutcome(await deliver(h, 'loyaltylion', signed(review('wh-s1'))))).toMatchObject({ status: 'applied', points: 50 });
    const member = await memberByAlias(h, ALIAS);
    // …the same customer's store id, as the import gives it, and an earn of the hub's own.
    const earned = await h.call('POST', '/v1/events', {
      scope: 'write',
      body: { type: 'activity', name: 'birthday', id: 'bday-2026', customer: { aliases: [ALIAS, 'shopify:2134606599'] }, points: 100 },
    });
    expect(earned.status).toBeLessThan(300);
    await h.hub.notifications.dispatcher.runOnce();

    const rows = await deliveries();
    expect(rows.map((d) => [d.route, d.status])).toEqual([['mapping:loyaltylion-side-by-side-earned#0', 'delivered']]);
    expect(seen).toEqual([{ url: `${API}/v2/customers/2134606599/points`, body: { points: 100, reason: 'birthday (via Loyalty Hub)' } }]);
    expect(await json<{ available: number }>(await h.call('GET', `/v1/members/${member!.id}/balance`, { scope: 'read' }))).toMatchObject({ available: 150 });
  });
});
